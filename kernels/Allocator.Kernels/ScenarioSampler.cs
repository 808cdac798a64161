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
    public static int TableStride(int periods, int pools, int sites, int jobs, int offers, int spotWords) =>
        pools * periods + periods + 2 * jobs + sites * periods * spotWords + offers;

    /// <summary>
    /// Offsets of each part of a table: available[p*T+t], price[t], needs[j], success[j], each site's spot order in
    /// each period (<see cref="SpotOrderAt"/>), made[u] (whether uncertain offer u is made: 1 or 0).
    /// </summary>
    public static int Available(in ScoreParams p) => 0;

    /// <summary>Offset of the spot price path.</summary>
    public static int Price(in ScoreParams p) => p.Pools * p.Periods;

    /// <summary>Offset of each job's periods needed.</summary>
    public static int Needs(in ScoreParams p) => Price(p) + p.Periods;

    /// <summary>Offset of each job's success (1 or 0; 1 when success is not drawn).</summary>
    public static int Success(in ScoreParams p) => Needs(p) + p.Jobs;

    /// <summary>Offset of the spot orders: per site and period, <c>SpotWords</c> words (<see cref="SpotOrderAt"/>).</summary>
    public static int Order(in ScoreParams p) => Success(p) + p.Jobs;

    /// <inheritdoc cref="Available"/>
    public static int Made(in ScoreParams p) => Order(p) + p.Sites * p.Periods * p.SpotWords;

    /// <summary>
    /// Where site s's spot order in period t lies: <c>SpotWords</c> words of <see cref="PlacesPerWord"/> places each,
    /// place 0 how many pools it sells from, places 1 to that count the pools, best margin per MW first
    /// (<see cref="SpotPlace"/>). One word holds a site of up to three pools: a scorer reads the whole order with one load
    /// and takes each pool from it with a shift, where a list of doubles took a load and a conversion per pool.
    /// </summary>
    public static int SpotOrderAt(in ScoreParams p, int s, int t) => Order(p) + (s * p.Periods + t) * p.SpotWords;

    /// <summary>
    /// Places in one word of a spot order: <see cref="PlaceBits"/> bits each in the low 48 bits of the double's pattern
    /// (8 bits held far fewer pools than the contract allows; 12 hold 4,095, the count of a site's pools included).
    /// </summary>
    public const int PlacesPerWord = 4;

    /// <summary>Bits a place takes: a pool's index, or the count of a site's pools, is at most 4,095.</summary>
    public const int PlaceBits = 12;

    /// <summary>Which word of a spot order holds place <paramref name="place"/> (0 or more): a shift, as the places per word are a power of two.</summary>
    public static int WordOf(int place) => (int)((uint)place / PlacesPerWord);

    /// <summary>The words a site of <paramref name="pools"/> pools needs for its spot order (its count and its pools).</summary>
    public static int SpotWords(int pools) => (pools + 1 + PlacesPerWord - 1) / PlacesPerWord;

    /// <summary>
    /// Place <paramref name="place"/> of a spot order, read from the word that holds it (<see cref="WordOf"/>).
    /// A word is kept as the bits of a double whose high 16 bits are zero (its exponent zero: a subnormal or zero, never a
    /// NaN, so copies and comparisons keep it exactly).
    /// </summary>
    public static int SpotPlace(double word, int place) =>
        (int)((ILGPU.Interop.FloatAsInt(word) >> (PlaceBits * (place & (PlacesPerWord - 1)))) & ((1UL << PlaceBits) - 1));

    /// <summary><paramref name="word"/> with place <paramref name="place"/> set to <paramref name="value"/> (0 to 4,095).</summary>
    private static double WithSpotPlace(double word, int place, int value)
    {
        var shift = PlaceBits * (place & (PlacesPerWord - 1));
        return ILGPU.Interop.IntAsFloat((ILGPU.Interop.FloatAsInt(word) & ~(((1UL << PlaceBits) - 1) << shift)) | ((ulong)value << shift));
    }

    private static int SpotPlace<TDouble>(Strided<TDouble, double> table, int at, int place)
        where TDouble : struct, IColumn<double> =>
        SpotPlace(table.Get(at + WordOf(place)), place);

    private static void SetSpotPlace<TDouble>(Strided<TDouble, double> table, int at, int place, int value)
        where TDouble : struct, IColumn<double> =>
        table.Set(at + WordOf(place), WithSpotPlace(table.Get(at + WordOf(place)), place, value));

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

    /// <summary>
    /// Period t's spot order: per site, the pools with a positive margin, best per MW first (stable: ties keep pool
    /// order), in the site's words (<see cref="SpotOrderAt"/>).
    /// </summary>
    private static void SpotOrder<TInt, TDouble>(in FleetData<TInt, TDouble> fleet, Strided<TDouble, double> table, int t, double price, in ScoreParams p)
        where TInt : struct, IColumn<int>
        where TDouble : struct, IColumn<double>
    {
        for (var s = 0; s < p.Sites; s++)
        {
            var at = SpotOrderAt(p, s, t);
            for (var w = 0; w < p.SpotWords; w++)
            {
                table.Set(at + w, 0.0);
            }

            var written = 0;
            var end = fleet.SiteFirstPool[s + 1];
            for (var pool = fleet.SiteFirstPool[s]; pool < end; pool++)
            {
                if (!Sells(fleet.PowerCostPerGpuPeriod(pool), price, p))
                {
                    continue;
                }

                // Insertion by value: the pool k-th in the order is at place k + 1.
                var value = ValuePerMw(fleet, pool, price, p);
                var k = written++;
                while (k > 0 && ValuePerMw(fleet, SpotPlace(table, at, k), price, p) < value)
                {
                    SetSpotPlace(table, at, k + 1, SpotPlace(table, at, k));
                    k--;
                }

                SetSpotPlace(table, at, k + 1, pool);
            }

            SetSpotPlace(table, at, 0, written);
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
