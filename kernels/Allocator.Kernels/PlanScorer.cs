using Allocator.Core.Evaluation;

namespace Allocator.Kernels;

/// <summary>
/// Scores candidate plans against random scenarios: what the robust search and the out-of-sample check take. The bulk
/// scorer (GPU or CPU fast path) is the one that ships; <see cref="ReferencePlanScorer"/> scores pair by pair with the
/// plain reference, and tests give the search a scorer of their own. Scenario k of a seed is the same draw for every
/// plan, batch and scorer.
/// </summary>
public interface IPlanScorer
{
    /// <summary>What scores: backend and device.</summary>
    string Description { get; }

    /// <summary>Lays plans out as this scorer reads them; pure and thread-safe, so a batch is prepared while another scores.</summary>
    PreparedPlans Prepare(CompiledInstance instance, IReadOnlyList<Assignment> plans);

    /// <summary>Every plan's outcome in scenarios <paramref name="scenarioOffset"/> .. + <paramref name="scenarios"/> - 1.</summary>
    ScoreMatrix Score(CompiledInstance instance, IReadOnlyList<Assignment> plans, ulong seed, int scenarios, long scenarioOffset = 0);

    /// <summary>Each plan's risk summary (CVaR at <paramref name="alpha"/>) over the same scenarios as <see cref="Score"/>.</summary>
    RiskReport Summarize(PreparedPlans plans, ulong seed, int scenarios, double alpha, long scenarioOffset = 0);
}

/// <summary>Scoring helpers every <see cref="IPlanScorer"/> shares.</summary>
public static class PlanScorerExtensions
{
    /// <summary>Prepares and summarises <paramref name="plans"/> in one call.</summary>
    public static RiskReport Summarize(this IPlanScorer scorer, CompiledInstance instance, IReadOnlyList<Assignment> plans, ulong seed, int scenarios, double alpha, long scenarioOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        return scorer.Summarize(scorer.Prepare(instance, plans), seed, scenarios, alpha, scenarioOffset);
    }
}
