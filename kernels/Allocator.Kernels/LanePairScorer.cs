using System.Numerics;
using System.Runtime.InteropServices;
using Allocator.Core.Scenarios;

namespace Allocator.Kernels;

using HostFleet = FleetData<ArrayColumn<int>, ArrayColumn<double>>;
using HostPlans = PlanData<ArrayColumn<int>, ArrayColumn<double>>;

/// <summary>
/// The CPU fast path's recourse, one plan against <see cref="Lanes"/> scenarios at once in SIMD lanes
/// (<see cref="Vector{T}"/>: 4 doubles with AVX2, 8 with AVX-512). It is <see cref="PairScorer.Score"/> step for step,
/// with each lane's own branches as masks: a job runs in the lanes where it is ready and fits; the operations and
/// their order are the same per lane, so each lane's sums equal the scalar path's exactly (tests pin it pair by pair
/// to the reference). It cannot share PairScorer's source: ILGPU compiles no SIMD types. The one step that differs by
/// lane is the spot order (prices differ by scenario): where the lanes' orders agree it runs in SIMD, otherwise lane by
/// lane. Double precision only; the mixed path stays on the scalar code.
/// </summary>
public static class LanePairScorer
{
    /// <summary>Scenarios scored together: the width of <see cref="Vector{T}"/> of double on this machine.</summary>
    public static int Lanes => Vector<double>.Count;

    /// <summary>Where scenario k's value v sits in lane-blocked tables: each block of lanes' tables together, lanes interleaved.</summary>
    public static Strided<TDouble, double> TableOf<TDouble>(TDouble tables, int k, int tableStride)
        where TDouble : struct, IColumn<double> =>
        new(tables, k / Lanes * tableStride * Lanes + k % Lanes, Lanes);

    /// <summary>
    /// Scores plan <paramref name="plan"/> in scenarios <paramref name="first"/> .. + <see cref="Lanes"/> - 1 of the call
    /// (<paramref name="first"/> a multiple of <see cref="Lanes"/>), reading lane-blocked tables (<see cref="TableOf"/>:
    /// one block's values are contiguous and stay in the core's first-level cache while every plan is scored against
    /// them), into <paramref name="outcomes"/> for the lanes below <paramref name="valid"/>.
    /// </summary>
    public static void Score(int plan, int first, int valid, HostFleet fleet, HostPlans plans, double[] tables, LaneState state, OutcomeData<ArrayColumn<double>> outcomes, in ScoreParams p)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(state);
        var table = new LaneTable(tables, first * p.TableStride);
        state.Reset(p);
        for (var j = 0; j < p.Jobs; j++)
        {
            state.Left[j] = Runs(plan, j, plans, table, p);
        }

        var sums = new Sums();
        for (var t = 0; t < p.Periods; t++)
        {
            for (var s = 0; s < p.Sites; s++)
            {
                state.PowerLeft[s] = new Vector<double>(fleet.PowerCapKw[s * p.Periods + t]);
            }

            Leases(plan, t, fleet, plans, table, state, ref sums, p);
            Jobs(plan, t, fleet, plans, table, state, ref sums, p);
            Spot(t, fleet, table, state, ref sums, p);
        }

