using Allocator.Core.Scenarios;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace Allocator.Kernels;

/// <summary>
/// The per-(plan, scenario) scoring logic, written once for every backend: the ILGPU kernel calls it on the device and
/// the CPU fast path calls it from plain threads. It follows <see cref="ReferenceScorer"/> step for step (tests compare
/// them) but reads device views, uses XMath instead of BCL math, and keeps its working state in a scratch slice of
/// <c>ScratchStride</c> doubles: slipped delivery arrivals, job needs, progress and finish periods, free GPUs, draw,
/// and the spot order.
/// </summary>
public static class PairScorer
{
    /// <summary>Doubles of scratch one pair needs.</summary>
    public static int ScratchStride(int deliveries, int jobs, int pools) => deliveries + 3 * jobs + 3 * pools;

    /// <summary>Scores plan <c>pair / Scenarios</c> in scenario <c>ScenarioOffset + pair % Scenarios</c>.</summary>
    public static ScenarioOutcome Score(long pair, in FleetViews fleet, in PlanViews plans, ArrayView1D<double, Stride1D.Dense> scratch, in ScoreParams p)
    {
        var plan = (int)(pair / p.Scenarios);
        var scenario = p.ScenarioOffset + pair % p.Scenarios;
        var T = p.Periods;
        var arrival = scratch.SubView(0, p.Deliveries);
        var needs = scratch.SubView(p.Deliveries, p.Jobs);
        var progress = scratch.SubView(p.Deliveries + p.Jobs, p.Jobs);
        var finished = scratch.SubView(p.Deliveries + 2 * p.Jobs, p.Jobs);
        var free = scratch.SubView(p.Deliveries + 3 * p.Jobs, p.Pools);
        var draw = scratch.SubView(p.Deliveries + 3 * p.Jobs + p.Pools, p.Pools);
        var order = scratch.SubView(p.Deliveries + 3 * p.Jobs + 2 * p.Pools, p.Pools);

        // Draws: delivery slips, job overruns (as total periods needed); outages and prices are drawn per period below.
        for (var d = 0; d < p.Deliveries; d++)
        {
            var at = fleet.DeliveryPeriod[d];
            if (p.SlipProbability > 0 && ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.DeliverySlip, d, 0) < p.SlipProbability)
            {
                at += 1 + (int)(ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.DeliverySlipPeriods, d, 0) * p.SlipMaxPeriods);
            }

