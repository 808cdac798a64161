using System.Diagnostics;
using Allocator.Core.Evaluation;
using Allocator.Core.Scenarios;

namespace Allocator.Kernels;

/// <summary>
/// The plain reference scorer (<see cref="ReferenceScorer"/>, one pair at a time, one thread) behind the scorer
/// interface: slow, and the definition every fast scorer is checked against.
/// </summary>
public sealed class ReferencePlanScorer : IPlanScorer
{
    /// <inheritdoc />
    public string Description => "reference (plain C#, one pair at a time)";

    /// <inheritdoc />
    public PreparedPlans Prepare(CompiledInstance instance, IReadOnlyList<Assignment> plans)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(plans);
        return new PreparedPlans(instance, plans, null);
    }

    /// <inheritdoc />
    public ScoreMatrix Score(CompiledInstance instance, IReadOnlyList<Assignment> plans, ulong seed, int scenarios, long scenarioOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(plans);
        var clock = Stopwatch.StartNew();
        var outcomes = plans.Select(plan => Outcomes(instance, plan, seed, scenarios, scenarioOffset)).ToList();
        return ScoreMatrix.Of(outcomes, clock.Elapsed);
    }

    /// <inheritdoc />
    public RiskReport Summarize(PreparedPlans plans, ulong seed, int scenarios, double alpha, long scenarioOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(plans);
        var clock = Stopwatch.StartNew();
        var risks = plans.Plans.Select(plan => RiskSummary.Of(Outcomes(plans.Instance, plan, seed, scenarios, scenarioOffset), alpha)).ToList();
        return new RiskReport(risks, clock.Elapsed);
    }

    private static ScenarioOutcome[] Outcomes(CompiledInstance instance, Assignment plan, ulong seed, int scenarios, long offset) =>
        [.. Enumerable.Range(0, scenarios).Select(k => ReferenceScorer.Score(instance, plan, seed, offset + k))];
}
