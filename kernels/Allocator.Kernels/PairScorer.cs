using Allocator.Core.Scenarios;
using ILGPU.Algorithms;

namespace Allocator.Kernels;

/// <summary>
/// The per-(plan, scenario) recourse, written once for every backend: the ILGPU kernel calls it on the device and the
/// CPU fast path from plain threads. It reads the scenario's table (<see cref="ScenarioSampler"/>) and follows
/// <see cref="ReferenceScorer"/> step for step (tests compare them pair by pair), with XMath instead of BCL math and
/// its working state in a scratch slice of <c>ScratchStride</c> doubles: job progress and finish periods, free GPUs,
/// power draw per pool, power left per site. The arithmetic type decides the precision of each period's money and
/// counts operations when asked (<see cref="CountedArithmetic"/>): each <c>Count</c> is the number of float64
/// operations (add, multiply, divide, min, max, compare, int-to-double) of the step beside it, counted from this source.
/// </summary>
public static class PairScorer
{
    /// <summary>Doubles of scratch one pair needs.</summary>
    public static int ScratchStride(int jobs, int pools, int sites) => 2 * jobs + 2 * pools + sites;

    /// <summary>Scores plan <c>pair / Scenarios</c> in scenario <c>pair % Scenarios</c> of the call.</summary>
    public static ScenarioOutcome Score<TInt, TDouble, TArithmetic>(
        long pair, in FleetData<TInt, TDouble> fleet, in PlanData<TInt, TDouble> plans, Strided<TDouble> table, Strided<TDouble> scratch, in ScoreParams p, TArithmetic arithmetic)
        where TInt : struct, IColumn<int>
        where TDouble : struct, IColumn<double>
        where TArithmetic : struct, IScoringArithmetic
    {
        var plan = (int)(pair / p.Scenarios);
        var T = p.Periods;
        var progress = 0;
        var finished = p.Jobs;
        var free = 2 * p.Jobs;
        var draw = 2 * p.Jobs + p.Pools;
        var powerLeft = 2 * p.Jobs + 2 * p.Pools;
        for (var j = 0; j < p.Jobs; j++)
        {
            scratch.Set(progress + j, 0);
            scratch.Set(finished + j, -1);
        }

        var available = ScenarioSampler.Available(p);
        var needs = ScenarioSampler.Needs(p);
        var planCells = plan * p.Pools * T; // plan columns are host arrays: under 2^31 elements
        var jobBase = plan * p.Jobs;
        var scheduled = plans.ScheduledJobs[plan];
        double leaseRevenue = 0, penalty = 0, spotRevenue = 0, powerCost = 0, shortGpuHours = 0;

        for (var t = 0; t < T; t++)
        {
            for (var s = 0; s < p.Sites; s++)
            {
                scratch.Set(powerLeft + s, fleet.PowerCapMw[s * T + t]);
            }

            // Leases take what is there first (pools in order, within their site's power).
            for (var pool = 0; pool < p.Pools; pool++)
            {
                var s = fleet.PoolSite[pool];
                var gpus = table.Get(available + pool * T + t);
                var cell = planCells + pool * T + t;
                var leased = plans.LeaseGpus[cell];
                var pricePerHour = plans.LeasePrice[cell];
                var penaltyPerHour = plans.LeasePenalty[cell];

                // Offers whose arrival is uncertain count where the scenario makes them (closed-loop.md).
                for (var u = 0; u < p.Offers; u++)
                {
                    var start = plans.OfferStart[plan * p.Offers + u];
                    if (plans.OfferPool[plan * p.Offers + u] == pool && t >= start && t < start + fleet.OfferPeriods[u] && table.Get(ScenarioSampler.Made(p) + u) != 0)
                    {
                        leased += fleet.OfferGpus[u];
                        pricePerHour += fleet.OfferPrice[u];
                        penaltyPerHour += fleet.OfferPenalty[u];
                        arithmetic.Count(4);
                    }
                }

                var delivered = XMath.Min(leased, XMath.Max(0.0, gpus));
                delivered = XMath.Min(delivered, GpusWithinPower(scratch.Get(powerLeft + s), fleet.KwPerGpu[pool]));
                var share = leased > 0 ? delivered / leased : 1.0;
                leaseRevenue += arithmetic.Money(p.PeriodHours, pricePerHour, share);
                penalty += arithmetic.Money(p.PeriodHours, penaltyPerHour, 1 - share);
                shortGpuHours += p.PeriodHours * (leased - delivered);
                scratch.Set(free + pool, XMath.Max(0.0, gpus - delivered));
                scratch.Set(draw + pool, delivered);
                scratch.Add(powerLeft + s, -(delivered * fleet.KwPerGpu[pool] / 1000));
                arithmetic.Count(21);
            }

            // Then jobs, in the order the plan starts them: all their GPUs, or they pause. Sites do not share GPUs or
            // power, so one pass in plan order gives each site the same order as the reference's pass per site.
            for (var r = 0; r < scheduled; r++)
            {
                var j = plans.JobOrder[jobBase + r];
                arithmetic.Count(1);
                if (scratch.Get(finished + j) >= 0 || t < plans.JobStart[jobBase + j] || t > fleet.JobLastPeriod[j])
                {
                    continue;
                }

                var ready = true;
                for (var k = fleet.JobAfterOffset[j]; k < fleet.JobAfterOffset[j + 1]; k++)
                {
                    var done = scratch.Get(finished + fleet.JobAfter[k]);
                    ready &= done >= 0 && done < t;
                    arithmetic.Count(3);
                }

                var pool = plans.JobPool[jobBase + j];
                var s = fleet.PoolSite[pool];
                var gpus = fleet.JobGpus[j];
                arithmetic.Count(ready ? 8 : 0); // the fit check, counted whole even where its first test fails
                if (ready && scratch.Get(free + pool) >= gpus && GpusWithinPower(scratch.Get(powerLeft + s), fleet.KwPerGpu[pool]) >= gpus)
                {
                    scratch.Add(free + pool, -(gpus));
                    scratch.Add(draw + pool, gpus);
                    scratch.Add(powerLeft + s, -(gpus * fleet.KwPerGpu[pool] / 1000));
                    scratch.Add(progress + j, 1);
                    // Done, or known to have failed at its milestone: it stops and counts as finished for the jobs after it.
                    var ran = scratch.Get(progress + j);
                    if (ran == table.Get(needs + j) || (p.JobSuccess != 0 && ran == fleet.JobKnownAfter[j] && table.Get(ScenarioSampler.Success(p) + j) == 0))
                    {
                        scratch.Set(finished + j, t);
                    }

                    arithmetic.Count(8);
                }
            }

            // Spot sells what is left: the fractional knapsack in the scenario's order for this period.
            var price = table.Get(ScenarioSampler.Price(p) + t);
            for (var s = 0; s < p.Sites; s++)
            {
                var first = (int)table.Get(ScenarioSampler.First(p) + s * T + t);
                var count = (int)table.Get(ScenarioSampler.Count(p) + s * T + t);
                arithmetic.Count(2);
                for (var k = first; k < first + count; k++)
                {
                    var pool = (int)table.Get(ScenarioSampler.Order(p) + t * p.Pools + k);
                    var sell = XMath.Min(p.SellThrough * scratch.Get(free + pool), GpusWithinPower(scratch.Get(powerLeft + s), fleet.KwPerGpu[pool]));
                    spotRevenue += arithmetic.Money(sell, p.PeriodHours, price);
                    scratch.Add(draw + pool, sell);
                    scratch.Add(powerLeft + s, -(sell * fleet.KwPerGpu[pool] / 1000));
                    arithmetic.Count(13);
                }
            }

            for (var pool = 0; pool < p.Pools; pool++)
            {
                powerCost += arithmetic.Money(scratch.Get(draw + pool), fleet.PowerCostPerGpuPeriod[pool], 1.0);
                arithmetic.Count(1);
            }
        }

        double jobValue = 0;
        for (var j = 0; j < p.Jobs; j++)
        {
            arithmetic.Count(1);
            if (scratch.Get(finished + j) < 0)
            {
                continue;
            }

            var delay = scratch.Get(finished + j) - (fleet.JobEarliestStart[j] + fleet.JobPeriods[j] - 1);
            var value = XMath.Max(0.0, fleet.JobValue[j] - fleet.JobDecay[j] * delay);
            jobValue += p.JobSuccess != 0 ? table.Get(ScenarioSampler.Success(p) + j) * value : fleet.JobProbability[j] * value;
            arithmetic.Count(6);
        }

        return new ScenarioOutcome(leaseRevenue, penalty, jobValue, spotRevenue, powerCost, shortGpuHours);
    }

    /// <summary>GPUs the site's remaining power can run (infinite without a cap or without a draw).</summary>
    internal static double GpusWithinPower(double powerLeftMw, double kwPerGpu) =>
        powerLeftMw >= double.MaxValue || kwPerGpu <= 0 ? double.PositiveInfinity : XMath.Max(0.0, powerLeftMw) * 1000 / kwPerGpu;
}