            arrival[d] = at;
        }

        for (var j = 0; j < p.Jobs; j++)
        {
            var extra = 0;
            if (p.OverrunProbability > 0 && ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.JobOverrun, j, 0) < p.OverrunProbability)
            {
                var most = (int)XMath.Ceiling(p.OverrunMaxFraction * fleet.JobPeriods[j]);
                extra = most <= 0 ? 0 : 1 + (int)(ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.JobOverrunPeriods, j, 0) * most);
            }

            needs[j] = fleet.JobPeriods[j] + extra;
            progress[j] = 0;
            finished[j] = -1;
        }

        var outageExponent = p.OutageMean > 0 && p.OutageMax > 0 ? p.OutageMax / p.OutageMean - 1 : 0.0;
        var logPrice = p.SpotVolatility > 0 ? XMath.Log(p.SpotPrice) : 0.0;
        var planCells = (long)plan * p.Pools * T;
        var jobBase = plan * p.Jobs;
        var scheduled = plans.ScheduledJobs[plan];
        double leaseRevenue = 0, penalty = 0, spotRevenue = 0, powerCost = 0, shortGpuHours = 0;

        for (var t = 0; t < T; t++)
        {
            var price = p.SpotPrice;
            if (p.SpotVolatility > 0)
            {
                var radius = 1 - ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.SpotStepRadius, 0, t);
                var angle = ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.SpotStepAngle, 0, t);
                var z = XMath.Sqrt(-2 * XMath.Log(radius)) * XMath.Cos(2 * XMath.PID * angle);
                logPrice += p.SpotVolatility * z - p.SpotVolatility * p.SpotVolatility / 2;
                price = XMath.Exp(logPrice);
            }

            for (var s = 0; s < p.Sites; s++)
            {
                var powerLeft = fleet.PowerCapMw[s * T + t];

                // Leases take what is there first.
                for (var pool = 0; pool < p.Pools; pool++)
                {
                    if (fleet.PoolSite[pool] != s)
                    {
                        continue;
                    }

                    var available = AvailableGpus(fleet, arrival, pool, t, scenario, outageExponent, p);
                    var cell = planCells + pool * T + t;
                    var leased = plans.LeaseGpus[cell];
                    var delivered = XMath.Min(leased, XMath.Max(0.0, available));
                    delivered = XMath.Min(delivered, GpusWithinPower(powerLeft, fleet.KwPerGpu[pool]));
                    var share = leased > 0 ? delivered / leased : 1.0;
                    leaseRevenue += p.PeriodHours * plans.LeasePrice[cell] * share;
                    penalty += p.PeriodHours * plans.LeasePenalty[cell] * (1 - share);
                    shortGpuHours += p.PeriodHours * (leased - delivered);
                    free[pool] = XMath.Max(0.0, available - delivered);
                    draw[pool] = delivered;
                    powerLeft -= delivered * fleet.KwPerGpu[pool] / 1000;
                }

                // Then jobs, in the order the plan starts them: all their GPUs, or they pause.
                for (var r = 0; r < scheduled; r++)
                {
                    var j = plans.JobOrder[jobBase + r];
                    var pool = plans.JobPool[jobBase + j];
                    if (fleet.PoolSite[pool] != s || finished[j] >= 0 || t < plans.JobStart[jobBase + j] || t > fleet.JobLastPeriod[j])
                    {
                        continue;
                    }

                    var ready = true;
                    for (var k = fleet.JobAfterOffset[j]; k < fleet.JobAfterOffset[j + 1]; k++)
                    {
                        var done = finished[fleet.JobAfter[k]];
                        ready &= done >= 0 && done < t;
                    }

                    var gpus = fleet.JobGpus[j];
                    if (ready && free[pool] >= gpus && GpusWithinPower(powerLeft, fleet.KwPerGpu[pool]) >= gpus)
                    {
                        free[pool] -= gpus;
                        draw[pool] += gpus;
                        powerLeft -= gpus * fleet.KwPerGpu[pool] / 1000;
                        progress[j] += 1;
                        if (progress[j] == needs[j])
                        {
                            finished[j] = t;
                        }
                    }
                }

                // Spot sells what is left: fractional knapsack, best margin per MW first at this period's price.
                var count = SpotOrder(fleet, order, s, price, p);
                for (var k = 0; k < count; k++)
                {
                    var pool = (int)order[k];
                    var sell = XMath.Min(p.SellThrough * free[pool], GpusWithinPower(powerLeft, fleet.KwPerGpu[pool]));
                    spotRevenue += sell * p.PeriodHours * price;
                    draw[pool] += sell;
                    powerLeft -= sell * fleet.KwPerGpu[pool] / 1000;
                }

                for (var pool = 0; pool < p.Pools; pool++)
                {
                    if (fleet.PoolSite[pool] == s)
                    {
                        powerCost += draw[pool] * fleet.PowerCostPerGpuPeriod[pool];
                    }
                }
            }
        }

        double jobValue = 0;
        for (var j = 0; j < p.Jobs; j++)
        {
            if (finished[j] < 0)
            {
                continue;
            }

            var delay = finished[j] - (fleet.JobEarliestStart[j] + fleet.JobPeriods[j] - 1);
            var value = XMath.Max(0.0, fleet.JobValue[j] - fleet.JobDecay[j] * delay);
            if (p.JobSuccess != 0)
            {
                jobValue += ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.JobSuccess, j, 0) < fleet.JobProbability[j] ? value : 0;
            }
            else
            {
                jobValue += fleet.JobProbability[j] * value;
            }
        }

        return new ScenarioOutcome(leaseRevenue, penalty, jobValue, spotRevenue, powerCost, shortGpuHours);
    }

    /// <summary>GPUs of a pool working in period t: initial GPUs plus deliveries that have arrived, less the outage.</summary>
    private static double AvailableGpus(in FleetViews fleet, ArrayView1D<double, Stride1D.Dense> arrival, int pool, int t, long scenario, double outageExponent, in ScoreParams p)
    {
        double gpus = fleet.PoolInitialGpus[pool];
        for (var d = 0; d < p.Deliveries; d++)
        {
            if (fleet.DeliveryPool[d] == pool && arrival[d] <= t)
            {
                gpus += fleet.DeliveryGpus[d];
            }
        }

        if (outageExponent > 0 || (p.OutageMean > 0 && p.OutageMax > 0))
        {
            var u = ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.Outage, pool, t);
            gpus *= 1 - p.OutageMax * Power(u, outageExponent);
        }

        return gpus;
    }

    /// <summary>u^a for u in [0, 1), a >= 0, with 0^0 = 1 as Math.Pow has it.</summary>
    private static double Power(double u, double a) => a == 0 ? 1.0 : u <= 0 ? 0.0 : XMath.Exp(a * XMath.Log(u));

    private static double GpusWithinPower(double powerLeftMw, double kwPerGpu) =>
        powerLeftMw >= double.MaxValue || kwPerGpu <= 0 ? double.PositiveInfinity : XMath.Max(0.0, powerLeftMw) * 1000 / kwPerGpu;

    /// <summary>Writes the site's pools with a positive margin into <paramref name="order"/>, best per MW first.</summary>
    private static int SpotOrder(in FleetViews fleet, ArrayView1D<double, Stride1D.Dense> order, int site, double price, in ScoreParams p)
    {
        if (p.SellThrough <= 0)
        {
            return 0;
        }

        var count = 0;
        for (var pool = 0; pool < p.Pools; pool++)
        {
            if (fleet.PoolSite[pool] != site || p.PeriodHours * price - fleet.PowerCostPerGpuPeriod[pool] <= 0)
            {
                continue;
            }

            // Insertion sort: stable, so equal values keep pool order, as in the reference.
            var value = SpotValuePerMw(fleet, pool, price, p);
            var k = count++;
            while (k > 0 && SpotValuePerMw(fleet, (int)order[k - 1], price, p) < value)
            {
                order[k] = order[k - 1];
                k--;
            }

            order[k] = pool;
        }

        return count;
    }

    private static double SpotValuePerMw(in FleetViews fleet, int pool, double price, in ScoreParams p)
    {
        var kw = fleet.KwPerGpu[pool];
        return kw > 0 ? (p.PeriodHours * price - fleet.PowerCostPerGpuPeriod[pool]) / kw : double.PositiveInfinity;
    }
}
