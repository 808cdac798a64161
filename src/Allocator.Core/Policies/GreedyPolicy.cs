using System.Diagnostics;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Core.Planning;

namespace Allocator.Core.Policies;

/// <summary>
/// The greedy planner as a policy: commitments first, then everything else as its fill rule says (<see cref="GreedyPlanner"/>):
/// by value ("greedy"), offers by price first ("lease-first"), jobs first ("train-first"), with a share of each pool
/// held back for training ("split:S"), or only offers at or above a price ("threshold:P").
/// </summary>
public sealed class GreedyPolicy(string name = "greedy", FillRule? fill = null) : IPlanningPolicy
{
    /// <summary>How the fleet is filled after the commitments.</summary>
    public FillRule Fill { get; } = fill ?? FillRule.ByValue;

    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public PolicyPlan Plan(PolicyInput input, IProgress<ProgressPoint>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(input);
        var clock = Stopwatch.StartNew();
        if (GreedyPlanner.BestPlan(input.Instance, null, Fill) is not { } plan)
        {
            return PolicyPlan.None(PolicyOutcome.NoPlanInTime, Name, "the greedy planner could not place every signed lease and required job; the exact planner may still find a plan.", clock.Elapsed.TotalSeconds);
        }

        progress?.Report(new ProgressPoint(clock.Elapsed.TotalSeconds, plan.Objective.Total, null, Name));
        return PolicyPlan.Of(plan, new PlanReport("feasible", Name, null, null, clock.Elapsed.TotalSeconds));
    }
}
