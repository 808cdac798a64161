using System.Diagnostics;
using System.Globalization;
using Allocator.Core.Evaluation;
using Google.OrTools.Sat;

namespace Allocator.Solver;

/// <summary>
/// The exact model on CP-SAT. CP-SAT is integer-only, so spot is sold in units of 1 / <see cref="SpotUnitsPerGpu"/>
/// GPU, power is counted in watts and money in units of <see cref="MoneyUnitUsd"/>. Such a model can miss a sliver of
/// spot revenue, so the bound it proves is raised by the most that rounding can hide, and the plan's objective is always
/// the evaluator's. The constraint families are the MIP's (see <see cref="MipModel"/>).
/// </summary>
internal static class CpSatEngine
{
    public const long SpotUnitsPerGpu = 100;
    public const double MoneyUnitUsd = 1e-5;

    public static EngineResult Solve(
        PlacementCatalog catalog, PlannerOptions options, Assignment? hint, IProgress<Incumbent>? progress, Stopwatch clock, CancellationToken cancellation)
    {
        var instance = catalog.Instance;
        var T = instance.Periods;
        var model = new CpModel();
        var lease = catalog.Leases.Select((o, l) => o.Select((_, k) => model.NewBoolVar($"lease{l}_{k}")).ToArray()).ToArray();
        var job = catalog.Jobs.Select((o, j) => o.Select((_, k) => model.NewBoolVar($"job{j}_{k}")).ToArray()).ToArray();

        // Integer scale factors; a factor that cannot be made exact makes the model conservative and its bound unusable.
        var exact = true;
        var sellUnits = (long)Math.Floor(instance.SellThrough * SpotUnitsPerGpu + 1e-9);
        exact &= Math.Abs(sellUnits - instance.SellThrough * SpotUnitsPerGpu) < 1e-6;
        var watts = instance.KwPerGpu.Select(kw => (long)Math.Ceiling(kw * 1000 - 1e-9)).ToArray();
        exact &= watts.Select((w, p) => Math.Abs(w - instance.KwPerGpu[p] * 1000) < 1e-6).All(x => x);

        var spot = new IntVar?[instance.PoolCount * T];
        for (var p = 0; p < instance.PoolCount; p++)
        {
            for (var t = 0; t < T; t++)
            {
                if (catalog.SellsSpot(p) && sellUnits > 0)
                {
                    spot[p * T + t] = model.NewIntVar(0, sellUnits * instance.CapacityAt(p, t), $"spot{p}_{t}");
                }
            }
        }

        // Each lease is placed at most once; a signed lease exactly once. Each job likewise.
        for (var l = 0; l < lease.Length; l++)
        {
            if (catalog.MustPlaceLease(l)) { model.AddExactlyOne(lease[l]); } else { model.AddAtMostOne(lease[l]); }
        }

        for (var j = 0; j < job.Length; j++)
        {
            if (catalog.MustPlaceJob(j)) { model.AddExactlyOne(job[j]); } else { model.AddAtMostOne(job[j]); }
        }

        // Pool capacity: sellUnits * used + spotUnits <= sellUnits * capacity (with no spot: used <= capacity).
        var capacity = Enumerable.Range(0, instance.PoolCount * T).Select(_ => LinearExpr.NewBuilder()).ToArray();
        var power = Enumerable.Range(0, instance.SiteCount * T).Select(_ => LinearExpr.NewBuilder()).ToArray();
        foreach (var (option, x, gpus, periods) in Placements(catalog, lease, job))
        {
            var site = instance.PoolSite[option.Pool];
            for (var t = option.Start; t < option.Start + periods; t++)
            {
                capacity[option.Pool * T + t].AddTerm(x, spot[option.Pool * T + t] is null ? gpus : gpus * sellUnits);
                power[site * T + t].AddTerm(x, gpus * watts[option.Pool] * SpotUnitsPerGpu);
            }
        }

        for (var p = 0; p < instance.PoolCount; p++)
        {
            for (var t = 0; t < T; t++)
            {
                var i = p * T + t;
                if (spot[i] is { } s)
                {
                    capacity[i].Add(s);
                    power[instance.PoolSite[p] * T + t].AddTerm(s, watts[p]);
                    model.Add(capacity[i] <= sellUnits * instance.CapacityAt(p, t));
                }
                else
                {
                    model.Add(capacity[i] <= instance.CapacityAt(p, t));
                }
            }
        }

        // Site power in watts x spot units.
        for (var s = 0; s < instance.SiteCount; s++)
        {
            for (var t = 0; t < T; t++)
            {
                var cap = instance.PowerCapMw[s * T + t];
                if (double.IsFinite(cap))
                {
                    model.Add(power[s * T + t] <= (long)Math.Floor(cap * 1e6 * SpotUnitsPerGpu + 1e-6));
                }
            }
        }

        // Job chains, cumulative form: started(j, <= t) <= finished(a, <= t).
        for (var j = 0; j < job.Length; j++)
        {
            foreach (var a in instance.JobAfter[j])
            {
                AddChain(model, catalog, i => job[i], j, a);
            }
        }

        // Objective in money units; remember the most that rounding each coefficient can hide, to correct the bound.
        var objective = LinearExpr.NewBuilder();
        var roundingSlackUsd = 0.0;
        foreach (var (option, x, _, _) in Placements(catalog, lease, job))
        {
            var units = Math.Round(option.NetValue / MoneyUnitUsd);
            objective.AddTerm(x, (long)units);
            roundingSlackUsd += Math.Abs(units * MoneyUnitUsd - option.NetValue);
        }

        for (var i = 0; i < spot.Length; i++)
        {
            if (spot[i] is { } s)
            {
                var perUnitUsd = instance.SpotMargin[i / T] / SpotUnitsPerGpu;
                var units = Math.Round(perUnitUsd / MoneyUnitUsd);
                objective.AddTerm(s, (long)units);
                var maxUnits = sellUnits * instance.CapacityAt(i / T, i % T);

                // Rounded price per unit, plus up to one unit of spot that the integer grid cannot sell.
                roundingSlackUsd += Math.Abs(units * MoneyUnitUsd - perUnitUsd) * maxUnits + perUnitUsd;
            }
        }

        model.Maximize(objective);

        if (hint is not null)
        {
            foreach (var (option, x, item, isJob) in Choices(catalog, lease, job))
            {
                var chosen = isJob
                    ? hint.JobPool[item] == option.Pool && hint.JobStart[item] == option.Start
                    : hint.LeasePool[item] == option.Pool && hint.LeaseStart[item] == option.Start;
                model.AddHint(x, chosen ? 1 : 0);
            }
        }

        var remaining = Math.Max(0.1, (options.TimeLimit - clock.Elapsed).TotalSeconds);
        var solver = new CpSolver
        {
            StringParameters = string.Join(' ',
                $"num_workers:{(options.Deterministic ? 1 : Math.Max(1, options.Threads))}",
                $"random_seed:{options.Seed}",
                options.Deterministic
                    ? string.Create(CultureInfo.InvariantCulture, $"max_deterministic_time:{remaining:0.###}")
                    : string.Create(CultureInfo.InvariantCulture, $"max_time_in_seconds:{remaining:0.###}"),
                string.Create(CultureInfo.InvariantCulture, $"relative_gap_limit:{options.EngineGap:R}")),
        };

        using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        watchdog.CancelAfter(TimeSpan.FromSeconds(remaining) + options.WatchdogGrace);
        using var interrupter = new Interrupter(solver.StopSearch, watchdog.Token);
        var callback = new ProgressCallback(progress, clock, exact ? roundingSlackUsd : double.PositiveInfinity);
        var status = solver.Solve(model, callback);

        var engineStatus = status switch
        {
            CpSolverStatus.Optimal => EngineStatus.Optimal,
            CpSolverStatus.Feasible => EngineStatus.Feasible,
            CpSolverStatus.Infeasible => EngineStatus.Infeasible,
            _ => EngineStatus.Unknown,
        };
        Assignment? assignment = null;
        if (engineStatus is EngineStatus.Optimal or EngineStatus.Feasible)
        {
            assignment = Extract(catalog, lease, job, solver);
        }

        double? bound = exact && engineStatus != EngineStatus.Infeasible && double.IsFinite(solver.BestObjectiveBound)
            ? solver.BestObjectiveBound * MoneyUnitUsd + roundingSlackUsd
            : null;
        return new EngineResult(engineStatus, assignment, bound, "CP-SAT");
    }

