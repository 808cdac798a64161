using Allocator.Core.Scenarios;
using ILGPU.Algorithms;

namespace Allocator.Kernels;

/// <summary>
/// The per-(plan, scenario) recourse, written once for every backend: the ILGPU kernel calls it on the device and the
/// CPU fast path from plain threads. It reads the scenario's table (<see cref="ScenarioSampler"/>) and follows
/// <see cref="ReferenceScorer"/> step for step (tests compare them pair by pair), with XMath instead of BCL math and
/// its working state in a scratch slice of <c>ScratchStride</c> doubles (free GPUs per pool, power left per site) and
/// one 32-bit slot per job (<see cref="JobSlots"/>). The arithmetic type decides the precision of each period's money
/// and counts operations when asked (<see cref="CountedArithmetic"/>): each <c>Count</c> is the number of float64
/// operations (add, multiply, divide, min, max, compare, int-to-double) of the step beside it, counted from this source.
/// </summary>
public static class PairScorer
{
    /// <summary>
    /// Doubles of scratch one pair needs: free GPUs per pool, power left per site. Its jobs' state is in 32-bit integers
    /// beside it (<see cref="JobSlots"/>). The smaller a pair's state, the more of the device's threads keep theirs in
    /// cache (benchmarks/RESULTS.md). Power is paid for where it is drawn (lease, job, sale), so no draw is kept per pool.
    /// </summary>
    public static int ScratchStride(int pools, int sites) => pools + sites;

    /// <summary>
    /// Integers of job state one pair needs: one per job, the periods it has left to run in this scenario (> 0,
    /// <see cref="PeriodsToRun"/>) until it finishes in period f, then -(f + 1); one slot, because a finished job never runs again.
    /// </summary>
    public static int JobSlots(int jobs) => jobs;

    /// <summary>Scores plan <paramref name="plan"/> of <paramref name="plans"/> in the scenario whose table is <paramref name="table"/>.</summary>
    public static ScenarioOutcome Score<TInt, TDouble, TArithmetic>(
        int plan, in FleetData<TInt, TDouble> fleet, in PlanData<TInt, TDouble> plans, Strided<TDouble, double> table, Strided<TDouble, double> scratch, Strided<TInt, int> jobs, in ScoreParams p, TArithmetic arithmetic)
        where TInt : struct, IColumn<int>
        where TDouble : struct, IColumn<double>
        where TArithmetic : struct, IScoringArithmetic
    {
        var state = new PairState<TInt, TDouble>(scratch, jobs, p);
        for (var j = 0; j < p.Jobs; j++)
        {
            jobs.Set(j, Runs(plan, j, plans, table, p, arithmetic));
        }

        var sums = default(Sums);
        for (var t = 0; t < p.Periods; t++)
        {
            Leases(plan, t, fleet, plans, table, state, ref sums, p, arithmetic);
            Jobs(plan, t, fleet, plans, table, state, ref sums, p, arithmetic);
            Spot(t, fleet, table, state, ref sums, p, arithmetic);
        }

        var jobValue = JobValue(fleet, table, state, p, arithmetic);
        return new ScenarioOutcome(sums.LeaseRevenue, sums.Penalty, jobValue, sums.SpotRevenue, sums.PowerCost, sums.ShortGpuHours);
    }

