using Allocator.Core.Scenarios;
using ILGPU.Algorithms;

namespace Allocator.Kernels;

/// <summary>
/// Draws one scenario into its table: what does not depend on the plan (working GPUs per pool and period, the spot
/// price path and each period's spot order, each job's periods needed and success). Scenarios are drawn once and
/// shared by every plan (common random numbers), on the device for GPU runs. Follows <see cref="ReferenceScorer"/>.
/// </summary>
public static class ScenarioSampler
{
    /// <summary>Doubles in one scenario's table.</summary>
    public static int TableStride(int periods, int pools, int sites, int jobs, int offers) =>
        pools * periods + periods + 2 * jobs + periods * pools + 2 * sites * periods + offers;

    /// <summary>
    /// Offsets of each part of a table: available[p*T+t], price[t], needs[j], success[j], order[t*P+r], first[s*T+t],
    /// count[s*T+t], made[u] (whether uncertain offer u is made: 1 or 0).
    /// </summary>
    public static int Available(in ScoreParams p) => 0;

    /// <summary>Offset of the spot price path.</summary>
    public static int Price(in ScoreParams p) => p.Pools * p.Periods;

    /// <summary>Offset of each job's periods needed.</summary>
    public static int Needs(in ScoreParams p) => Price(p) + p.Periods;

    /// <summary>Offset of each job's success (1 or 0; 1 when success is not drawn).</summary>
    public static int Success(in ScoreParams p) => Needs(p) + p.Jobs;

    /// <summary>Offset of each period's spot order (pools by site, best margin per MW first).</summary>
    public static int Order(in ScoreParams p) => Success(p) + p.Jobs;

    /// <summary>Offset of where each site's part of a period's spot order begins.</summary>
    public static int First(in ScoreParams p) => Order(p) + p.Periods * p.Pools;

    /// <summary>Offset of how many pools each site sells spot from in a period.</summary>
    public static int Count(in ScoreParams p) => First(p) + p.Sites * p.Periods;

    /// <inheritdoc cref="Available"/>
    public static int Made(in ScoreParams p) => Count(p) + p.Sites * p.Periods;

    /// <summary>Fills <paramref name="table"/> with scenario <paramref name="scenario"/>.</summary>
    public static void Draw<TInt, TDouble>(long scenario, in FleetData<TInt, TDouble> fleet, Strided<TDouble, double> table, in ScoreParams p)
        where TInt : struct, IColumn<int>
        where TDouble : struct, IColumn<double>
    {
        var T = p.Periods;
        var available = Available(p);
        for (var pool = 0; pool < p.Pools; pool++)
        {
            for (var t = 0; t < T; t++)
            {
                table.Set(available + pool * T + t, fleet.PoolInitialGpus[pool]);
            }
        }

        for (var d = 0; d < p.Deliveries; d++)
        {
            var at = fleet.DeliveryPeriod[d];
            if (p.SlipProbability > 0 && ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.DeliverySlip, d, 0) < p.SlipProbability)
            {
                at += 1 + (int)(ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.DeliverySlipPeriods, d, 0) * p.SlipMaxPeriods);
            }

