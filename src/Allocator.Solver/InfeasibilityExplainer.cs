using System.Globalization;
using Allocator.Core.Evaluation;
using Google.OrTools.Sat;

namespace Allocator.Solver;

/// <summary>Why commitments cannot all fit: the smallest set found that collides, and where it collides.</summary>
public sealed record InfeasibilityReport(IReadOnlyList<string> Commitments, IReadOnlyList<string> Reasons)
{
    /// <summary>A paragraph for the planner.</summary>
    public string Summary =>
        $"These commitments cannot all be met: {string.Join(", ", Commitments)}."
        + string.Concat(Reasons.Select(r => Environment.NewLine + "  - " + r));
}

/// <summary>
/// Explains infeasibility. As OR-Tools advises, the core comes from its own solve: the feasibility problem alone (no
/// objective), one worker, one assumption literal per commitment; it is then shrunk by deletion to a minimal set, and
/// the set's compulsory demand is compared with capacity and power to name pools, sites and periods.
/// </summary>
public static class InfeasibilityExplainer
{
    private static readonly TimeSpan SolveLimit = TimeSpan.FromSeconds(10);

    /// <summary>Explains why the signed leases and required jobs of <paramref name="instance"/> cannot all be placed.</summary>
    public static InfeasibilityReport Explain(CompiledInstance instance, PlacementCatalog catalog, PlannerOptions options)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(catalog);
        var commitments = Commitments(instance);

        // A commitment with no placement that fits even on an empty fleet is a core on its own.
        if (Unplaceable(catalog) is { Count: > 0 } alone)
        {
            return new InfeasibilityReport([.. alone.Select(c => Name(instance, c))], [.. alone.Select(c => NoRoomAlone(instance, c))]);
        }

        var core = Core(catalog, commitments, options.Seed);
        if (core is null)
        {
            return new InfeasibilityReport([.. commitments.Select(c => Name(instance, c))],
                ["The feasibility check could not isolate a smaller set within its time limit; the commitments above, taken together, overfill the fleet."]);
        }

        // Deletion filter: drop each member whose removal keeps the set infeasible, leaving a minimal set.
        for (var i = core.Count - 1; i >= 0 && core.Count > 1; i--)
        {
            var without = core.Where((_, k) => k != i).ToList();
            if (IsInfeasible(catalog, without, options.Seed) == true)
            {
                core = without;
            }
        }

