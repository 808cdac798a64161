using System.Diagnostics;
using Allocator.Core.Evaluation;
using Allocator.Core.Planning;

namespace Allocator.Solver;

/// <summary>
/// A feasible plan the solve starts from, with its evaluation and where it came from; <see cref="Bound"/>: the LP
/// relaxation's optimum when it was solved on the way (a bound on every plan, before the MIP has one).
/// </summary>
internal sealed record StartPlan(Assignment Plan, PlanEvaluation Evaluation, string Source, bool FromPrevious, double? Bound = null);

/// <summary>
/// The plan a solve holds from its first second, so that a stop at any moment has a plan to write: last night's when
/// it is still feasible, else the better of the greedy plan and the LP relaxation's plan rounded (<see cref="RoundedPlan"/>),
/// else a short feasibility phase: CP-SAT places the commitments alone (the model that explains infeasibility, where the
/// greedy order strands a commitment), and the greedy planner fills everything else around them.
/// </summary>
internal static class StartPlans
{
    /// <summary>The most the feasibility phase may take, and its most as a share of the limit.</summary>
    private static readonly TimeSpan FeasibilityLimit = TimeSpan.FromSeconds(30);

    private const double FeasibilityShare = 0.25;

    /// <summary>
    /// The most the LP relaxation may take, as a share of the limit and in all: it runs before the MIP starts, so the
    /// MIP's time is what it spends (its times per instance: benchmarks/RESULTS.md, "The start plan from the LP relaxation").
    /// </summary>
    private const double RelaxationShare = 0.25;

    private static readonly TimeSpan RelaxationLimit = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The largest model the relaxation is built for (<see cref="PlacementCatalog.CapacityTerms"/>): building cannot be
    /// stopped, and a model of 70 million terms took minutes to build before GLOP started, holding up the whole solve
    /// and every stop request (benchmarks/RESULTS.md); the largest instances measured there that relax in time have
    /// under 300 thousand.
    /// </summary>
    private const long MaxRelaxationTerms = 2_000_000;

    /// <summary>
    /// The start plan, with the LP relaxation's bound when it was solved; each better plan found on the way is reported to
    /// <paramref name="progress"/>, and the bound with the last. Null when none was found in time.
    /// </summary>
    public static StartPlan? Find(PlacementCatalog catalog, PlannerOptions options, IProgress<Incumbent> progress, Stopwatch clock, CancellationToken cancellation)
    {
        StartPlan? Reported(StartPlan? plan, string? source = null)
        {
            if (plan is not null)
            {
                progress.Report(new Incumbent(plan.Evaluation.Objective.Total, plan.Bound, clock.Elapsed, source ?? plan.Source));
            }

            return plan;
        }

        if (Reported(Previous(catalog.Instance, options.Hint)) is { } previous)
        {
            return previous;
        }

        var greedy = Reported(Greedy(catalog.Instance));
        if (catalog.CapacityTerms > MaxRelaxationTerms
            || LpRelaxation.Solve(catalog, Min(options.TimeLimit * RelaxationShare, RelaxationLimit), cancellation) is not { } relaxation)
        {
            return greedy ?? Reported(Feasibility(catalog, options, cancellation));
        }

        var rounded = RoundedPlan.Best(catalog, relaxation) is { IsFeasible: true } plan
            ? new StartPlan(plan.Assignment, plan, "LP rounded", FromPrevious: false, relaxation.Objective)
            : null;

        // Compared as the model compares plans: the objective less any stability charge (a previous plan that no longer fits).
        double Score(StartPlan plan) => plan.Evaluation.Objective.Total - catalog.StabilityCost(plan.Plan);
        if (rounded is not null && (greedy is null || Score(rounded) > Score(greedy)))
        {
            return Reported(rounded);
        }

        return greedy is not null
            ? Reported(greedy with { Bound = relaxation.Objective }, "LP relaxation's bound")
            : Feasibility(catalog, options, cancellation) is { } feasible ? Reported(feasible with { Bound = relaxation.Objective }) : null;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

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
