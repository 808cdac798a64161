using System.Diagnostics;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Core.Planning;

namespace Allocator.Core.Policies;

/// <summary>The greedy planner as a policy: commitments first, then everything else by value (<see cref="GreedyPlanner"/>).</summary>
public sealed class GreedyPolicy : IPlanningPolicy
{
    /// <inheritdoc />
    public string Name => "greedy";

    /// <inheritdoc />
    public PolicyPlan Plan(PolicyInput input, IProgress<ProgressPoint>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(input);
        var clock = Stopwatch.StartNew();
        if (GreedyPlanner.BestPlan(input.Instance) is not { } plan)
        {
            return PolicyPlan.None(PolicyOutcome.NoPlanInTime, Name, "the greedy planner could not place every signed lease and required job; the exact planner may still find a plan.", clock.Elapsed.TotalSeconds);
        }

        progress?.Report(new ProgressPoint(clock.Elapsed.TotalSeconds, plan.Objective.Total, null, Name));
        return PolicyPlan.Of(plan, new PlanReport("feasible", Name, null, null, clock.Elapsed.TotalSeconds));
    }
}
