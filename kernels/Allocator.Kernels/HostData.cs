using Allocator.Core.Evaluation;

namespace Allocator.Kernels;

/// <summary>
/// The instance and the candidate plans as the flat arrays the scorer reads: used as they are by the CPU fast path
/// (<see cref="ArrayColumn{T}"/>) and copied to a device (<see cref="ViewColumn{T}"/>) into buffers the device workspace
/// keeps: the instance once per instance, the plans every call.
/// </summary>
internal sealed class HostData
{
    private readonly int[][] _ints;
    private readonly double[][] _doubles;

    private HostData(int[][] ints, double[][] doubles)
    {
        // Zero-length buffers are not allowed everywhere; a one-element array stands in and is never read.
        _ints = [.. ints.Select(a => a.Length == 0 ? new int[1] : a)];
        _doubles = [.. doubles.Select(a => a.Length == 0 ? new double[1] : a)];
    }

    /// <summary>
    /// The instance's arrays, in the order of <see cref="FleetData{TInt, TDouble}"/>, with the pools in
    /// <see cref="PoolOrder"/>: each site's pools side by side.
    /// </summary>
    public static HostData Fleet(CompiledInstance instance)
    {
        var offers = ScoreParams.UncertainOffers(instance);
        var order = PoolOrder(instance);
        var place = Places(order);
        return new HostData(
            [
                [.. order.Select(p => instance.PoolSite[p])], [.. order.Select(p => instance.PoolInitialGpus[p])], [.. instance.DeliveryPool.Select(p => place[p])],
                [.. instance.DeliveryPeriod], [.. instance.DeliveryGpus],
                [.. instance.JobPeriods], [.. instance.JobEarliestStart], [.. instance.JobAfter.SelectMany(a => a)], offers,
                [.. offers.Select(l => instance.LeaseGpus[l])], [.. offers.Select(l => instance.LeasePeriods[l])], order, SiteFirstPool(instance),
            ],
            [
                [.. order.SelectMany(p => new[] { instance.KwPerGpu[p], instance.PowerCostPerGpuPeriod[p] })], [.. instance.PowerCapKw],
                [.. instance.JobValue], [.. instance.JobDecayPerPeriod], [.. instance.JobSuccessProbability], [.. instance.SpotPrice],
                [.. offers.Select(l => instance.LeaseGpus[l] * instance.LeasePricePerGpuHour[l])],
                [.. offers.Select(l => instance.LeaseGpus[l] * instance.LeasePenaltyPerGpuHour[l])],
            ]);
    }

    /// <summary>
    /// The instance's pools as the scorer numbers them: by site, in instance order within a site (a stable sort, so the
    /// order within each site, which decides who takes power first and breaks spot ties, is the instance's). Element i
    /// is the instance's number of the scorer's pool i. Sites share no GPUs or power, so only the order of the sums
    /// across sites changes (by rounding); every path reads the same columns, so they still agree to the bit.
    /// </summary>
    public static int[] PoolOrder(CompiledInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return [.. Enumerable.Range(0, instance.PoolCount).OrderBy(p => instance.PoolSite[p]).ThenBy(p => p)];
    }

    /// <summary>The scorer's number of each of the instance's pools (the inverse of <paramref name="order"/>).</summary>
    private static int[] Places(int[] order)
    {
        var place = new int[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            place[order[i]] = i;
        }

        return place;
    }

    /// <summary>Where each site's pools start in <see cref="PoolOrder"/> (s = SiteCount: the end).</summary>
    private static int[] SiteFirstPool(CompiledInstance instance) =>
        [.. Enumerable.Range(0, instance.SiteCount + 1).Select(s => instance.PoolSite.Count(site => site < s))];

