using System.Diagnostics;
using Allocator.Core.Evaluation;
using Allocator.Core.Planning;

namespace Allocator.Solver;

/// <summary>
/// A feasible plan the solve starts from, with its evaluation and where it came from; <see cref="Bound"/>: the LP
/// relaxation's optimum when it was solved on the way (a bound on every plan, before the MIP has one);
/// <see cref="Previous"/>: the previous plan when it fits as it is, SCIP's first incumbent whichever plan starts.
/// </summary>
internal sealed record StartPlan(Assignment Plan, PlanEvaluation Evaluation, string Source, double? Bound = null)
{
    public PlanEvaluation? Previous { get; init; }
}

/// <summary>
/// The plan a solve holds from its first second, so that a stop at any moment has a plan to write: the best, by the
/// model's score, of the previous plan (as it is, filled, or repaired where it no longer fits), the greedy plan and the
/// LP relaxation's plan rounded (<see cref="RoundedPlan"/>); with none of them, a short feasibility phase: CP-SAT places
/// the commitments alone (the model that explains infeasibility, where the greedy order strands a commitment), and the
/// greedy planner fills everything else around them. With a move cost the score keeps last night's plan unless another
/// pays for its moves.
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
        var previous = options.Hint is { } hint ? PlanEvaluator.Evaluate(catalog.Instance, hint) : null;
        var start = Best(catalog, options, previous, progress, clock, cancellation);

        // SCIP starts from the previous plan whenever it fits as it is, whichever plan the solve holds (README, Solvers).
        return start is not null && previous is { IsFeasible: true } ? start with { Previous = previous } : start;
    }

    private static StartPlan? Best(PlacementCatalog catalog, PlannerOptions options, PlanEvaluation? previous, IProgress<Incumbent> progress, Stopwatch clock, CancellationToken cancellation)
    {
        StartPlan? best = null;

        // Compared as the model compares plans: the objective less any stability charge (moves away from the previous plan).
        double Score(StartPlan plan) => plan.Evaluation.Objective.Total - catalog.StabilityCost(plan.Plan);
        void Offer(StartPlan? plan)
        {
            if (plan is not null && (best is null || Score(plan) > Score(best)))
            {
                best = plan;
                progress.Report(new Incumbent(plan.Evaluation.Objective.Total, plan.Bound, clock.Elapsed, plan.Source));
            }
        }

        foreach (var plan in Previous(catalog.Instance, previous))
        {
            Offer(plan);
        }

        Offer(Greedy(catalog.Instance));
        if (catalog.CapacityTerms > MaxRelaxationTerms
            || LpRelaxation.Solve(catalog, Min(options.TimeLimit * RelaxationShare, RelaxationLimit), cancellation) is not { } relaxation)
        {
            Offer(best is null ? Feasibility(catalog, options, cancellation) : null);
            return best;
        }

        var held = best;
        if (RoundedPlan.Best(catalog, relaxation) is { IsFeasible: true } rounded)
        {
            Offer(new StartPlan(rounded.Assignment, rounded, "LP rounded", relaxation.Objective));
        }

        if (best is null)
        {
            Offer(Feasibility(catalog, options, cancellation) is { } feasible ? feasible with { Bound = relaxation.Objective } : null);
        }
        else if (ReferenceEquals(best, held))
        {
            best = best with { Bound = relaxation.Objective };
            progress.Report(new Incumbent(best.Evaluation.Objective.Total, best.Bound, clock.Elapsed, "LP relaxation's bound"));
        }

        return best;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>
    /// The previous plan as it is when it still fits, and the previous plan filled: its placements kept where capacity,
    /// power and chains still allow (commitments first; all of them when it fits), the greedy planner placing what is
    /// left and filling the room: what is new since (an offer announced, a job's capacity freed) or what it broke.
    /// </summary>
    private static IEnumerable<StartPlan> Previous(CompiledInstance instance, PlanEvaluation? previous)
    {
        if (previous is null)
        {
            yield break;
        }

        if (previous.IsFeasible)
        {
            yield return new StartPlan(previous.Assignment, previous, "previous plan");
        }

        if (GreedyPlanner.BestPlan(instance, Placements(instance, previous.Assignment)) is { IsFeasible: true } filled)
        {
            yield return new StartPlan(filled.Assignment, filled, previous.IsFeasible ? "previous plan, filled" : "previous plan, repaired");
        }
    }

    /// <summary>The placements of <paramref name="plan"/>, commitments first.</summary>
    private static List<(Block Block, int Pool, int Start)> Placements(CompiledInstance instance, Assignment plan) =>
        [.. instance.Blocks()
            .Where(block => plan.Placement(block).Pool >= 0)
            .OrderByDescending(instance.IsCommitted)
            .Select(block => (block, plan.Placement(block).Pool, plan.Placement(block).Start))];

    private static StartPlan? Greedy(CompiledInstance instance) =>
        GreedyPlanner.BestPlan(instance) is { } greedy ? new StartPlan(greedy.Assignment, greedy, "greedy") : null;

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
        return evaluation.IsFeasible ? new StartPlan(evaluation.Assignment, evaluation, "feasibility phase (commitments by CP-SAT, the rest greedy)") : null;
    }
}