        return new InfeasibilityReport([.. core.Select(c => Name(instance, c))], Collisions(instance, core));
    }

    /// <summary>
    /// The signed leases and required jobs that no allowed pool can hold in any start of their window even with the
    /// fleet empty, each with why: while there is one, every plan of the instance is infeasible. Cheap (no solve), so
    /// <c>allocator validate</c> says it before any plan is tried.
    /// </summary>
    public static IReadOnlyList<(Block Commitment, string Reason)> Unplaceable(CompiledInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return [.. Unplaceable(new PlacementCatalog(instance)).Select(c => (c, NoRoomAlone(instance, c)))];
    }

    private static List<Block> Unplaceable(PlacementCatalog catalog) =>
        [.. Commitments(catalog.Instance).Where(c => Options(catalog, c).IsEmpty)];

    /// <summary>Signed leases, then required jobs.</summary>
    private static List<Block> Commitments(CompiledInstance instance) => [.. instance.Blocks().Where(instance.IsCommitted)];

    private static System.Collections.Immutable.ImmutableArray<PlacementOption> Options(PlacementCatalog catalog, Block c) =>
        c.IsJob ? catalog.Jobs[c.Index] : catalog.Leases[c.Index];

    private static List<Block>? Core(PlacementCatalog catalog, List<Block> commitments, int seed)
    {
        var (model, assumptions, _, _) = Feasibility(catalog, commitments);
        model.AddAssumptions(assumptions);
        var solver = new CpSolver { StringParameters = $"num_workers:1 random_seed:{seed} max_time_in_seconds:{SolveLimit.TotalSeconds.ToString(CultureInfo.InvariantCulture)}" };
        if (solver.Solve(model) != CpSolverStatus.Infeasible)
        {
            return null;
        }

        var core = solver.SufficientAssumptionsForInfeasibility().ToHashSet();
        return [.. commitments.Where((_, i) => core.Contains(assumptions[i].GetIndex()))];
    }

    private static bool? IsInfeasible(PlacementCatalog catalog, List<Block> commitments, int seed)
    {
        var (model, assumptions, _, _) = Feasibility(catalog, commitments);
        foreach (var a in assumptions)
        {
            model.Add(a == 1);
        }

        var solver = new CpSolver { StringParameters = $"num_workers:1 random_seed:{seed} max_time_in_seconds:{SolveLimit.TotalSeconds.ToString(CultureInfo.InvariantCulture)}" };
        return solver.Solve(model) switch
        {
            CpSolverStatus.Infeasible => true,
            CpSolverStatus.Feasible or CpSolverStatus.Optimal => false,
            _ => null,
        };
    }

    /// <summary>
    /// Capacity, power (without spot, which can always be zero) and chains for the given commitments and the jobs
    /// they need before them; one literal per commitment says "placed".
    /// </summary>
    private static CommitmentModel Feasibility(PlacementCatalog catalog, List<Block> commitments)
    {
        var instance = catalog.Instance;
        var T = instance.Periods;
        var model = new CpModel();

        var jobs = JobsNeeded(instance, commitments);
        var capacity = new Dictionary<int, LinearExprBuilder>();
        var power = new Dictionary<int, LinearExprBuilder>();
        var leaseVars = new Dictionary<int, BoolVar[]>();
        var jobVars = new Dictionary<int, BoolVar[]>();
        var assumptions = new List<BoolVar>();

        BoolVar[] Place(System.Collections.Immutable.ImmutableArray<PlacementOption> options, int gpus, int periods, string name)
        {
            var vars = options.Select((_, k) => model.NewBoolVar($"{name}_{k}")).ToArray();
            for (var k = 0; k < options.Length; k++)
            {
                var p = options[k].Pool;
                for (var t = options[k].Start; t < options[k].Start + periods; t++)
                {
                    Row(capacity, p * T + t).AddTerm(vars[k], gpus);
                    Row(power, instance.PoolSite[p] * T + t).AddTerm(vars[k], (long)Math.Ceiling(gpus * instance.KwPerGpu[p] * 1000 - 1e-6));
                }
            }

            return vars;
        }

        foreach (var c in commitments.Where(c => !c.IsJob))
        {
            var vars = Place(catalog.Leases[c.Index], instance.LeaseGpus[c.Index], instance.LeasePeriods[c.Index], $"lease{c.Index}");
            leaseVars[c.Index] = vars;
            var placed = model.NewBoolVar($"placed_lease{c.Index}");
            model.Add(LinearExpr.Sum(vars) == placed);
            assumptions.Add(placed);
        }

        foreach (var j in jobs)
        {
            jobVars[j] = Place(catalog.Jobs[j], instance.JobGpus[j], instance.JobPeriods[j], $"job{j}");
            model.AddAtMostOne(jobVars[j]);
        }

        foreach (var c in commitments.Where(c => c.IsJob))
        {
            var placed = model.NewBoolVar($"placed_job{c.Index}");
            model.Add(LinearExpr.Sum(jobVars[c.Index]) == placed);
            assumptions.Add(placed);
        }

        foreach (var j in jobs)
        {
            foreach (var a in instance.JobAfter[j])
            {
                CpSatEngine.AddChain(model, catalog, i => jobVars[i], j, a);
            }
        }

        Capacity(model, instance, capacity);
        Power(model, instance, power);
        return new CommitmentModel(model, assumptions, leaseVars, jobVars);
    }

    /// <summary>The commitments' jobs, and every job they follow (directly or through others): all must be in the model.</summary>
    private static SortedSet<int> JobsNeeded(CompiledInstance instance, List<Block> commitments)
    {
        var jobs = new SortedSet<int>(commitments.Where(c => c.IsJob).Select(c => c.Index));
        var queue = new Queue<int>(jobs);
        while (queue.TryDequeue(out var j))
        {
            foreach (var a in instance.JobAfter[j])
            {
                if (jobs.Add(a))
                {
                    queue.Enqueue(a);
                }
            }
        }

        return jobs;
    }

    /// <summary>used[p,t] &lt;= capacity[p,t], for each pool and period a commitment can occupy.</summary>
    private static void Capacity(CpModel model, CompiledInstance instance, Dictionary<int, LinearExprBuilder> used)
    {
        foreach (var (i, row) in used)
        {
            model.Add(row <= instance.CapacityAt(i / instance.Periods, i % instance.Periods));
        }
    }

    /// <summary>
    /// Draw[s,t] &lt;= powerCapMw[s,t], for each site and period a commitment can draw in (spot can always be zero), in
    /// whole watts as CP-SAT needs: each draw rounded up and each cap down, so the rows are at most a watt a term
    /// stricter than the contract's.
    /// </summary>
    private static void Power(CpModel model, CompiledInstance instance, Dictionary<int, LinearExprBuilder> draw)
    {
        foreach (var (i, row) in draw)
        {
            var cap = instance.PowerCapMw[i];
            if (double.IsFinite(cap))
            {
                model.Add(row <= (long)Math.Floor(cap * 1e6 + 1e-6));
            }
        }
    }

    /// <summary>The commitments' feasibility model: one "placed" literal per commitment, and the placement variables.</summary>
    private sealed record CommitmentModel(CpModel Model, List<BoolVar> Assumptions, Dictionary<int, BoolVar[]> LeaseVars, Dictionary<int, BoolVar[]> JobVars);

    /// <summary>
    /// A placement of every commitment (signed leases, required jobs and the jobs these follow) that fits capacity,
    /// power and chains, found by CP-SAT on the same model the explanation uses; everything else is left out. Null when
    /// none was found within <paramref name="limit"/>, on a stop request, or when there is none.
    /// </summary>
    internal static Assignment? PlaceCommitments(PlacementCatalog catalog, PlannerOptions options, TimeSpan limit, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var instance = catalog.Instance;
        var (model, assumptions, leaseVars, jobVars) = Feasibility(catalog, Commitments(instance));
        foreach (var placed in assumptions)
        {
            model.Add(placed == 1);
        }

        var workers = options.Deterministic ? 1 : Math.Max(1, options.Threads);
        var solver = new CpSolver
        {
            StringParameters = string.Create(CultureInfo.InvariantCulture, $"num_workers:{workers} random_seed:{options.Seed} max_time_in_seconds:{Math.Max(0.01, limit.TotalSeconds):0.###}"),
        };
        CpSolverStatus status;
        using (new Interrupter(solver.StopSearch, cancellation))
        {
            status = solver.Solve(model);
        }

        if (status is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible))
        {
            return null;
        }

        var plan = Assignment.Empty(instance);
        int[] leasePool = [.. plan.LeasePool], leaseStart = [.. plan.LeaseStart], jobPool = [.. plan.JobPool], jobStart = [.. plan.JobStart];
        foreach (var (l, vars) in leaseVars)
        {
            (leasePool[l], leaseStart[l]) = Chosen(catalog.Leases[l], vars, solver);
        }

        foreach (var (j, vars) in jobVars)
        {
            (jobPool[j], jobStart[j]) = Chosen(catalog.Jobs[j], vars, solver);
        }

        return new Assignment([.. leasePool], [.. leaseStart], [.. jobPool], [.. jobStart]);
    }

    private static (int Pool, int Start) Chosen(System.Collections.Immutable.ImmutableArray<PlacementOption> options, BoolVar[] vars, CpSolver solver)
    {
        for (var k = 0; k < vars.Length; k++)
        {
            if (solver.BooleanValue(vars[k]))
            {
                return (options[k].Pool, options[k].Start);
            }
        }

        return (-1, 0);
    }

    private static LinearExprBuilder Row(Dictionary<int, LinearExprBuilder> rows, int key)
    {
        if (!rows.TryGetValue(key, out var row))
        {
            row = LinearExpr.NewBuilder();
            rows[key] = row;
        }

        return row;
    }

    /// <summary>
    /// Where the set collides: the GPUs and megawatts its members must use whatever they do (a block pinned to one
    /// pool always covers the periods between its latest start and its earliest end), against what is there.
    /// </summary>
    private static List<string> Collisions(CompiledInstance instance, List<Block> core)
    {
        var T = instance.Periods;
        var gpus = new double[instance.PoolCount * T];
        var mw = new double[instance.SiteCount * T];
        foreach (var c in core)
        {
            var (pools, size, periods, earliest, latest) = Shape(instance, c);
            if (pools.Length != 1)
            {
                continue;
            }

            for (var t = latest; t < earliest + periods; t++)
            {
                gpus[pools[0] * T + t] += size;
                mw[instance.PoolSite[pools[0]] * T + t] += size * instance.KwPerGpu[pools[0]] / 1000;
            }
        }

        var reasons = new List<string>();
        for (var p = 0; p < instance.PoolCount; p++)
        {
            foreach (var (first, last, worst) in Ranges(T, t => gpus[p * T + t] - instance.CapacityAt(p, t)))
            {
                reasons.Add(string.Create(CultureInfo.InvariantCulture,
                    $"Pool '{instance.Source.Pools[p].Id}' in periods {first}..{last}: they need {gpus[p * T + first]:N0} GPUs there, {worst:N0} more than it has."));
            }
        }

        for (var s = 0; s < instance.SiteCount; s++)
        {
            foreach (var (first, last, worst) in Ranges(T, t => mw[s * T + t] - instance.PowerCapMw[s * T + t]))
            {
                reasons.Add(string.Create(CultureInfo.InvariantCulture,
                    $"Site '{instance.Source.Sites[s].Id}' in periods {first}..{last}: they draw {mw[s * T + first]:N1} MW there, {worst:N1} MW over its power cap."));
            }
        }

        if (reasons.Count == 0)
        {
            // Flexible members: no period is overfull for certain, but no arrangement of them fits.
            foreach (var c in core)
            {
                var (pools, size, periods, earliest, latest) = Shape(instance, c);
                reasons.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{Name(instance, c)} needs {size:N0} GPUs for {periods} period(s), starting in {earliest}..{latest}, on {string.Join(" or ", pools.Select(p => $"'{instance.Source.Pools[p].Id}'"))}."));
            }

            reasons.Add("No arrangement of these in their windows fits the pools' capacity and the sites' power; widen a window, allow another pool, or release one of them.");
        }

        return reasons;
    }

    private static IEnumerable<(int First, int Last, double Worst)> Ranges(int periods, Func<int, double> excess)
    {
        var t = 0;
        while (t < periods)
        {
            if (excess(t) <= 1e-9)
            {
                t++;
                continue;
            }

            var first = t;
            var worst = 0.0;
            while (t < periods && excess(t) > 1e-9)
            {
                worst = Math.Max(worst, excess(t));
                t++;
            }

            yield return (first, t - 1, worst);
        }
    }

    private static (int[] Pools, int Gpus, int Periods, int Earliest, int Latest) Shape(CompiledInstance instance, Block c) =>
        ([.. instance.Pools(c)], instance.Gpus(c), instance.Periods(c), instance.EarliestStart(c), instance.LatestStart(c));

    private static string Name(CompiledInstance instance, Block c) =>
        c.IsJob
            ? $"required job '{instance.Source.Jobs[c.Index].Id}'"
            : $"signed lease '{instance.Source.Leases[c.Index].Id}'" + (instance.Source.Leases[c.Index].Customer is { } customer ? $" ({customer})" : "");

    /// <summary>
    /// Why a commitment fits no window even in an empty fleet: the window that holds the most of its GPUs, and what holds
    /// it to that (the pool's GPUs, or its site's power cap), by the same rule as every placement (<see cref="CapacityLedger.FitsAt"/>).
    /// </summary>
    private static string NoRoomAlone(CompiledInstance instance, Block c)
    {
        var (pools, size, periods, earliest, latest) = Shape(instance, c);
        var empty = new CapacityLedger(instance);
        // Each pool's room in each period once: the windows overlap.
        var rooms = pools.ToDictionary(p => p, p => Enumerable.Range(0, instance.Periods).Select(t => Room(empty, p, t)).ToArray());
        var best = pools
            .SelectMany(p => Enumerable.Range(earliest, latest - earliest + 1).Select(start =>
            {
                var tightest = Enumerable.Range(start, periods).MinBy(t => rooms[p][t]);
                return (Pool: p, Start: start, Period: tightest, Room: rooms[p][tightest]);
            }))
            .MaxBy(w => w.Room);
        var site = instance.PoolSite[best.Pool];
        var limit = best.Room < instance.CapacityAt(best.Pool, best.Period)
            ? string.Create(CultureInfo.InvariantCulture, $"the power cap of site '{instance.Source.Sites[site].Id}' ({instance.PowerCapMw[site * instance.Periods + best.Period]:0.###} MW)")
            : "its GPUs";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Name(instance, c)} needs {size:N0} GPUs for {periods} period(s) starting in {earliest}..{latest} on "
            + $"{string.Join(" or ", pools.Select(p => $"'{instance.Source.Pools[p].Id}'"))}, but even in an empty fleet at most {best.Room:N0} fit "
            + $"throughout any such window ('{instance.Source.Pools[best.Pool].Id}' in periods {best.Start}..{best.Start + periods - 1}, held to that by {limit} in period {best.Period}).");
    }

    /// <summary>The most GPUs pool p holds in period t of an empty fleet: its capacity, or fewer where its site's power cap binds.</summary>
    private static long Room(CapacityLedger empty, int pool, int period)
    {
        long low = 0, high = Math.Max(0, empty.Headroom(pool, period));
        while (low < high)
        {
            var mid = low + ((high - low + 1) / 2);
            (low, high) = empty.FitsAt(pool, period, mid) ? (mid, high) : (low, mid - 1);
        }

        return low;
    }
}
