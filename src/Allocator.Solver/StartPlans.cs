using System.Diagnostics;
using Allocator.Core.Evaluation;
using Allocator.Core.Planning;

namespace Allocator.Solver;

/// <summary>A feasible plan the solve starts from, with its evaluation and where it came from.</summary>
internal sealed record StartPlan(Assignment Plan, PlanEvaluation Evaluation, string Source, bool FromPrevious);

/// <summary>
/// The plan a solve holds from its first second, so that a stop at any moment has a plan to write: last night's when
/// it is still feasible, else the greedy plan, else a short feasibility phase: CP-SAT places the commitments alone
/// (the model that explains infeasibility, where the greedy order strands a commitment), and the greedy planner fills
/// everything else around them.
/// </summary>
internal static class StartPlans
{
    /// <summary>The most the feasibility phase may take, and its most as a share of the limit.</summary>
    private static readonly TimeSpan FeasibilityLimit = TimeSpan.FromSeconds(30);

    private const double FeasibilityShare = 0.25;

    /// <summary>The start plan, reported to <paramref name="progress"/>; null when none was found in time.</summary>
    public static StartPlan? Find(PlacementCatalog catalog, PlannerOptions options, IProgress<Incumbent> progress, Stopwatch clock, CancellationToken cancellation)
    {
        var start = Previous(catalog.Instance, options.Hint) ?? Greedy(catalog.Instance) ?? Feasibility(catalog, options, cancellation);
        if (start is not null)
        {
            progress.Report(new Incumbent(start.Evaluation.Objective.Total, null, clock.Elapsed, start.Source));
        }

        return start;
    }

    private static StartPlan? Previous(CompiledInstance instance, Assignment? previous) =>
        previous is not null && PlanEvaluator.Evaluate(instance, previous) is { IsFeasible: true } evaluation
            ? new StartPlan(previous, evaluation, "previous plan", FromPrevious: true)
            : null;

    private static StartPlan? Greedy(CompiledInstance instance) =>
        GreedyPlanner.BestPlan(instance) is { } greedy ? new StartPlan(greedy.Assignment, greedy, "greedy", FromPrevious: false) : null;

    /// <summary>
    /// CP-SAT places the commitments alone, then the greedy planner fills around them. CP-SAT honours stop requests, so
    /// a stop during this phase ends it at once.
    /// </summary>
    internal static StartPlan? Feasibility(PlacementCatalog catalog, PlannerOptions options, CancellationToken cancellation)
    {
        var share = options.TimeLimit * FeasibilityShare;
        if (InfeasibilityExplainer.PlaceCommitments(catalog, options, share < FeasibilityLimit ? share : FeasibilityLimit, cancellation) is not { } commitments)
        {
            return null;
        }

        var evaluation = GreedyPlanner.BestPlan(catalog.Instance, keep: commitments) ?? PlanEvaluator.Evaluate(catalog.Instance, commitments);
        return evaluation.IsFeasible ? new StartPlan(evaluation.Assignment, evaluation, "feasibility phase (commitments by CP-SAT, the rest greedy)", FromPrevious: false) : null;
    }
}