            for (var t = XMath.Max(0, at); t < T; t++)
            {
                table.Add(available + fleet.DeliveryPool[d] * T + t, fleet.DeliveryGpus[d]);
            }
        }

        if (p.OutageMean > 0 && p.OutageMax > 0)
        {
            // Down share f = max * U^a with a = max / mean - 1: within [0, max], mean exactly `mean`.
            var exponent = p.OutageMax / p.OutageMean - 1;
            for (var pool = 0; pool < p.Pools; pool++)
            {
                for (var t = 0; t < T; t++)
                {
                    var u = ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.Outage, fleet.PoolNumber[pool], t);
                    var power = exponent == 0 ? 1.0 : u <= 0 ? 0.0 : XMath.Exp(exponent * XMath.Log(u));
                    table.Set(available + pool * T + t, table.Get(available + pool * T + t) * (1 - p.OutageMax * power));
                }
            }
        }

        var logMultiplier = 0.0;
        for (var t = 0; t < T; t++)
        {
            var price = fleet.SpotPrice[t];
            if (p.SpotVolatility > 0)
            {
                var radius = 1 - ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.SpotStepRadius, 0, t);
                var angle = ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.SpotStepAngle, 0, t);
                var z = XMath.Sqrt(-2 * XMath.Log(radius)) * XMath.Cos(2 * XMath.PID * angle);
                logMultiplier += p.SpotVolatility * z - p.SpotVolatility * p.SpotVolatility / 2;
                price *= XMath.Exp(logMultiplier);
            }

            table.Set(Price(p) + t, price);
            SpotOrder(fleet, table, t, price, p);
        }

        for (var u = 0; u < p.Offers; u++)
        {
            table.Set(Made(p) + u, ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.OfferArrival, fleet.OfferLease[u], 0) < p.OfferArrival ? 1 : 0);
        }

        for (var j = 0; j < p.Jobs; j++)
        {
            var extra = 0;
            if (p.OverrunProbability > 0 && ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.JobOverrun, j, 0) < p.OverrunProbability)
            {
                var most = (int)XMath.Ceiling(p.OverrunMaxFraction * fleet.JobPeriods[j]);
                extra = most <= 0 ? 0 : 1 + (int)(ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.JobOverrunPeriods, j, 0) * most);
            }

            table.Set(Needs(p) + j, fleet.JobPeriods[j] + extra);
            table.Set(Success(p) + j, p.JobSuccess == 0 || ScenarioRandom.Uniform(p.Seed, scenario, ScenarioRandom.JobSuccess, j, 0) < fleet.JobProbability[j] ? 1 : 0);
        }
    }

    /// <summary>Period t's spot order: per site, the pools with a positive margin, best per MW first (stable: ties keep pool order).</summary>
    private static void SpotOrder<TInt, TDouble>(in FleetData<TInt, TDouble> fleet, Strided<TDouble, double> table, int t, double price, in ScoreParams p)
        where TInt : struct, IColumn<int>
        where TDouble : struct, IColumn<double>
    {
        var order = Order(p) + t * p.Pools;
        var written = 0;
        for (var s = 0; s < p.Sites; s++)
        {
            var first = written;
            var end = fleet.SiteFirstPool[s + 1];
            for (var pool = fleet.SiteFirstPool[s]; pool < end; pool++)
            {
                if (!Sells(fleet.PowerCostPerGpuPeriod(pool), price, p))
                {
                    continue;
                }

                var value = ValuePerMw(fleet, pool, price, p);
                var k = written++;
                while (k > first && ValuePerMw(fleet, (int)table.Get(order + k - 1), price, p) < value)
                {
                    table.Set(order + k, table.Get(order + k - 1));
                    k--;
                }

                table.Set(order + k, pool);
            }

            table.Set(First(p) + s * p.Periods + t, first);
            table.Set(Count(p) + s * p.Periods + t, written - first);
        }
    }

    /// <summary>
    /// Whether a pool whose power costs <paramref name="costPerGpuPeriod"/> per GPU and period sells on spot at
    /// <paramref name="price"/>: some sell-through and a positive margin (the reference's <c>SpotOrder</c>).
    /// </summary>
    public static bool Sells(double costPerGpuPeriod, double price, in ScoreParams p) =>
        p.SellThrough > 0 && p.PeriodHours * price - costPerGpuPeriod > 0;

    private static double ValuePerMw<TInt, TDouble>(in FleetData<TInt, TDouble> fleet, int pool, double price, in ScoreParams p)
        where TInt : struct, IColumn<int>
        where TDouble : struct, IColumn<double>
    {
        var kw = fleet.KwPerGpu(pool);
        return kw > 0 ? (p.PeriodHours * price - fleet.PowerCostPerGpuPeriod(pool)) / kw : double.PositiveInfinity;
    }
}
