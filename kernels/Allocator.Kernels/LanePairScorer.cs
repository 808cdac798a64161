using System.Runtime.InteropServices;
using Allocator.Core.Scenarios;

namespace Allocator.Kernels;

using HostFleet = FleetData<ArrayColumn<int>, ArrayColumn<double>>;
using HostPlans = PlanData<ArrayColumn<int>, ArrayColumn<double>>;

/// <summary>
/// The CPU fast path's recourse, one plan against <see cref="Lanes"/> scenarios at once in SIMD lanes of
/// <typeparamref name="TLanes"/> (<see cref="ILaneVector{TSelf}"/>: 4 doubles with AVX2, 8 with AVX-512). It is
/// <see cref="PairScorer.Score"/> step for step, with each lane's own branches as masks: a job runs in the lanes where it
/// is ready and fits; the operations and their order are the same per lane, so each lane's sums equal the scalar path's
/// exactly at any width (tests pin it pair by pair to the reference). It cannot share PairScorer's source: ILGPU compiles
/// no SIMD types. The one step that differs by lane is the spot order (prices differ by scenario): where the lanes'
/// orders agree it runs in SIMD, otherwise lane by lane. Double precision only; the mixed path stays on the scalar code.
/// </summary>
internal static class LanePairScorer<TLanes>
    where TLanes : struct, ILaneVector<TLanes>
{
    /// <summary>Scenarios scored together: the lanes of <typeparamref name="TLanes"/>.</summary>
    public static int Lanes => TLanes.Count;

    /// <summary>
    /// Scores plan <paramref name="plan"/> in scenarios <paramref name="first"/> .. + <see cref="Lanes"/> - 1 of the call
    /// (<paramref name="first"/> a multiple of <see cref="Lanes"/>), reading lane-blocked tables
    /// (<see cref="LaneBlocks.TableOf"/>: one block's values are contiguous and stay in the core's first-level cache while
    /// every plan is scored against them), into <paramref name="outcomes"/> for the lanes below <paramref name="valid"/>.
    /// </summary>
    public static void Score(int plan, int first, int valid, HostFleet fleet, HostPlans plans, double[] tables, LaneState<TLanes> state, OutcomeData<ArrayColumn<double>> outcomes, in ScoreParams p)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(state);
        var table = new LaneTable(tables, first * p.TableStride);
        state.Reset(p);
        if (state.SpotBlock != first)
        {
            SpotOrders(table, state, p);
            state.SpotBlock = first;
        }

        for (var j = 0; j < p.Jobs; j++)
        {
            state.Left[j] = Runs(plan, j, plans, table, p);
        }

        var sums = new Sums();
        for (var t = 0; t < p.Periods; t++)
        {
            for (var s = 0; s < p.Sites; s++)
            {
                state.PowerLeft[s] = TLanes.Create(fleet.PowerCapKw[s * p.Periods + t]);
            }

            Leases(plan, t, fleet, plans, table, state, ref sums, p);
            Jobs(plan, t, fleet, plans, table, state, ref sums, p);
            Spot(t, fleet, table, state, ref sums, p);
        }

        var jobValue = JobValue(fleet, table, state, p);
        if (valid == Lanes)
        {
            // A whole block: the plan's pairs for these scenarios are contiguous in each outcome column.
            var at = plan * p.Scenarios + first; // host arrays: under 2^31 pairs
            sums.LeaseRevenue.CopyTo(outcomes.LeaseRevenue.Span(at, Lanes));
            sums.Penalty.CopyTo(outcomes.Penalty.Span(at, Lanes));
            jobValue.CopyTo(outcomes.JobValue.Span(at, Lanes));
            sums.SpotRevenue.CopyTo(outcomes.SpotRevenue.Span(at, Lanes));
            sums.PowerCost.CopyTo(outcomes.PowerCost.Span(at, Lanes));
            sums.ShortGpuHours.CopyTo(outcomes.ShortGpuHours.Span(at, Lanes));
            return;
        }

        for (var lane = 0; lane < valid; lane++)
        {
            var pair = (long)plan * p.Scenarios + first + lane;
            BulkScorer.Write(outcomes, pair, new ScenarioOutcome(
                sums.LeaseRevenue[lane], sums.Penalty[lane], jobValue[lane], sums.SpotRevenue[lane], sums.PowerCost[lane], sums.ShortGpuHours[lane]));
        }
    }

    /// <summary>Leases take what is there first (pools in order, within their site's power).</summary>
    private static void Leases(int plan, int t, HostFleet fleet, HostPlans plans, LaneTable table, LaneState<TLanes> state, ref Sums sums, in ScoreParams p)
    {
        var T = p.Periods;
        var zero = TLanes.Create(0.0);
        // Where the offers' draws lie, found once: a call left in the offer loop (the JIT stops inlining this long method
        // there) makes it keep the lease sums in memory across the loop.
        var made = ScenarioSampler.Made(p);
        // The sums in locals, written back after the loop: added through the ref, they stayed in memory at every step.
        var revenue = sums.LeaseRevenue;
        var penalty = sums.Penalty;
        var shortHours = sums.ShortGpuHours;
        var power = sums.PowerCost;
        for (var pool = 0; pool < p.Pools; pool++)
        {
            var s = fleet.PoolSite[pool];
            var kw = fleet.KwPerGpu(pool);
            var gpus = table[ScenarioSampler.Available(p) + pool * T + t];
            var cell = 3 * ((plan * p.Pools + pool) * T + t);
            var leased = TLanes.Create(plans.Leases[cell, 0]);
            var pricePerHour = TLanes.Create(plans.Leases[cell, 1]);
            var penaltyPerHour = TLanes.Create(plans.Leases[cell, 2]);

            // Offers whose arrival is uncertain count in the lanes whose scenario makes them.
            for (var u = 0; u < p.Offers; u++)
            {
                var start = plans.OfferStart[plan * p.Offers + u];
                if (plans.OfferPool[plan * p.Offers + u] == pool && t >= start && t < start + fleet.OfferPeriods[u])
                {
                    var isMade = ~TLanes.Equal(table[made + u], zero);
                    leased = TLanes.Blend(isMade, leased + TLanes.Create(fleet.OfferGpus[u]), leased);
                    pricePerHour = TLanes.Blend(isMade, pricePerHour + TLanes.Create(fleet.OfferPrice[u]), pricePerHour);
                    penaltyPerHour = TLanes.Blend(isMade, penaltyPerHour + TLanes.Create(fleet.OfferPenalty[u]), penaltyPerHour);
                }
            }

            var delivered = TLanes.Min(leased, TLanes.Max(zero, gpus));
            delivered = TLanes.Min(delivered, GpusWithinPower(state.PowerLeft[s], kw));
            var share = TLanes.Blend(TLanes.GreaterThan(leased, zero), delivered / leased, TLanes.Create(1.0));
            revenue += p.PeriodHours * pricePerHour * share;
            penalty += p.PeriodHours * penaltyPerHour * (TLanes.Create(1.0) - share);
            shortHours += p.PeriodHours * (leased - delivered);
            power += delivered * fleet.PowerCostPerGpuPeriod(pool);
            state.Free[pool] = TLanes.Max(zero, gpus - delivered);
            state.PowerLeft[s] += -(delivered * kw);
        }

        sums.LeaseRevenue = revenue;
        sums.Penalty = penalty;
        sums.ShortGpuHours = shortHours;
        sums.PowerCost = power;
    }

    /// <summary>Then jobs, in the order the plan starts them: all their GPUs, or they pause (per lane).</summary>
    private static void Jobs(int plan, int t, HostFleet fleet, HostPlans plans, LaneTable table, LaneState<TLanes> state, ref Sums sums, in ScoreParams p)
    {
        var jobBase = plan * p.Jobs;
        var time = TLanes.Create(t);
        var zero = TLanes.Create(0.0);
        var (first, end) = PairScorer.Window(plan, t, plans, p);
        var power = sums.PowerCost;
        for (var r = first; r < end; r++)
        {
            var j = plans.WindowJobs[r];
            var draws = JobRecord.Draws * (jobBase + j);
            var running = TLanes.LessThan(state.Finished[j], zero);
            var waits = plans.JobDraws[draws, JobRecord.Waits];
            for (var k = JobRecord.Low(waits); k < JobRecord.High(waits) && TLanes.Any(running); k++)
            {
                var done = state.Finished[fleet.JobAfter[k]];
                running &= TLanes.GreaterThanOrEqual(done, zero) & TLanes.LessThan(done, time);
            }

            // Finished or waiting in every lane, or short of GPUs in every lane where it could run: no power test (it divides).
            if (!TLanes.Any(running))
            {
                continue;
            }

            var where = plans.JobDraws[draws, JobRecord.Where];
            var pool = JobRecord.Low(where);
            var s = JobRecord.High(where);
            var kw = plans.JobDraws[draws, JobRecord.KwPerGpu];
            var gpus = TLanes.Create(plans.JobDraws[draws, JobRecord.Gpus]);
            running &= TLanes.GreaterThanOrEqual(state.Free[pool], gpus);
            if (!TLanes.Any(running))
            {
                continue;
            }

            running &= TLanes.GreaterThanOrEqual(GpusWithinPower(state.PowerLeft[s], kw), gpus);
            if (!TLanes.Any(running))
            {
                continue;
            }

            state.Free[pool] = TLanes.Blend(running, state.Free[pool] + -gpus, state.Free[pool]);
            power = TLanes.Blend(running, power + (gpus * plans.JobDraws[draws, JobRecord.PowerCostPerGpuPeriod]), power);
            state.PowerLeft[s] = TLanes.Blend(running, state.PowerLeft[s] + -TLanes.Create(plans.JobDraws[draws, JobRecord.Kw]), state.PowerLeft[s]);
            state.Left[j] = TLanes.Blend(running, state.Left[j] - TLanes.Create(1.0), state.Left[j]);
            // Its last period run (done, or known to have failed at its milestone): it stops and counts as finished for
            // the jobs after it.
            var finishes = running & TLanes.Equal(state.Left[j], zero);
            state.Finished[j] = TLanes.Blend(finishes, time, state.Finished[j]);
        }

        sums.PowerCost = power;
    }

    /// <summary>
    /// Per lane, job j's <see cref="PairScorer.PeriodsToRun"/> in the lane's scenario: the periods it needs (whole numbers
    /// in the table), or its milestone where it fails and the milestone comes first.
    /// </summary>
    private static TLanes Runs(int plan, int j, HostPlans plans, LaneTable table, in ScoreParams p)
    {
        var needs = table[ScenarioSampler.Needs(p) + j];
        var known = plans.JobMilestones[JobRecord.Integers * (plan * p.Jobs + j), JobRecord.FailureKnownAfter];
        if (p.JobSuccess == 0 || known <= 0)
        {
            return needs;
        }

        var milestone = TLanes.Create(known);
        var failsFirst = TLanes.Equal(table[ScenarioSampler.Success(p) + j], TLanes.Create(0.0)) & TLanes.LessThan(milestone, needs);
        return TLanes.Blend(failsFirst, milestone, needs);
    }

    /// <summary>
    /// Spot sells what is left: the fractional knapsack in each scenario's order for this period; in the lanes where all
    /// of a site's sales plainly fit, in one pass in pool order (<see cref="SellAllWithinPower"/>), as the scalar path.
    /// </summary>
    private static void Spot(int t, HostFleet fleet, LaneTable table, LaneState<TLanes> state, ref Sums sums, in ScoreParams p)
    {
        var price = table[ScenarioSampler.Price(p) + t];
        for (var s = 0; s < p.Sites; s++)
        {
            var plain = SellAllWithinPower(s, price, fleet, state, ref sums, p);
            if (!TLanes.Any(~plain))
            {
                continue;
            }

            var (first, count) = state.SharedSpotOrder[s * p.Periods + t];
            if (count < 0)
            {
                SpotLaneByLane(s, t, plain, fleet, table, state, ref sums, p);
                continue;
            }

            var revenue = sums.SpotRevenue;
            var power = sums.PowerCost;
            var powerLeft = state.PowerLeft[s];
            for (var k = first; k < first + count; k++)
            {
                var pool = state.SpotPool[t * p.Pools + k];
                var kw = fleet.KwPerGpu(pool);
                var sell = TLanes.Min(p.SellThrough * state.Free[pool], GpusWithinPower(powerLeft, kw));
                revenue += sell * p.PeriodHours * price;
                power += sell * fleet.PowerCostPerGpuPeriod(pool);
                powerLeft += -(sell * kw);
            }

            sums.SpotRevenue = TLanes.Blend(plain, sums.SpotRevenue, revenue);
            sums.PowerCost = TLanes.Blend(plain, sums.PowerCost, power);
        }
    }

    /// <summary>
    /// Site s's spot sales in the lanes where all of them plainly fit its power (<see cref="PairScorer"/>'s
    /// SellsAllWithinPower, the same operations in the same order): added to the sums there; returns those lanes.
    /// </summary>
    private static TLanes SellAllWithinPower(int s, TLanes price, HostFleet fleet, LaneState<TLanes> state, ref Sums sums, in ScoreParams p)
    {
        var zero = TLanes.Create(0.0);
        var (load, revenue, cost) = (zero, zero, zero);
        var revenuePerGpu = p.PeriodHours * price;
        for (var pool = fleet.SiteFirstPool[s]; pool < fleet.SiteFirstPool[s + 1]; pool++)
        {
            var costPerGpu = fleet.PowerCostPerGpuPeriod(pool);
            // ScenarioSampler.Sells, per lane.
            var sells = p.SellThrough > 0 ? TLanes.GreaterThan(revenuePerGpu - TLanes.Create(costPerGpu), zero) : zero;
            var offered = TLanes.Blend(sells, p.SellThrough * state.Free[pool], zero);
            load += offered * fleet.KwPerGpu(pool);
            revenue += offered * p.PeriodHours * price;
            cost += offered * costPerGpu;
        }

        var plain = TLanes.LessThan(load, state.PowerLeft[s] * PairScorer.SurelyBelow);
        sums.SpotRevenue = TLanes.Blend(plain, sums.SpotRevenue + revenue, sums.SpotRevenue);
        sums.PowerCost = TLanes.Blend(plain, sums.PowerCost + cost, sums.PowerCost);
        return plain;
    }

    /// <summary>
    /// The block's spot orders, read once for all the plans scored against it (they depend on the scenarios alone): per
    /// site and period where every lane sells the same pools in the same order, that order (first, count) as integers,
    /// else a count of -1 (sold lane by lane).
    /// </summary>
    private static void SpotOrders(LaneTable table, LaneState<TLanes> state, in ScoreParams p)
    {
        for (var t = 0; t < p.Periods; t++)
        {
            var first = 0;
            for (var s = 0; s < p.Sites; s++)
            {
                var at = ScenarioSampler.SpotOrderAt(p, s, t);
                if (!SameOrder(table, at, p))
                {
                    state.SharedSpotOrder[s * p.Periods + t] = (0, -1);
                    continue;
                }

                var count = SpotPlace(table, at, 0, 0);
                for (var k = 0; k < count; k++)
                {
                    state.SpotPool[t * p.Pools + first + k] = SpotPlace(table, at, k + 1, 0);
                }

                state.SharedSpotOrder[s * p.Periods + t] = (first, count);
                first += count;
            }
        }
    }

    /// <summary>Whether every lane sells the site's pools in the same order this period: the same words of its order.</summary>
    private static bool SameOrder(LaneTable table, int at, in ScoreParams p)
    {
        for (var w = 0; w < p.SpotWords; w++)
        {
            if (!TLanes.Uniform(table[at + w]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Place <paramref name="place"/> of the spot order at <paramref name="at"/> in lane <paramref name="lane"/> (<see cref="ScenarioSampler.SpotPlace(double, int)"/>).</summary>
    private static int SpotPlace(LaneTable table, int at, int place, int lane) =>
        ScenarioSampler.SpotPlace(table.Lane(at + ScenarioSampler.WordOf(place), lane), place);

    /// <summary>The spot step of one site in one period, lane by lane: where the scenarios' prices order its pools differently.</summary>
    private static void SpotLaneByLane(int s, int t, TLanes done, HostFleet fleet, LaneTable table, LaneState<TLanes> state, ref Sums sums, in ScoreParams p)
    {
        var free = LaneState<TLanes>.Lane(state.Free);
        var powerLeft = LaneState<TLanes>.Lane(state.PowerLeft);
        Span<double> spot = stackalloc double[Lanes];
        Span<double> power = stackalloc double[Lanes];
        sums.SpotRevenue.CopyTo(spot);
        sums.PowerCost.CopyTo(power);
        var W = Lanes;
        for (var lane = 0; lane < W; lane++)
        {
            if (done[lane] != 0)
            {
                continue;
            }

            var price = table.Lane(ScenarioSampler.Price(p) + t, lane);
            var at = ScenarioSampler.SpotOrderAt(p, s, t);
            var count = SpotPlace(table, at, 0, lane);
            for (var place = 1; place <= count; place++)
            {
                var pool = SpotPlace(table, at, place, lane);
                var kw = fleet.KwPerGpu(pool);
                var sell = PairScorer.Smaller(p.SellThrough * free[pool * W + lane], PairScorer.GpusWithinPower(powerLeft[s * W + lane], kw));
                spot[lane] += sell * p.PeriodHours * price;
                power[lane] += sell * fleet.PowerCostPerGpuPeriod(pool);
                powerLeft[s * W + lane] += -(sell * kw);
            }
        }

        sums.SpotRevenue = TLanes.Load(spot);
        sums.PowerCost = TLanes.Load(power);
    }

    /// <summary>Each lane's job value: finished jobs, less decay for lateness, times success (or its probability).</summary>
    private static TLanes JobValue(HostFleet fleet, LaneTable table, LaneState<TLanes> state, in ScoreParams p)
    {
        var zero = TLanes.Create(0.0);
        var jobValue = zero;
        for (var j = 0; j < p.Jobs; j++)
        {
            var finished = state.Finished[j];
            var done = TLanes.GreaterThanOrEqual(finished, zero);
            if (!TLanes.Any(done))
            {
                continue;
            }

            var delay = finished - TLanes.Create(fleet.JobEarliestStart[j] + fleet.JobPeriods[j] - 1);
            var value = TLanes.Max(zero, TLanes.Create(fleet.JobValue[j]) - fleet.JobDecay[j] * delay);
            var worth = p.JobSuccess != 0 ? table[ScenarioSampler.Success(p) + j] * value : fleet.JobProbability[j] * value;
            jobValue = TLanes.Blend(done, jobValue + worth, jobValue);
        }

        return jobValue;
    }

    private static TLanes GpusWithinPower(TLanes powerLeftKw, double kwPerGpu) =>
        kwPerGpu <= 0
            ? TLanes.Create(double.PositiveInfinity)
            : TLanes.Blend(
                TLanes.GreaterThanOrEqual(powerLeftKw, TLanes.Create(double.MaxValue)),
                TLanes.Create(double.PositiveInfinity),
                TLanes.Max(TLanes.Create(0.0), powerLeftKw) / kwPerGpu);

    /// <summary>Each lane's running sums.</summary>
    private struct Sums
    {
        public TLanes LeaseRevenue;
        public TLanes Penalty;
        public TLanes SpotRevenue;
        public TLanes PowerCost;
        public TLanes ShortGpuHours;
    }

    /// <summary>Value v of one block's scenarios, read as one vector from the lane-blocked tables.</summary>
    private readonly struct LaneTable(double[] tables, int block)
    {
        private readonly double[] _tables = tables;
        private readonly int _block = block;

        public TLanes this[int v] => TLanes.Load(_tables, _block + v * Lanes);

        public double Lane(int v, int lane) => _tables[_block + v * Lanes + lane];
    }
}

/// <summary>Where the CPU fast path's lanes find their scenarios: tables blocked by lanes.</summary>
public static class LaneBlocks
{
    /// <summary>
    /// Where scenario k's value v sits in lane-blocked tables of <paramref name="lanes"/> lanes: each block of lanes'
    /// tables together, lanes interleaved.
    /// </summary>
    public static Strided<TDouble, double> TableOf<TDouble>(TDouble tables, int k, int tableStride, int lanes)
        where TDouble : struct, IColumn<double> =>
        new(tables, k / lanes * tableStride * lanes + k % lanes, lanes);

    /// <summary><paramref name="scenarios"/> rounded up to whole blocks of <paramref name="lanes"/>.</summary>
    public static int Padded(int scenarios, int lanes) => (scenarios + lanes - 1) / lanes * lanes;

    /// <summary>
    /// The plans the CPU fast path scores against each block of scenarios in turn before the next tile of plans: as many
    /// as fit <see cref="TileBytes"/> of plan columns. Block after block, a tile's columns stay in the core's
    /// second-level cache; plan after plan against one block, as before, read every plan's columns from memory again
    /// for each block (benchmarks/RESULTS.md, "Tiles of plans").
    /// </summary>
    public static int PlansPerTile(in ScoreParams p) => Math.Clamp(TileBytes / PlanBytes(p), 1, Math.Max(1, p.Plans));

    /// <summary>
    /// Unit <paramref name="unit"/> of a call's <paramref name="plans"/> x <paramref name="blocks"/> (block, plan) pairs
    /// in tile order: the first <paramref name="tile"/> plans against block 0, 1, ..., then the next tile's; the last tile
    /// may be narrower. Every pair comes once.
    /// </summary>
    public static (int Block, int Plan) Unit(long unit, int tile, int blocks, int plans)
    {
        var tileUnits = (long)tile * blocks;
        var first = (int)(unit / tileUnits) * tile;
        var width = Math.Min(tile, plans - first);
        var inTile = unit % tileUnits;
        return ((int)(inTile / width), first + (int)(inTile % width));
    }

    // A half to a quarter of a current server core's second-level cache (1-2 MiB), so that a block of scenarios' tables
    // fits beside it; 64 to 256 plans of colossus per tile scored at the same speed (RESULTS.md).
    private const int TileBytes = 512 * 1024;

    // The fixed columns a pair reads of its plan: a cell's three lease values, each job's record, the window offsets and
    // the uncertain offers (the windows' job lists, whose length varies by plan, are left out).
    private static int PlanBytes(in ScoreParams p) =>
        sizeof(double) * ((3 * p.Pools * p.Periods) + (JobRecord.Draws * p.Jobs))
        + sizeof(int) * ((JobRecord.Integers * p.Jobs) + p.Periods + 1 + (2 * p.Offers));
}

/// <summary>One worker's per-lane working state for <see cref="LanePairScorer{TLanes}"/>, reused from block to block.</summary>
internal sealed class LaneState<TLanes>
    where TLanes : struct, ILaneVector<TLanes>
{
    /// <summary>Room for an instance of <paramref name="jobs"/> jobs, <paramref name="pools"/> pools, <paramref name="sites"/> sites and <paramref name="periods"/> periods.</summary>
    public LaneState(int jobs, int pools, int sites, int periods)
    {
        Left = new TLanes[jobs];
        Finished = new TLanes[jobs];
        Free = new TLanes[pools];
        PowerLeft = new TLanes[sites];
        SharedSpotOrder = new (int, int)[sites * periods];
        SpotPool = new int[periods * pools];
    }

    /// <summary>Per job and lane, the periods it has left to run.</summary>
    internal TLanes[] Left { get; }

    /// <summary>Per job and lane, the period it finished in, or -1.</summary>
    internal TLanes[] Finished { get; }

    internal TLanes[] Free { get; }

    internal TLanes[] PowerLeft { get; }

    /// <summary>The scenario block <see cref="SharedSpotOrder"/> and <see cref="SpotPool"/> were read for (its first scenario), or -1.</summary>
    internal int SpotBlock { get; set; } = -1;

    /// <summary>Per site and period (<c>s * periods + t</c>), the spot order every lane shares: its first place and count; count -1 where the lanes' orders differ.</summary>
    internal (int First, int Count)[] SharedSpotOrder { get; }

    /// <summary>Per period and place (<c>t * pools + k</c>), the pool sold there in the block's first lane.</summary>
    internal int[] SpotPool { get; }

    internal void Reset(in ScoreParams p)
    {
        Array.Fill(Finished, TLanes.Create(-1), 0, p.Jobs);
    }

    /// <summary>The vectors as doubles: lane l of vector i at i * lanes + l.</summary>
    internal static Span<double> Lane(TLanes[] vectors) => MemoryMarshal.Cast<TLanes, double>(vectors.AsSpan());
}