    /// <summary>
    /// Leases take what is there first (pools in order, within their site's power), a site at a time: its pools are side
    /// by side (<see cref="FleetData{TInt, TDouble}"/>), so its power stays in a register from the cap until the pair's
    /// state keeps what the leases leave for the jobs and spot.
    /// </summary>
    private static void Leases<TInt, TDouble, TArithmetic>(
        int plan, int t, in FleetData<TInt, TDouble> fleet, in PlanData<TInt, TDouble> plans, Strided<TDouble, double> table, PairState<TInt, TDouble> state, ref Sums sums, in ScoreParams p, TArithmetic arithmetic)
        where TInt : struct, IColumn<int>
        where TDouble : struct, IColumn<double>
        where TArithmetic : struct, IScoringArithmetic
    {
        var scratch = state.Scratch;
        var available = ScenarioSampler.Available(p);
        for (var s = 0; s < p.Sites; s++)
        {
            var powerLeft = fleet.PowerCapKw[s * p.Periods + t];
            var end = fleet.SiteFirstPool[s + 1];
            for (var pool = fleet.SiteFirstPool[s]; pool < end; pool++)
            {
                var kw = fleet.KwPerGpu(pool);
                var gpus = table.Get(available + pool * p.Periods + t);
                var cell = 3 * (plan * p.Pools * p.Periods + pool * p.Periods + t); // plan columns are host arrays: under 2^31 elements
                var leased = plans.Leases[cell, 0];
                var pricePerHour = plans.Leases[cell, 1];
                var penaltyPerHour = plans.Leases[cell, 2];

                // Offers whose arrival is uncertain count where the scenario makes them (closed-loop.md).
                for (var u = 0; u < p.Offers; u++)
                {
                    if (plans.OfferPool[plan * p.Offers + u] != pool)
                    {
                        continue;
                    }

                    var start = plans.OfferStart[plan * p.Offers + u];
                    if (t >= start && t < start + fleet.OfferPeriods[u] && table.Get(ScenarioSampler.Made(p) + u) != 0)
                    {
                        leased += fleet.OfferGpus[u];
                        pricePerHour += fleet.OfferPrice[u];
                        penaltyPerHour += fleet.OfferPenalty[u];
                        arithmetic.Count(4);
                    }
                }

                var delivered = WithinPower(Smaller(leased, Larger(0.0, gpus)), powerLeft, kw, arithmetic);
                // All delivered has a share of 1, as x / x is. The test for none leased is redundant (then none is delivered),
                // but kept: as one test, ILGPU turns the choice into a select and the GPU divides on every step (measured,
                // benchmarks/RESULTS.md); nested, the division stays on the rare path where a lease is short.
                var share = leased > 0 ? (delivered == leased ? 1.0 : delivered / leased) : 1.0;
                sums.LeaseRevenue += arithmetic.Money(p.PeriodHours, pricePerHour, share);
                sums.Penalty += arithmetic.Money(p.PeriodHours, penaltyPerHour, 1 - share);
                sums.ShortGpuHours += p.PeriodHours * (leased - delivered);
                sums.PowerCost += arithmetic.Money(delivered, fleet.PowerCostPerGpuPeriod(pool), 1.0);
                scratch.Set(state.Free + pool, Larger(0.0, gpus - delivered));
                powerLeft += -(delivered * kw);
                arithmetic.Count(15);
            }

            scratch.Set(state.PowerLeft + s, powerLeft);
        }
    }

    /// <summary>
    /// Then jobs, in the order the plan starts them: all their GPUs, or they pause. Sites do not share GPUs or power, so
    /// one pass in plan order gives each site the same order as the reference's pass per site. Only the jobs whose window
    /// holds t are visited (<see cref="Window"/>): every thread of a warp scores the same plan, so the list is the same
    /// for the whole warp and its loads are shared.
    /// </summary>
    private static void Jobs<TInt, TDouble, TArithmetic>(
        int plan, int t, in FleetData<TInt, TDouble> fleet, in PlanData<TInt, TDouble> plans, Strided<TDouble, double> table, PairState<TInt, TDouble> state, ref Sums sums, in ScoreParams p, TArithmetic arithmetic)
        where TInt : struct, IColumn<int>
        where TDouble : struct, IColumn<double>
        where TArithmetic : struct, IScoringArithmetic
    {
        var scratch = state.Scratch;
        var jobBase = plan * p.Jobs;
        var finishedNow = -(t + 1); // what a job that finishes in t stores
        var (first, end) = Window(plan, t, plans, p);
        // Each job read a step ahead, so that the wait for it overlaps a step's work (a GPU waits on a read that an
        // address depends on, and the compiler cannot move it above the step's writes to the pair's state); the column
        // holds one element past the last list (PlanData), so the last step's read needs no bound. Its slot is read a
        // step ahead too: a period's list holds each job once, so no visit writes the next job's slot (the compiler cannot
        // know that, and would wait for each visit's writes); past the list's end the read is a job's slot, unused.
        var upcoming = plans.WindowJobs[first];
        var upcomingLeft = state.Jobs.Get(upcoming);
        for (var k = first; k < end; k++)
        {
            var j = upcoming;
            var left = upcomingLeft;
            upcoming = plans.WindowJobs[k + 1];
            upcomingLeft = state.Jobs.Get(upcoming);
            // The power it draws is added once per visit, 0 where it does not run (x + 0 is x): a sum that only some
            // visits change is copied by the GPU at each of the visit's exits.
            var cost = 0.0;
            if (left > 0)
            {
                // Each job it waits for finished in an earlier period: it stored -(f + 1) with f < t. Everything the step
                // reads of the job is in its one record of doubles (integers as bits: JobRecord.Where, Waits).
                var draws = JobRecord.Draws * (jobBase + j);
                var waits = plans.JobDraws[draws, JobRecord.Waits];
                var ready = true;
                for (var a = JobRecord.Low(waits); a < JobRecord.High(waits); a++)
                {
                    var done = state.Jobs.Get(fleet.JobAfter[a]);
                    ready &= done < 0 && done > finishedNow;
                }

                var where = plans.JobDraws[draws, JobRecord.Where];
                var pool = JobRecord.Low(where);
                var s = JobRecord.High(where);
                var gpus = plans.JobDraws[draws, JobRecord.Gpus];
                var free = scratch.Get(state.Free + pool);
                var powerLeft = scratch.Get(state.PowerLeft + s);
                arithmetic.Count(ready ? 2 : 0);
                if (ready && free >= gpus && WithinPower(gpus, powerLeft, plans.JobDraws[draws, JobRecord.KwPerGpu], arithmetic) >= gpus)
                {
                    scratch.Set(state.Free + pool, free + -gpus);
                    cost = arithmetic.Money(gpus, plans.JobDraws[draws, JobRecord.PowerCostPerGpuPeriod], 1.0);
                    scratch.Set(state.PowerLeft + s, powerLeft + -plans.JobDraws[draws, JobRecord.Kw]);
                    // Its last period run (done, or known to have failed at its milestone): it stops and counts as
                    // finished for the jobs after it.
                    state.Jobs.Set(j, left == 1 ? finishedNow : left - 1);
                    arithmetic.Count(3);
                }
            }

            sums.PowerCost += cost;
        }
    }