    /// <summary>The plans' arrays, in the order of <see cref="PlanData{TInt, TDouble}"/>, with the pools in <see cref="PoolOrder"/>.</summary>
    public static HostData Plans(CompiledInstance instance, IReadOnlyList<Assignment> plans)
    {
        var T = instance.Periods;
        var cells = instance.PoolCount * T;
        var leases = new double[3 * plans.Count * cells];
        var jobs = instance.JobCount;
        var milestones = new int[JobRecord.Integers * plans.Count * jobs];
        var jobDraws = new double[JobRecord.Draws * plans.Count * jobs];
        var windows = new int[plans.Count][];
        var waitsFrom = WaitsFrom(instance);
        // Each lease's three cell values, computed once per call rather than once per cell of every plan.
        var gpus = instance.LeaseGpus.Select(g => (double)g).ToArray();
        var price = instance.LeaseGpus.Select((g, l) => g * instance.LeasePricePerGpuHour[l]).ToArray();
        var penalty = instance.LeaseGpus.Select((g, l) => g * instance.LeasePenaltyPerGpuHour[l]).ToArray();
        var periods = instance.LeasePeriods.ToArray();
        var offers = ScoreParams.UncertainOffers(instance);
        var slot = Enumerable.Repeat(-1, instance.LeaseCount).ToArray();
        for (var u = 0; u < offers.Length; u++)
        {
            slot[offers[u]] = u;
        }

        var place = Places(PoolOrder(instance));
        var offerPool = new int[plans.Count * offers.Length];
        var offerStart = new int[offerPool.Length];
        // Plans fill disjoint slices, so they are laid out in parallel (a search lays out a thousand per step).
        Parallel.For(0, plans.Count, n =>
        {
            var plan = plans[n];
            for (var l = 0; l < gpus.Length; l++)
            {
                var p = plan.LeasePool[l] < 0 ? -1 : place[plan.LeasePool[l]];
                if (slot[l] >= 0)
                {
                    // Its scenario decides whether it is made: kept apart from the certain leases' sums.
                    offerPool[n * offers.Length + slot[l]] = p;
                    offerStart[n * offers.Length + slot[l]] = plan.LeaseStart[l];
                    continue;
                }

                if (p < 0)
                {
                    continue;
                }

                var row = n * cells + p * T;
                for (var t = Math.Max(0, plan.LeaseStart[l]); t < Math.Min(T, plan.LeaseStart[l] + periods[l]); t++)
                {
                    var cell = 3 * (row + t);
                    leases[cell] += gpus[l];
                    leases[cell + 1] += price[l];
                    leases[cell + 2] += penalty[l];
                }
            }

            for (var j = 0; j < jobs; j++)
            {
                Record(instance, plan, j, place, waitsFrom, milestones.AsSpan(JobRecord.Integers * (n * jobs + j), JobRecord.Integers), jobDraws.AsSpan(JobRecord.Draws * (n * jobs + j), JobRecord.Draws));
            }

            windows[n] = Windows(instance, plan);
        });

        var (windowFirst, windowJobs) = Concatenated(windows, T);
        return new HostData([milestones, windowFirst, windowJobs, offerPool, offerStart], [leases, jobDraws]);
    }

    /// <summary>Where each job's list of the jobs it waits for starts in the fleet's <c>JobAfter</c> (j = JobCount: the end).</summary>
    private static int[] WaitsFrom(CompiledInstance instance)
    {
        var from = new int[instance.JobCount + 1];
        for (var j = 0; j < instance.JobCount; j++)
        {
            from[j + 1] = from[j] + instance.JobAfter[j].Length;
        }

        return from;
    }

    /// <summary>Job j's record under <paramref name="plan"/> (<see cref="JobRecord"/>).</summary>
    private static void Record(CompiledInstance instance, Assignment plan, int j, int[] place, int[] waitsFrom, Span<int> integers, Span<double> draws)
    {
        var pool = plan.JobPool[j];
        integers[JobRecord.FailureKnownAfter] = instance.JobSuccessKnownAfter[j];
        draws[JobRecord.Where] = JobRecord.Pack(pool < 0 ? -1 : place[pool], pool < 0 ? -1 : instance.PoolSite[pool]);
        draws[JobRecord.Waits] = JobRecord.Pack(waitsFrom[j], waitsFrom[j + 1]);
        if (pool >= 0)
        {
            draws[JobRecord.Gpus] = instance.JobGpus[j];
            draws[JobRecord.KwPerGpu] = instance.KwPerGpu[pool];
            draws[JobRecord.Kw] = (double)instance.JobGpus[j] * instance.KwPerGpu[pool];
            draws[JobRecord.PowerCostPerGpuPeriod] = instance.PowerCostPerGpuPeriod[pool];
        }
    }

    /// <summary>
    /// One plan's jobs that may run in each period (see <see cref="PlanData{TInt, TDouble}"/>): per period t, its count
    /// at [t], then the periods' lists one after another from [T]. Jobs claim GPUs in the order the plan starts them
    /// (ties: instance order), so the scheduled jobs are sorted stably by start and each period keeps those in window.
    /// </summary>
    private static int[] Windows(CompiledInstance instance, Assignment plan)
    {
        var T = instance.Periods;
        var order = new int[instance.JobCount];
        var scheduled = 0;
        for (var j = 0; j < instance.JobCount; j++)
        {
            if (plan.JobPool[j] < 0)
            {
                continue;
            }

            // A stable insertion sort by start: a search lays out a thousand plans per step, so no allocations per period.
            var at = scheduled++;
            while (at > 0 && plan.JobStart[order[at - 1]] > plan.JobStart[j])
            {
                order[at] = order[at - 1];
                at--;
            }

            order[at] = j;
        }

        var lists = new int[T + (scheduled * T)];
        var next = T;
        for (var t = 0; t < T; t++)
        {
            for (var r = 0; r < scheduled; r++)
            {
                var j = order[r];
                if (plan.JobStart[j] <= t && t <= instance.JobLastPeriod[j])
                {
                    lists[next++] = j;
                    lists[t]++;
                }
            }
        }

        return lists[..next];
    }

