using System.Globalization;
using Allocator.Core.Evaluation;
using LinearSolver = Google.OrTools.LinearSolver;

namespace Allocator.Solver;

/// <summary>
/// SCIP on several threads. OR-Tools' model builder runs SCIP on one thread only; its older linear-solver wrapper runs
/// SCIP's concurrent solvers (several settings racing on the same model, sharing plans and bounds) when given more than
/// one thread, which is how a plain two-thread SCIP proves an optimum about twice as fast as one thread
/// (benchmarks/RESULTS.md). The model stays <see cref="MipModel"/>, the one statement of the math: it is copied into
/// the wrapper variable by variable and row by row, and the plan is read back through the same variables.
/// The wrapper is not handed a starting plan: with one, it stops SCIP after its first node (measured).
/// </summary>
internal static class ConcurrentScip
{
    public const string Name = "SCIP";

    // SCIP's concurrent solvers share one thread pool per process: two concurrent solves at once crash the process
    // (measured: a segmentation fault), and a stopped solve runs on to its limit because the concurrent solvers ignore
    // the interrupt. One concurrent solve at a time, then; a solve that finds one running uses one thread instead.
    private static readonly SemaphoreSlim OnePerProcess = new(1, 1);

    /// <summary>
    /// <see cref="Solve"/>, or null at once when another concurrent solve is running in this process (including one
    /// that was abandoned and has not yet reached its limit).
    /// </summary>
    public static EngineResult? TrySolve(MipModel model, PlannerOptions options, TimeSpan remaining, CancellationToken stop) =>
        OnePerProcess.Wait(0, CancellationToken.None) ? SolveHeld(model, options, remaining, stop) : null;

    /// <summary><see cref="Solve"/> once no other concurrent solve is running in this process (waits for it).</summary>
    public static EngineResult SolveAlone(MipModel model, PlannerOptions options, TimeSpan remaining, CancellationToken stop)
    {
        OnePerProcess.Wait(CancellationToken.None);
        return SolveHeld(model, options, remaining, stop);
    }

    /// <summary><see cref="Solve"/> with the one-per-process gate already taken; releases it.</summary>
    private static EngineResult SolveHeld(MipModel model, PlannerOptions options, TimeSpan remaining, CancellationToken stop)
    {
        try
        {
            return Solve(model, options, remaining, stop);
        }
        finally
        {
            OnePerProcess.Release();
        }
    }

    /// <summary>
    /// Solves <paramref name="model"/> on <c>options.Threads</c> threads within <paramref name="remaining"/>.
    /// <paramref name="engineLog"/>: SCIP prints its log to standard output (for benchmarks that read its progress).
    /// Callers in a process that may run two at once go through <see cref="TrySolve"/>.
    /// </summary>
    public static EngineResult Solve(MipModel model, PlannerOptions options, TimeSpan remaining, CancellationToken stop, bool engineLog = false)
    {
        using var solver = LinearSolver.Solver.CreateSolver("SCIP")
            ?? throw new InvalidOperationException("OR-Tools has no SCIP solver on this platform.");
        if (engineLog)
        {
            solver.EnableOutput();
        }

        var variables = Copy(model, solver);
        if (!solver.SetNumThreads(options.Threads))
        {
            throw new InvalidOperationException($"SCIP refused {options.Threads} threads through OR-Tools' linear-solver wrapper.");
        }

        solver.SetTimeLimit((long)Math.Max(1, remaining.TotalMilliseconds));
        var parameters = string.Join('\n',
            string.Create(CultureInfo.InvariantCulture, $"randomization/randomseedshift = {Math.Abs(options.Seed)}"),
            string.Create(CultureInfo.InvariantCulture, $"limits/gap = {options.EngineGap:R}"));
        if (!solver.SetSolverSpecificParametersAsString(parameters))
        {
            throw new InvalidOperationException($"SCIP rejected the planner's parameters ({parameters.Replace('\n', ';')}); this OR-Tools build is not the one the planner was checked with.");
        }

        LinearSolver.Solver.ResultStatus status;
        using (new Interrupter(() => solver.InterruptSolve(), stop))
        {
            status = solver.Solve();
        }

        var engineStatus = status switch
        {
            LinearSolver.Solver.ResultStatus.OPTIMAL => EngineStatus.Optimal,
            LinearSolver.Solver.ResultStatus.FEASIBLE => EngineStatus.Feasible,
            LinearSolver.Solver.ResultStatus.INFEASIBLE => EngineStatus.Infeasible,
            LinearSolver.Solver.ResultStatus.MODEL_INVALID => throw new InvalidOperationException("SCIP calls the model invalid. This is a bug in the model."),
            _ => EngineStatus.Unknown,
        };
        if (engineStatus is not (EngineStatus.Optimal or EngineStatus.Feasible))
        {
            return new EngineResult(engineStatus, null, null, Name);
        }

        var bound = solver.Objective().BestBound() / MipModel.ObjectiveScale;
        var plan = model.Extract(v => variables[v.Index].SolutionValue());
        return new EngineResult(engineStatus, plan, double.IsFinite(bound) ? bound : null, Name);
    }

    /// <summary>The model's variables, objective and rows in the wrapper, indexed as in the model.</summary>
    private static LinearSolver.Variable[] Copy(MipModel model, LinearSolver.Solver solver)
    {
        var source = model.Model.Helper;
        var variables = new LinearSolver.Variable[source.VariablesCount()];
        var objective = solver.Objective();
        for (var i = 0; i < variables.Length; i++)
        {
            variables[i] = solver.MakeVar(source.VarLowerBound(i), source.VarUpperBound(i), source.VarIsIntegral(i), source.VarName(i));
            objective.SetCoefficient(variables[i], source.VarObjectiveCoefficient(i));
        }

        if (source.Maximize())
        {
            objective.SetMaximization();
        }
        else
        {
            objective.SetMinimization();
        }

        objective.SetOffset(source.ObjectiveOffset());
        for (var c = 0; c < source.ConstraintsCount(); c++)
        {
            var row = solver.MakeConstraint(source.ConstraintLowerBound(c), source.ConstraintUpperBound(c), source.ConstraintName(c));
            var indices = source.ConstraintVarIndices(c);
            var coefficients = source.ConstraintCoefficients(c);
            for (var k = 0; k < indices.Length; k++)
            {
                row.SetCoefficient(variables[indices[k]], coefficients[k]);
            }
        }

        return variables;
    }
}