    /// <summary>Job j's <see cref="PeriodsToRun"/> in this pair's scenario.</summary>
    private static int Runs<TInt, TDouble, TArithmetic>(int plan, int j, in PlanData<TInt, TDouble> plans, Strided<TDouble, double> table, in ScoreParams p, TArithmetic arithmetic)
        where TInt : struct, IColumn<int>
        where TDouble : struct, IColumn<double>
        where TArithmetic : struct, IScoringArithmetic
    {
        var needs = (int)table.Get(ScenarioSampler.Needs(p) + j);
        var known = plans.JobMilestones[JobRecord.Integers * (plan * p.Jobs + j), JobRecord.FailureKnownAfter];
        var fails = p.JobSuccess != 0 && table.Get(ScenarioSampler.Success(p) + j) == 0;
        arithmetic.Count(2);
        return PeriodsToRun(needs, known, fails);
    }

    /// <summary>
    /// The periods a job runs in a scenario before it stops, at least 1 (a job has at least one period): the periods it
    /// <paramref name="needs"/>, overrun included; or, where it <paramref name="fails"/> and its failure is known at a
    /// milestone before that (<paramref name="failureKnownAfter"/> periods, 0: none), the milestone. The reference tests
    /// both after each period run; the scorers set this once per pair (the lanes once per lane).
    /// </summary>
    public static int PeriodsToRun(int needs, int failureKnownAfter, bool fails) =>
        fails && failureKnownAfter > 0 && failureKnownAfter < needs ? failureKnownAfter : needs;

    /// <summary>
    /// Where the plan's list of the jobs that may run in period <paramref name="t"/> lies in <c>WindowJobs</c>: from
    /// First up to End (see <see cref="PlanData{TInt, TDouble}"/>).
    /// </summary>
    public static (int First, int End) Window<TInt, TDouble>(int plan, int t, in PlanData<TInt, TDouble> plans, in ScoreParams p)
        where TInt : struct, IColumn<int>
        where TDouble : struct, IColumn<double>
    {
        var at = plan * (p.Periods + 1) + t;
        return (plans.WindowFirst[at], plans.WindowFirst[at + 1]);
    }

