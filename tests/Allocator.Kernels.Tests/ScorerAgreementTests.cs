using Allocator.Core.Scenarios;

namespace Allocator.Kernels.Tests;

/// <summary>
/// Every backend against the reference scorer, pair by pair, to 1e-9 relative (mixed precision: within its stated
/// bound of the pair's gross): written once here, run by a thin class per backend and option (ILGPU's own test layout). CUDA is checked the same way on the GPU machine by the benchmark bundle
/// (benchmarks/Allocator.GpuProbe), since CI has no GPU and a test that passes without one could not fail.
/// </summary>
public abstract class ScorerAgreementTests
{
    protected abstract ScoringDevice Device { get; }

    protected virtual ScorerOptions Options => ScorerOptions.Default;

    protected virtual int PlanCount => 6;

    protected virtual int Scenarios => 24;

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    [InlineData(4UL)]
    public void Every_pair_matches_the_reference_scorer(ulong seed)
    {
        using var scorer = BulkScorer.Create(Device, options: Options);
        var instance = ScoringCases.Instance(seed);
        AssertEveryPairMatches(scorer, instance, ScoringCases.Plans(instance, seed, PlanCount));
    }

    [Fact]
    public void Every_pair_matches_the_reference_scorer_where_a_sites_pools_lie_apart()
    {
        using var scorer = BulkScorer.Create(Device, options: Options);
        var instance = ScoringCases.InterleavedSites();
        AssertEveryPairMatches(scorer, instance, ScoringCases.Plans(instance, 5, PlanCount));
    }

    [Fact]
    public void Every_pair_matches_the_reference_scorer_with_more_pools_than_a_byte_numbers()
    {
        // A spot order keeps each pool's index in a few bits of a word; 300 pools need more than 8 of them.
        using var scorer = BulkScorer.Create(Device, options: Options);
        var instance = new Core.Evaluation.CompiledInstance(Core.Generation.InstanceGenerator.Generate(new Core.Generation.GeneratorOptions(300, 40, 4, 4, 7, Uncertainty: true)));
        Assert.True(instance.PoolCount > 256);
        AssertEveryPairMatches(scorer, instance, ScoringCases.Plans(instance, 7, PlanCount));
    }

    private void AssertEveryPairMatches(BulkScorer scorer, Core.Evaluation.CompiledInstance instance, IReadOnlyList<Core.Evaluation.Assignment> plans)
    {
        var matrix = scorer.Score(instance, plans, seed: 42, Scenarios, scenarioOffset: 1000);

        for (var n = 0; n < plans.Count; n++)
        {
            for (var k = 0; k < Scenarios; k++)
            {
                var expected = ReferenceScorer.Score(instance, plans[n], 42, 1000 + k);
                var actual = matrix[n, k];
                var scale = Math.Max(1, Math.Abs(expected.LeaseRevenue) + Math.Abs(expected.JobValue) + Math.Abs(expected.SpotRevenue));
                var gross = expected.LeaseRevenue + expected.Penalty + expected.JobValue + expected.SpotRevenue + expected.PowerCost;
                var tolerance = Options.Precision == ScoringPrecision.Mixed ? ScoringArithmetic.MixedRelativeBound * Math.Max(1, gross) : 1e-9 * scale;
                var e = ScoringCases.Parts(expected);
                var a = ScoringCases.Parts(actual);
                for (var i = 0; i < e.Length; i++)
                {
                    Assert.True(Math.Abs(e[i] - a[i]) <= tolerance, $"plan {n}, scenario {k}, part {i}: reference {e[i]:R}, {Device} {a[i]:R}");
                }
            }
        }
    }
}

public sealed class CpuFastPathAgreementTests : ScorerAgreementTests
{
    protected override ScoringDevice Device => ScoringDevice.Cpu;
}

public sealed class CpuScalarPathAgreementTests : ScorerAgreementTests
{
    protected override ScoringDevice Device => ScoringDevice.Cpu;

    protected override ScorerOptions Options => new(CpuLanes: false);
}

public sealed class IlgpuCpuAcceleratorAgreementTests : ScorerAgreementTests
{
    protected override ScoringDevice Device => ScoringDevice.IlgpuCpu;

    // The emulator is slow; fewer pairs still cover every code path (greedy plan, overbooked random plans).
    protected override int PlanCount => 3;

    protected override int Scenarios => 8;
}

public sealed class CpuFastPathMixedAgreementTests : ScorerAgreementTests
{
    protected override ScoringDevice Device => ScoringDevice.Cpu;

    protected override ScorerOptions Options => new(ScoringPrecision.Mixed);
}

public sealed class IlgpuCpuAcceleratorMixedAgreementTests : ScorerAgreementTests
{
    protected override ScoringDevice Device => ScoringDevice.IlgpuCpu;

    protected override ScorerOptions Options => new(ScoringPrecision.Mixed);

    protected override int PlanCount => 3;

    protected override int Scenarios => 8;
}

/// <summary>The kernel with its state in global memory: the fallback for instances too large for the other placements.</summary>
public sealed class IlgpuCpuAcceleratorGlobalStateAgreementTests : ScorerAgreementTests
{
    protected override ScoringDevice Device => ScoringDevice.IlgpuCpu;

    protected override ScorerOptions Options => new(State: KernelState.Global);

    protected override int PlanCount => 3;

    protected override int Scenarios => 8;
}

public sealed class IlgpuCpuAcceleratorSharedStateAgreementTests : ScorerAgreementTests
{
    protected override ScoringDevice Device => ScoringDevice.IlgpuCpu;

    protected override ScorerOptions Options => new(State: KernelState.Shared);

    protected override int PlanCount => 3;

    protected override int Scenarios => 8;
}

/// <summary>
/// The shared-state kernel where a plan's scenarios take more than one run of a group (16 threads on the emulator) and
/// the last run is partly idle: each run copies its plan into shared memory again.
/// </summary>
public sealed class IlgpuCpuAcceleratorSharedStateRunsAgreementTests : ScorerAgreementTests
{
    protected override ScoringDevice Device => ScoringDevice.IlgpuCpu;

    protected override ScorerOptions Options => new(State: KernelState.Shared);

    protected override int PlanCount => 3;

    protected override int Scenarios => 21;
}

public sealed class IlgpuCpuAcceleratorLocalStateAgreementTests : ScorerAgreementTests
{
    protected override ScoringDevice Device => ScoringDevice.IlgpuCpu;

    protected override ScorerOptions Options => new(State: KernelState.Local);

    protected override int PlanCount => 3;

    protected override int Scenarios => 8;
}
