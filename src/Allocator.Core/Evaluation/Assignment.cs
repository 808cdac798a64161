using System.Collections.Immutable;
using Allocator.Core.Contract;

namespace Allocator.Core.Evaluation;

/// <summary>
/// A plan by index: the pool (-1: not placed) and start period of every lease and job, in instance order.
/// This is the form solvers produce and scorers consume; <see cref="ToPlan"/> gives the contract's plan.
/// </summary>
public sealed record Assignment(
    ImmutableArray<int> LeasePool,
    ImmutableArray<int> LeaseStart,
    ImmutableArray<int> JobPool,
    ImmutableArray<int> JobStart)
{
    /// <summary>Nothing placed: every offer rejected, every job left out.</summary>
    public static Assignment Empty(CompiledInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return new Assignment(
            [.. Enumerable.Repeat(-1, instance.LeaseCount)],
            [.. Enumerable.Repeat(0, instance.LeaseCount)],
            [.. Enumerable.Repeat(-1, instance.JobCount)],
            [.. Enumerable.Repeat(0, instance.JobCount)]);
    }

    /// <summary>Where a lease or job is: its pool (-1 when not placed) and start.</summary>
    public (int Pool, int Start) Placement(Block block) => block.IsJob
        ? (JobPool[block.Index], JobStart[block.Index])
        : (LeasePool[block.Index], LeaseStart[block.Index]);

    /// <summary>The contract's plan for this assignment.</summary>
    public Plan ToPlan(CompiledInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var source = instance.Source;
        var pools = source.Pools;
        return new Plan(
            source.Name,
            [.. source.Leases.Select((l, i) => LeasePool[i] >= 0
                ? new LeaseDecision(l.Id, true, pools[LeasePool[i]].Id, LeaseStart[i])
                : new LeaseDecision(l.Id, false, null, null))],
            [.. source.Jobs.Select((j, i) => JobPool[i] >= 0
                ? new JobDecision(j.Id, true, pools[JobPool[i]].Id, JobStart[i])
                : new JobDecision(j.Id, false, null, null))]);
    }
}