    /// <summary>
    /// Spot sells what is left: the fractional knapsack in the scenario's order for this period. The order only decides
    /// who sells where the power runs short; where all of a site's sales plainly fit, they are made in one pass in pool
    /// order (<see cref="SellsAllWithinPower"/>). Spot is the period's last step: the power it leaves is never read.
    /// </summary>
    private static void Spot<TInt, TDouble, TArithmetic>(
        int t, in FleetData<TInt, TDouble> fleet, Strided<TDouble, double> table, PairState<TInt, TDouble> state, ref Sums sums, in ScoreParams p, TArithmetic arithmetic)
        where TInt : struct, IColumn<int>
        where TDouble : struct, IColumn<double>
        where TArithmetic : struct, IScoringArithmetic
    {
        var scratch = state.Scratch;
        var price = table.Get(ScenarioSampler.Price(p) + t);
        for (var s = 0; s < p.Sites; s++)
        {
            var powerLeft = scratch.Get(state.PowerLeft + s);
            if (SellsAllWithinPower(s, price, powerLeft, fleet, state, ref sums, p, arithmetic))
            {
                continue;
            }

            // The site's order in one load (a word holds its count and first pools; the rest, if any, in the next words).
            var at = ScenarioSampler.SpotOrderAt(p, s, t);
            var word = table.Get(at);
            var count = ScenarioSampler.SpotPlace(word, 0);
            for (var place = 1; place <= count; place++)
            {
                if (p.SpotWords > 1 && (place & (ScenarioSampler.PlacesPerWord - 1)) == 0)
                {
                    word = table.Get(at + ScenarioSampler.WordOf(place));
                }

                var pool = ScenarioSampler.SpotPlace(word, place);
                var kw = fleet.KwPerGpu(pool);
                var sell = WithinPower(p.SellThrough * scratch.Get(state.Free + pool), powerLeft, kw, arithmetic);
                sums.SpotRevenue += arithmetic.Money(sell, p.PeriodHours, price);
                sums.PowerCost += arithmetic.Money(sell, fleet.PowerCostPerGpuPeriod(pool), 1.0);
                powerLeft += -(sell * kw);
                arithmetic.Count(5);
            }
        }
    }

    /// <summary>
    /// Site s's spot sales when all of them plainly fit its power: each pool that sells at this price
    /// (<see cref="ScenarioSampler.Sells"/>) sells its share of its free GPUs, as the ordered pass would make them, and
    /// they are added to the sums. False, with nothing added, where their load comes within 2^-20 of the power left (or
    /// none is left): there the scenario's order decides who sells. Below that margin each ordered sale sells all it
    /// offers, in any order: its offer times its kW is below its power left (the site's less the sales before it, each
    /// rounded by at most 2^-53 of the power), so <see cref="WithinPower"/> gives the offer; only the sums' order differs.
    /// </summary>
    private static bool SellsAllWithinPower<TInt, TDouble, TArithmetic>(
        int s, double price, double powerLeft, in FleetData<TInt, TDouble> fleet, PairState<TInt, TDouble> state, ref Sums sums, in ScoreParams p, TArithmetic arithmetic)
        where TInt : struct, IColumn<int>
        where TDouble : struct, IColumn<double>
        where TArithmetic : struct, IScoringArithmetic
    {
        double load = 0, revenue = 0, cost = 0;
        var end = fleet.SiteFirstPool[s + 1];
        for (var pool = fleet.SiteFirstPool[s]; pool < end; pool++)
        {
            var costPerGpu = fleet.PowerCostPerGpuPeriod(pool);
            var offered = ScenarioSampler.Sells(costPerGpu, price, p) ? p.SellThrough * state.Scratch.Get(state.Free + pool) : 0.0;
            load += offered * fleet.KwPerGpu(pool);
            revenue += arithmetic.Money(offered, p.PeriodHours, price);
            cost += arithmetic.Money(offered, costPerGpu, 1.0);
            arithmetic.Count(7);
        }

        arithmetic.Count(2);
        if (!(load < powerLeft * SurelyBelow))
        {
            return false;
        }

        sums.SpotRevenue += revenue;
        sums.PowerCost += cost;
        arithmetic.Count(2);
        return true;
    }

    /// <summary>What the finished jobs are worth: late ones decay, and each pays with its chance (or its drawn outcome).</summary>
    private static double JobValue<TInt, TDouble, TArithmetic>(in FleetData<TInt, TDouble> fleet, Strided<TDouble, double> table, PairState<TInt, TDouble> state, in ScoreParams p, TArithmetic arithmetic)
        where TInt : struct, IColumn<int>
        where TDouble : struct, IColumn<double>
        where TArithmetic : struct, IScoringArithmetic
    {
        double jobValue = 0;
        for (var j = 0; j < p.Jobs; j++)
        {
            var stored = state.Jobs.Get(j);
            if (stored >= 0)
            {
                continue;
            }

            var delay = -stored - 1 - (fleet.JobEarliestStart[j] + fleet.JobPeriods[j] - 1);
            var value = Larger(0.0, fleet.JobValue[j] - fleet.JobDecay[j] * delay);
            jobValue += p.JobSuccess != 0 ? table.Get(ScenarioSampler.Success(p) + j) * value : fleet.JobProbability[j] * value;
            arithmetic.Count(6);
        }

        return jobValue;
    }

