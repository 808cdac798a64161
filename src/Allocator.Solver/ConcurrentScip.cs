using Allocator.Core.Evaluation;
using LinearSolver = Google.OrTools.LinearSolver;

namespace Allocator.Solver;

/// <summary>
/// SCIP's own concurrent solvers (several settings racing on the same model, sharing plans and bounds), which OR-Tools'
/// linear-solver wrapper runs when given more than one thread: the plain solve a researcher writes in an afternoon, and
/// the baseline the planner is measured against (benchmarks/Allocator.SolveBench). The planner itself races one-thread
/// solves instead (<see cref="ScipRace"/>): these show no plan before they end and ignore stop requests. The model stays
/// <see cref="MipModel"/>, the one statement of the math: it is copied into the wrapper variable by variable and row by
/// row (<see cref="Copy"/>, which the race uses too), and the plan is read back through the same variables.
/// </summary>
internal static class ConcurrentScip
{
    public const string Name = "SCIP";

    /// <summary>
    /// Solves <paramref name="model"/> on <c>options.Threads</c> threads within <paramref name="remaining"/>.
    /// <paramref name="engineLog"/>: SCIP prints its log to standard output (for benchmarks that read its progress).
    /// Two at once in one process crash it (SCIP's concurrent solvers share one thread pool, measured), so the
    /// benchmarks run it in a process of its own.
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
        SetParameters(solver, ExactPlanner.ScipParameters(options, 0, null));

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

    /// <summary>
    /// Hands SCIP <paramref name="parameters"/> through the wrapper. A refused one is an error: a silently ignored gap or
    /// seed would make "optimal" mean something else.
    /// </summary>
    internal static void SetParameters(LinearSolver.Solver solver, IEnumerable<string> parameters)
    {
        var text = string.Join('\n', parameters);
        if (!solver.SetSolverSpecificParametersAsString(text))
        {
            throw new InvalidOperationException($"SCIP rejected the planner's parameters ({text.Replace('\n', ';')}); this OR-Tools build is not the one the planner was checked with.");
        }
    }

    /// <summary>The model's variables, objective and rows in the wrapper, indexed as in the model.</summary>
    internal static LinearSolver.Variable[] Copy(MipModel model, LinearSolver.Solver solver)
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