        var jobValue = JobValue(fleet, table, state, p);
        for (var lane = 0; lane < valid; lane++)
        {
            var pair = (long)plan * p.Scenarios + first + lane;
            BulkScorer.Write(outcomes, pair, new ScenarioOutcome(
                sums.LeaseRevenue[lane], sums.Penalty[lane], jobValue[lane], sums.SpotRevenue[lane], sums.PowerCost[lane], sums.ShortGpuHours[lane]));
        }
    }

    /// <summary>Leases take what is there first (pools in order, within their site's power).</summary>
    private static void Leases(int plan, int t, HostFleet fleet, HostPlans plans, LaneTable table, LaneState state, ref Sums sums, in ScoreParams p)
    {
        var T = p.Periods;
        for (var pool = 0; pool < p.Pools; pool++)
        {
            var s = fleet.PoolSite[pool];
            var kw = fleet.KwPerGpu(pool);
            var gpus = table[ScenarioSampler.Available(p) + pool * T + t];
            var cell = 3 * ((plan * p.Pools + pool) * T + t);
            var leased = new Vector<double>(plans.Leases[cell, 0]);
            var pricePerHour = new Vector<double>(plans.Leases[cell, 1]);
            var penaltyPerHour = new Vector<double>(plans.Leases[cell, 2]);

            // Offers whose arrival is uncertain count in the lanes whose scenario makes them.
            for (var u = 0; u < p.Offers; u++)
            {
                var start = plans.OfferStart[plan * p.Offers + u];
                if (plans.OfferPool[plan * p.Offers + u] == pool && t >= start && t < start + fleet.OfferPeriods[u])
                {
                    var made = Vector.OnesComplement(Vector.Equals(table[ScenarioSampler.Made(p) + u], Vector<double>.Zero)).As<long, double>();
                    leased = Vector.ConditionalSelect(made, leased + new Vector<double>(fleet.OfferGpus[u]), leased);
                    pricePerHour = Vector.ConditionalSelect(made, pricePerHour + new Vector<double>(fleet.OfferPrice[u]), pricePerHour);
                    penaltyPerHour = Vector.ConditionalSelect(made, penaltyPerHour + new Vector<double>(fleet.OfferPenalty[u]), penaltyPerHour);
                }
            }

            var delivered = Vector.Min(leased, Vector.Max(Vector<double>.Zero, gpus));
            delivered = Vector.Min(delivered, GpusWithinPower(state.PowerLeft[s], kw));
            var share = Vector.ConditionalSelect(Vector.GreaterThan(leased, Vector<double>.Zero).As<long, double>(), delivered / leased, Vector<double>.One);
            sums.LeaseRevenue += p.PeriodHours * pricePerHour * share;
            sums.Penalty += p.PeriodHours * penaltyPerHour * (Vector<double>.One - share);
            sums.ShortGpuHours += p.PeriodHours * (leased - delivered);
            sums.PowerCost += delivered * fleet.PowerCostPerGpuPeriod(pool) * 1.0;
            state.Free[pool] = Vector.Max(Vector<double>.Zero, gpus - delivered);
            state.PowerLeft[s] += -(delivered * kw);
        }
    }

    /// <summary>Then jobs, in the order the plan starts them: all their GPUs, or they pause (per lane).</summary>
    private static void Jobs(int plan, int t, HostFleet fleet, HostPlans plans, LaneTable table, LaneState state, ref Sums sums, in ScoreParams p)
    {
        var jobBase = plan * p.Jobs;
        var time = new Vector<double>(t);
        var (first, end) = PairScorer.Window(plan, t, plans, p);
        for (var r = first; r < end; r++)
        {
            var j = plans.WindowJobs[r];
            var places = JobRecord.Places * (jobBase + j);
            var draws = JobRecord.Draws * (jobBase + j);
            var running = Vector.LessThan(state.Finished[j], Vector<double>.Zero);
            for (var k = plans.JobPlaces[places, JobRecord.WaitsFrom]; k < plans.JobPlaces[places, JobRecord.WaitsTo] && running != Vector<long>.Zero; k++)
            {
                var done = state.Finished[fleet.JobAfter[k]];
                running &= Vector.GreaterThanOrEqual(done, Vector<double>.Zero) & Vector.LessThan(done, time);
            }

            var pool = plans.JobPlaces[places, JobRecord.Pool];
            var s = plans.JobPlaces[places, JobRecord.Site];
            var kw = plans.JobDraws[draws, JobRecord.KwPerGpu];
            var gpus = new Vector<double>(plans.JobDraws[draws, JobRecord.Gpus]);
            running &= Vector.GreaterThanOrEqual(state.Free[pool], gpus) & Vector.GreaterThanOrEqual(GpusWithinPower(state.PowerLeft[s], kw), gpus);
            if (running == Vector<long>.Zero)
            {
                continue;
            }

            var run = running.As<long, double>();
            state.Free[pool] = Vector.ConditionalSelect(run, state.Free[pool] + -gpus, state.Free[pool]);
            sums.PowerCost = Vector.ConditionalSelect(run, sums.PowerCost + (gpus * plans.JobDraws[draws, JobRecord.PowerCostPerGpuPeriod] * 1.0), sums.PowerCost);
            state.PowerLeft[s] = Vector.ConditionalSelect(run, state.PowerLeft[s] + -new Vector<double>(plans.JobDraws[draws, JobRecord.Kw]), state.PowerLeft[s]);
            state.Left[j] = Vector.ConditionalSelect(run, state.Left[j] - Vector<double>.One, state.Left[j]);
            // Its last period run (done, or known to have failed at its milestone): it stops and counts as finished for
            // the jobs after it.
            var finishes = running & Vector.Equals(state.Left[j], Vector<double>.Zero);
            state.Finished[j] = Vector.ConditionalSelect(finishes.As<long, double>(), time, state.Finished[j]);
        }
    }

    /// <summary>Per lane, job j's <see cref="PairScorer.PeriodsToRun"/> in the lane's scenario.</summary>
    private static Vector<double> Runs(int plan, int j, HostPlans plans, LaneTable table, in ScoreParams p)
    {
        var known = plans.JobPlaces[JobRecord.Places * (plan * p.Jobs + j), JobRecord.FailureKnownAfter];
        Span<double> runs = stackalloc double[Lanes];
        for (var lane = 0; lane < runs.Length; lane++)
        {
            var fails = p.JobSuccess != 0 && table.Lane(ScenarioSampler.Success(p) + j, lane) == 0;
            runs[lane] = PairScorer.PeriodsToRun((int)table.Lane(ScenarioSampler.Needs(p) + j, lane), known, fails);
        }

        return new Vector<double>(runs);
    }

    /// <summary>Spot sells what is left: the fractional knapsack in each scenario's order for this period.</summary>
    private static void Spot(int t, HostFleet fleet, LaneTable table, LaneState state, ref Sums sums, in ScoreParams p)
    {
        var price = table[ScenarioSampler.Price(p) + t];
        for (var s = 0; s < p.Sites; s++)
        {
            var first = table[ScenarioSampler.First(p) + s * p.Periods + t];
            var count = table[ScenarioSampler.Count(p) + s * p.Periods + t];
            if (!SameOrder(table, first, count, t, p))
            {
                SpotLaneByLane(s, t, fleet, table, state, ref sums, p);
                continue;
            }

            for (var k = (int)first[0]; k < (int)first[0] + (int)count[0]; k++)
            {
                var pool = (int)table[ScenarioSampler.Order(p) + t * p.Pools + k][0];
                var kw = fleet.KwPerGpu(pool);
                var sell = Vector.Min(p.SellThrough * state.Free[pool], GpusWithinPower(state.PowerLeft[s], kw));
                sums.SpotRevenue += sell * p.PeriodHours * price;
                sums.PowerCost += sell * fleet.PowerCostPerGpuPeriod(pool) * 1.0;
                state.PowerLeft[s] += -(sell * kw);
            }
        }
    }

    /// <summary>Whether every lane sells the site's pools in the same order this period.</summary>
    private static bool SameOrder(LaneTable table, Vector<double> first, Vector<double> count, int t, in ScoreParams p)
    {
        if (first != new Vector<double>(first[0]) || count != new Vector<double>(count[0]))
        {
            return false;
        }

        for (var k = (int)first[0]; k < (int)first[0] + (int)count[0]; k++)
        {
            var pools = table[ScenarioSampler.Order(p) + t * p.Pools + k];
            if (pools != new Vector<double>(pools[0]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The spot step of one site in one period, lane by lane: where the scenarios' prices order its pools differently.</summary>
    private static void SpotLaneByLane(int s, int t, HostFleet fleet, LaneTable table, LaneState state, ref Sums sums, in ScoreParams p)
    {
        var free = LaneState.Lane(state.Free);
        var powerLeft = LaneState.Lane(state.PowerLeft);
        Span<double> spot = stackalloc double[Lanes];
        Span<double> power = stackalloc double[Lanes];
        sums.SpotRevenue.CopyTo(spot);
        sums.PowerCost.CopyTo(power);
        var W = Lanes;
        for (var lane = 0; lane < W; lane++)
        {
            var price = table.Lane(ScenarioSampler.Price(p) + t, lane);
            var first = (int)table.Lane(ScenarioSampler.First(p) + s * p.Periods + t, lane);
            var count = (int)table.Lane(ScenarioSampler.Count(p) + s * p.Periods + t, lane);
            for (var k = first; k < first + count; k++)
            {
                var pool = (int)table.Lane(ScenarioSampler.Order(p) + t * p.Pools + k, lane);
                var kw = fleet.KwPerGpu(pool);
                var sell = Math.Min(p.SellThrough * free[pool * W + lane], PairScorer.GpusWithinPower(powerLeft[s * W + lane], kw));
                spot[lane] += sell * p.PeriodHours * price;
                power[lane] += sell * fleet.PowerCostPerGpuPeriod(pool) * 1.0;
                powerLeft[s * W + lane] += -(sell * kw);
            }
        }

        sums.SpotRevenue = new Vector<double>(spot);
        sums.PowerCost = new Vector<double>(power);
    }

    /// <summary>Each lane's job value: finished jobs, less decay for lateness, times success (or its probability).</summary>
    private static Vector<double> JobValue(HostFleet fleet, LaneTable table, LaneState state, in ScoreParams p)
    {
        var jobValue = Vector<double>.Zero;
        for (var j = 0; j < p.Jobs; j++)
        {
            var finished = state.Finished[j];
            var done = Vector.GreaterThanOrEqual(finished, Vector<double>.Zero);
            if (done == Vector<long>.Zero)
            {
                continue;
            }

            var delay = finished - new Vector<double>(fleet.JobEarliestStart[j] + fleet.JobPeriods[j] - 1);
            var value = Vector.Max(Vector<double>.Zero, new Vector<double>(fleet.JobValue[j]) - fleet.JobDecay[j] * delay);
            var worth = p.JobSuccess != 0 ? table[ScenarioSampler.Success(p) + j] * value : fleet.JobProbability[j] * value;
            jobValue = Vector.ConditionalSelect(done.As<long, double>(), jobValue + worth, jobValue);
        }

        return jobValue;
    }

    private static Vector<double> GpusWithinPower(Vector<double> powerLeftKw, double kwPerGpu) =>
        kwPerGpu <= 0
            ? new Vector<double>(double.PositiveInfinity)
            : Vector.ConditionalSelect(
                Vector.GreaterThanOrEqual(powerLeftKw, new Vector<double>(double.MaxValue)).As<long, double>(),
                new Vector<double>(double.PositiveInfinity),
                Vector.Max(Vector<double>.Zero, powerLeftKw) / kwPerGpu);


    /// <summary>Each lane's running sums.</summary>
    private struct Sums
    {
        public Vector<double> LeaseRevenue;
        public Vector<double> Penalty;
        public Vector<double> SpotRevenue;
        public Vector<double> PowerCost;
        public Vector<double> ShortGpuHours;
    }

    /// <summary>Value v of one block's scenarios, read as one vector from the lane-blocked tables.</summary>
    private readonly struct LaneTable(double[] tables, int block)
    {
        private readonly double[] _tables = tables;
        private readonly int _block = block;

        public Vector<double> this[int v] => new(_tables, _block + v * Lanes);

        public double Lane(int v, int lane) => _tables[_block + v * Lanes + lane];
    }
}

/// <summary>One worker's per-lane working state for <see cref="LanePairScorer"/>, reused from block to block.</summary>
public sealed class LaneState
{
    /// <summary>Room for an instance of <paramref name="jobs"/> jobs, <paramref name="pools"/> pools and <paramref name="sites"/> sites.</summary>
    public LaneState(int jobs, int pools, int sites)
    {
        Left = new Vector<double>[jobs];
        Finished = new Vector<double>[jobs];
        Free = new Vector<double>[pools];
        PowerLeft = new Vector<double>[sites];
    }

    /// <summary>Per job and lane, the periods it has left to run.</summary>
    internal Vector<double>[] Left { get; }

    internal Vector<double>[] Finished { get; }

    internal Vector<double>[] Free { get; }

    internal Vector<double>[] PowerLeft { get; }

    internal void Reset(in ScoreParams p)
    {
        Array.Fill(Finished, new Vector<double>(-1), 0, p.Jobs);
    }

    /// <summary>The vectors as doubles: lane l of vector i at i * lanes + l.</summary>
    internal static Span<double> Lane(Vector<double>[] vectors) => MemoryMarshal.Cast<Vector<double>, double>(vectors.AsSpan());
}
