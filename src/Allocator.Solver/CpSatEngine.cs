using System.Diagnostics;
using System.Globalization;
using Allocator.Core.Evaluation;
using Google.OrTools.Sat;

namespace Allocator.Solver;

/// <summary>
/// Solves the CP-SAT model (<see cref="CpSatModel"/>) within the time limit, reporting each better plan as it comes. The
/// bound it proves is raised by the most the model's rounding can hide, and the plan's objective is always the
/// evaluator's.
/// </summary>
internal static class CpSatEngine
{
    /// <summary>
    /// Solves <paramref name="catalog"/>'s model from <paramref name="hint"/>. Progress hears of CP-SAT's plans worth more
    /// than <paramref name="held"/> (the score of the plan the planner already holds): CP-SAT's first solutions can be far
    /// below its hint, and a progress curve that dips below the plan held would misstate what a stop writes.
    /// </summary>
    public static EngineResult Solve(
        PlacementCatalog catalog, PlannerOptions options, Assignment? hint, double held, IProgress<Incumbent>? progress, Stopwatch clock, CancellationToken cancellation)
    {
        var cp = new CpSatModel(catalog);
        if (hint is not null)
        {
            cp.Hint(hint);
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
        var callback = new ProgressCallback(progress, clock, cp.ScalesAreExact ? cp.RoundingSlackUsd : double.PositiveInfinity, held);
        var status = solver.Solve(cp.Model, callback);

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
            assignment = cp.Extract(solver);
        }

        double? bound = cp.ScalesAreExact && engineStatus != EngineStatus.Infeasible && double.IsFinite(solver.BestObjectiveBound)
            ? solver.BestObjectiveBound * CpSatModel.MoneyUnitUsd + cp.RoundingSlackUsd
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

    /// <summary>
    /// Reports each improving CP-SAT solution worth more than <paramref name="held"/> as progress: its objective in the
    /// model's rounded units, and its bound raised by what rounding can hide (none when the scale factors are not exact),
    /// as the final bound is.
    /// </summary>
    private sealed class ProgressCallback(IProgress<Incumbent>? progress, Stopwatch clock, double boundSlackUsd, double held) : SolutionCallback
    {
        public override void OnSolutionCallback()
        {
            var objective = ObjectiveValue() * CpSatModel.MoneyUnitUsd;
            if (objective <= held)
            {
                return;
            }

            var bound = BestObjectiveBound() * CpSatModel.MoneyUnitUsd + boundSlackUsd;
            progress?.Report(new Incumbent(objective, double.IsFinite(bound) ? bound : null, clock.Elapsed, "CP-SAT"));
        }
    }
}