    /// <summary>Adds the chain rows of job j after job a (<see cref="PlacementCatalog.ChainRows"/>) to a CP-SAT model.</summary>
    internal static void AddChain(CpModel model, PlacementCatalog catalog, Func<int, BoolVar[]> jobVars, int j, int a)
    {
        foreach (var (started, finished) in catalog.ChainRows(j, a))
        {
            var row = LinearExpr.NewBuilder();
            foreach (var k in started)
            {
                row.Add(jobVars(j)[k]);
            }

            foreach (var k in finished)
            {
                row.AddTerm(jobVars(a)[k], -1);
            }

            model.Add(row <= 0);
        }
    }

    private static Assignment Extract(PlacementCatalog catalog, BoolVar[][] lease, BoolVar[][] job, CpSolver solver)
    {
        var leasePool = Enumerable.Repeat(-1, lease.Length).ToArray();
        var leaseStart = new int[lease.Length];
        var jobPool = Enumerable.Repeat(-1, job.Length).ToArray();
        var jobStart = new int[job.Length];
        foreach (var (option, x, item, isJob) in Choices(catalog, lease, job))
        {
            if (solver.BooleanValue(x))
            {
                if (isJob) { (jobPool[item], jobStart[item]) = (option.Pool, option.Start); }
                else { (leasePool[item], leaseStart[item]) = (option.Pool, option.Start); }
            }
        }

        return new Assignment([.. leasePool], [.. leaseStart], [.. jobPool], [.. jobStart]);
    }