    /// <summary>
    /// min(<paramref name="gpus"/>, <see cref="GpusWithinPower"/>): exactly what the division gives, without it where the
    /// power plainly does not bind. When gpus x kW is below the power left (in kW) by more than both sides' rounding
    /// (a 2^-21 margin, far above 2^-53 per operation), gpus is below the rounded quotient too, so the minimum is gpus;
    /// only the near and binding cases divide (a float64 division is a long instruction sequence on a GPU). A test
    /// checks it bit for bit against the division, ties to the last unit included.
    /// </summary>
    public static double WithinPower<TArithmetic>(double gpus, double powerLeftKw, double kwPerGpu, TArithmetic arithmetic)
        where TArithmetic : struct, IScoringArithmetic
    {
        // Normal numbers only (the error bounds are relative): zero, subnormal and negative values take the division. With
        // no power left (zero or below) the last test fails as it stands, so it needs no max(0, ...). One test of the
        // three together (& rather than &&): one branch on a GPU rather than three.
        var load = gpus * kwPerGpu;
        arithmetic.Count(5);
        if ((gpus >= SmallestPlain) & (load >= SmallestPlain) & (load < powerLeftKw * PlainlyBelow))
        {
            return gpus;
        }

        arithmetic.Count(5);
        return Smaller(gpus, GpusWithinPower(powerLeftKw, kwPerGpu));
    }

    // 1 - 2^-21, exact in float64, and its low 32 bits are zero: a GPU multiplies by it as an immediate, where a constant
    // with low bits set is rebuilt in two registers before every test (any margin wider than the rounding is exact; a
    // wider one only sends the near cases to the division).
    private const double PlainlyBelow = 1 - (1.0 / (1L << 21));

    // 1 - 2^-20: a site's whole spot load below this share of its power leaves room for every sale in any order, far
    // beyond the rounding; its low 32 bits are zero, so a GPU multiplies by it as an immediate.
    internal const double SurelyBelow = 1 - (1.0 / (1L << 20));

    // 2^-1000: far above float64's subnormal range (below 2^-1022).
    private const double SmallestPlain = 9.332636185032189e-302;

    /// <summary>GPUs the site's remaining power can run (infinite without a cap or without a draw).</summary>
    public static double GpusWithinPower(double powerLeftKw, double kwPerGpu) =>
        powerLeftKw >= double.MaxValue || kwPerGpu <= 0 ? double.PositiveInfinity : Larger(0.0, powerLeftKw) / kwPerGpu;

    /// <summary>
    /// The smaller of two numbers that are not NaN (the scorer's never are): Math.Min's value, without the NaN and signed
    /// zero handling that makes XMath.Min several instructions on a GPU (a zero's sign changes no sum the scorer makes).
    /// </summary>
    public static double Smaller(double a, double b) => b < a ? b : a;

    /// <summary>The larger of two numbers that are not NaN: Math.Max's value (see <see cref="Smaller"/>).</summary>
    public static double Larger(double a, double b) => b > a ? b : a;

    /// <summary>A pair's state: its jobs' slots, and where each part of its scratch starts (see <see cref="ScratchStride"/>).</summary>
    private readonly record struct PairState<TInt, TDouble>(Strided<TDouble, double> Scratch, Strided<TInt, int> Jobs, int Free, int PowerLeft)
        where TInt : struct, IColumn<int>
        where TDouble : struct, IColumn<double>
    {
        public PairState(Strided<TDouble, double> scratch, Strided<TInt, int> jobs, in ScoreParams p)
            : this(scratch, jobs, 0, p.Pools)
        {
        }
    }

    /// <summary>The money a pair adds up over the periods.</summary>
    private struct Sums
    {
        public double LeaseRevenue;
        public double Penalty;
        public double SpotRevenue;
        public double PowerCost;
        public double ShortGpuHours;
    }
}
