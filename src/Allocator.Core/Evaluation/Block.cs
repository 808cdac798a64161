using System.Collections.Immutable;

namespace Allocator.Core.Evaluation;

/// <summary>Whether a block is a lease or a training job.</summary>
public enum BlockKind
{
    /// <summary>A lease (signed or offered).</summary>
    Lease,

    /// <summary>A training job.</summary>
    Job,
}

/// <summary>
/// A lease or a job: GPUs held on one pool for a stretch of periods, the unit every planner places. <see cref="Index"/>
/// is the lease's or the job's index in the instance; <see cref="BlockRules"/> reads its size, window and pools.
/// </summary>
public readonly record struct Block(BlockKind Kind, int Index)
{
    /// <summary>Lease <paramref name="index"/>.</summary>
    public static Block Lease(int index) => new(BlockKind.Lease, index);

    /// <summary>Job <paramref name="index"/>.</summary>
    public static Block Job(int index) => new(BlockKind.Job, index);

    /// <summary>Whether this is a training job.</summary>
    public bool IsJob => Kind == BlockKind.Job;
}

/// <summary>What the contract says of a block, read the same way for leases and jobs.</summary>
public static class BlockRules
{
    /// <summary>Every lease, then every job.</summary>
    public static IEnumerable<Block> Blocks(this CompiledInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return Enumerable.Range(0, instance.LeaseCount).Select(Block.Lease).Concat(Enumerable.Range(0, instance.JobCount).Select(Block.Job));
    }

    /// <summary>GPUs the block holds in every period it runs.</summary>
    public static int Gpus(this CompiledInstance instance, Block block) =>
        block.IsJob ? instance.JobGpus[block.Index] : instance.LeaseGpus[block.Index];

    /// <summary>Periods the block runs.</summary>
    public static int Periods(this CompiledInstance instance, Block block) =>
        block.IsJob ? instance.JobPeriods[block.Index] : instance.LeasePeriods[block.Index];

    /// <summary>The pools it may go to.</summary>
    public static ImmutableArray<int> Pools(this CompiledInstance instance, Block block) =>
        block.IsJob ? instance.JobPools[block.Index] : instance.LeasePools[block.Index];

    /// <summary>Its earliest start.</summary>
    public static int EarliestStart(this CompiledInstance instance, Block block) =>
        block.IsJob ? instance.JobEarliestStart[block.Index] : instance.LeaseEarliestStart[block.Index];

    /// <summary>Its latest start (a job's is the last that ends by its deadline).</summary>
    public static int LatestStart(this CompiledInstance instance, Block block) =>
        block.IsJob ? instance.JobLatestStart(block.Index) : instance.LeaseLatestStart[block.Index];

    /// <summary>Whether every plan must place it: a signed lease or a required job.</summary>
    public static bool IsCommitted(this CompiledInstance instance, Block block) =>
        block.IsJob ? instance.JobRequired[block.Index] : instance.LeaseSigned[block.Index];

    /// <summary>The jobs that must finish before it starts (none for a lease).</summary>
    public static IEnumerable<Block> Predecessors(this CompiledInstance instance, Block block) =>
        block.IsJob ? instance.JobAfter[block.Index].Select(Block.Job) : [];
}