    /// <summary>Every plan's lists in one column, and where each plan's period t starts (<c>[plan * (T + 1) + t]</c>; t = T: its end).</summary>
    private static (int[] First, int[] Jobs) Concatenated(int[][] windows, int T)
    {
        var first = new int[windows.Length * (T + 1)];
        var jobs = new int[windows.Sum(w => w.Length - T) + 1]; // and one past the last list, read ahead and unused (PlanData)
        var at = 0;
        for (var n = 0; n < windows.Length; n++)
        {
            Array.Copy(windows[n], T, jobs, at, windows[n].Length - T);
            for (var t = 0; t < T; t++)
            {
                first[n * (T + 1) + t] = at;
                at += windows[n][t];
            }

            first[n * (T + 1) + T] = at;
        }

        return (first, jobs);
    }

    public FleetData<ArrayColumn<int>, ArrayColumn<double>> FleetOnHost() => FleetOf(i => new ArrayColumn<int>(_ints[i]), d => new ArrayColumn<double>(_doubles[d]));

    public PlanData<ArrayColumn<int>, ArrayColumn<double>> PlansOnHost() => PlansOf(i => new ArrayColumn<int>(_ints[i]), d => new ArrayColumn<double>(_doubles[d]));

    /// <summary>Int and double columns of <see cref="FleetData{TInt, TDouble}"/>, in the order <see cref="Fleet"/> makes them.</summary>
    public const int FleetIntColumns = 13;

    /// <inheritdoc cref="FleetIntColumns"/>
    public const int FleetDoubleColumns = 8;

    /// <summary>Int and double columns of <see cref="PlanData{TInt, TDouble}"/>, in the order <see cref="Plans"/> makes them.</summary>
    public const int PlanIntColumns = 5;

    /// <inheritdoc cref="PlanIntColumns"/>
    public const int PlanDoubleColumns = 2;

    /// <summary>The instance's columns as the device views <paramref name="ints"/> and <paramref name="doubles"/> make of each (column number, values).</summary>
    public FleetData<ViewColumn<int>, ViewColumn<double>> FleetOn(Func<int, int[], ViewColumn<int>> ints, Func<int, double[], ViewColumn<double>> doubles) =>
        FleetOf(i => ints(i, _ints[i]), d => doubles(d, _doubles[d]));

    /// <summary>The plans' columns as the device views <paramref name="ints"/> and <paramref name="doubles"/> make of each (column number, values).</summary>
    public PlanData<ViewColumn<int>, ViewColumn<double>> PlansOn(Func<int, int[], ViewColumn<int>> ints, Func<int, double[], ViewColumn<double>> doubles) =>
        PlansOf(i => ints(i, _ints[i]), d => doubles(d, _doubles[d]));

    /// <summary>
    /// The most entries one plan's window lists hold together (<see cref="PlanData{TInt, TDouble}"/>'s WindowJobs from
    /// its first period's first to its end): what the shared-state kernel copies of a plan's lists, at most.
    /// </summary>
    public int LongestWindow(int periods)
    {
        var first = _ints[1];
        var longest = 0;
        for (var at = 0; at + periods < first.Length; at += periods + 1)
        {
            longest = Math.Max(longest, first[at + periods] - first[at]);
        }

        return longest;
    }

    /// <summary>Bytes of every column together.</summary>
    public long Bytes => _ints.Sum(a => (long)a.Length * sizeof(int)) + _doubles.Sum(a => (long)a.Length * sizeof(double));

    /// <summary>The instance's columns as any column type makes them of each array (the traffic count wraps them).</summary>
    public FleetData<TI, TD> FleetAs<TI, TD>(Func<int[], TI> ints, Func<double[], TD> doubles)
        where TI : struct, IColumn<int>
        where TD : struct, IColumn<double> => FleetOf(i => ints(_ints[i]), d => doubles(_doubles[d]));

    /// <summary>The plans' columns as any column type makes them of each array.</summary>
    public PlanData<TI, TD> PlansAs<TI, TD>(Func<int[], TI> ints, Func<double[], TD> doubles)
        where TI : struct, IColumn<int>
        where TD : struct, IColumn<double> => PlansOf(i => ints(_ints[i]), d => doubles(_doubles[d]));

    private static FleetData<TI, TD> FleetOf<TI, TD>(Func<int, TI> ints, Func<int, TD> doubles)
        where TI : struct, IColumn<int>
        where TD : struct, IColumn<double> =>
        new(ints(0), ints(1), doubles(0), doubles(1), ints(2), ints(3), ints(4), ints(5), ints(6),
            doubles(2), doubles(3), doubles(4), ints(7), doubles(5), ints(8), ints(9), ints(10), doubles(6), doubles(7), ints(11), ints(12));

    private static PlanData<TI, TD> PlansOf<TI, TD>(Func<int, TI> ints, Func<int, TD> doubles)
        where TI : struct, IColumn<int>
        where TD : struct, IColumn<double> =>
        new(doubles(0), ints(0), ints(1), ints(2), ints(3), ints(4), doubles(1));
}