    private static IEnumerable<(PlacementOption Option, BoolVar X, int Item, bool IsJob)> Choices(PlacementCatalog catalog, BoolVar[][] lease, BoolVar[][] job)
    {
        for (var l = 0; l < lease.Length; l++)
        {
            for (var k = 0; k < lease[l].Length; k++) { yield return (catalog.Leases[l][k], lease[l][k], l, false); }
        }

        for (var j = 0; j < job.Length; j++)
        {
            for (var k = 0; k < job[j].Length; k++) { yield return (catalog.Jobs[j][k], job[j][k], j, true); }
        }
    }

    private static IEnumerable<(PlacementOption Option, BoolVar X, int Gpus, int Periods)> Placements(PlacementCatalog catalog, BoolVar[][] lease, BoolVar[][] job)
    {
        var instance = catalog.Instance;
        foreach (var (option, x, item, isJob) in Choices(catalog, lease, job))
        {
            yield return isJob
                ? (option, x, instance.JobGpus[item], instance.JobPeriods[item])
                : (option, x, instance.LeaseGpus[item], instance.LeasePeriods[item]);
        }
    }

    /// <summary>
    /// Reports each improving CP-SAT solution as progress: its objective in the model's rounded units, and its bound
    /// raised by what rounding can hide (none when the scale factors are not exact), as the final bound is.
    /// </summary>
    private sealed class ProgressCallback(IProgress<Incumbent>? progress, Stopwatch clock, double boundSlackUsd) : SolutionCallback
    {
        public override void OnSolutionCallback()
        {
            var bound = BestObjectiveBound() * MoneyUnitUsd + boundSlackUsd;
            progress?.Report(new Incumbent(ObjectiveValue() * MoneyUnitUsd, double.IsFinite(bound) ? bound : null, clock.Elapsed, "CP-SAT"));
        }
    }
}
