using Allocator.Core.Scenarios;

namespace Allocator.Kernels.Tests;

public sealed class MixedPrecisionTests
{
    [Fact]
    public void Mixed_precision_moves_money_by_float32_rounding_within_its_bound_and_leaves_every_recourse_decision_alone()
    {
        using var exact = BulkScorer.Create(ScoringDevice.Cpu);
        using var mixed = BulkScorer.Create(ScoringDevice.Cpu, options: new ScorerOptions(ScoringPrecision.Mixed));
        var instance = ScoringCases.Instance(2);
        var plans = ScoringCases.Plans(instance, 2, 8);

        var d = exact.Score(instance, plans, seed: 7, 200);
        var m = mixed.Score(instance, plans, seed: 7, 200);

        var differs = 0;
        var worst = 0.0;
        for (var n = 0; n < plans.Count; n++)
        {
            for (var k = 0; k < 200; k++)
            {
                var (a, b) = (d[n, k], m[n, k]);
                var gross = a.LeaseRevenue + a.Penalty + a.JobValue + a.SpotRevenue + a.PowerCost;
                worst = Math.Max(worst, Math.Abs(a.Total - b.Total) / Math.Max(1, gross));
                differs += a.Total == b.Total ? 0 : 1;
                // GPU-hours short and each job's value depend only on counts and power, which stay float64.
                Assert.Equal(a.ShortGpuHours, b.ShortGpuHours);
                Assert.Equal(a.JobValue, b.JobValue);
            }
        }

        Assert.True(differs > 0, "the mixed path gave exactly the double path's totals: it is not multiplying in float32");
        Assert.True(worst <= ScoringArithmetic.MixedRelativeBound, $"worst relative difference {worst:E2}");
        Assert.StartsWith("cpu", mixed.Description, StringComparison.Ordinal);
        Assert.EndsWith("mixed precision", mixed.Description, StringComparison.Ordinal);
    }
}

public sealed class StatePlacementTests
{
    [Fact]
    public void Each_kernel_state_is_used_where_the_state_fits_it_and_the_fast_path_has_no_kernel()
    {
        var instance = ScoringCases.Instance(1);
        using var shared = BulkScorer.Create(ScoringDevice.IlgpuCpu, options: new ScorerOptions(State: KernelState.Shared));
        using var local = BulkScorer.Create(ScoringDevice.IlgpuCpu, options: new ScorerOptions(State: KernelState.Local));
        using var global = BulkScorer.Create(ScoringDevice.IlgpuCpu, options: new ScorerOptions(State: KernelState.Global));
        using var cpu = BulkScorer.Create(ScoringDevice.Cpu);

        Assert.StartsWith("shared memory", shared.StatePlacement(instance), StringComparison.Ordinal);
        Assert.StartsWith("local memory", local.StatePlacement(instance), StringComparison.Ordinal);
        Assert.Equal("global memory", global.StatePlacement(instance));
        Assert.Null(cpu.StatePlacement(instance));
    }

    [Fact]
    public void A_pair_state_larger_than_the_local_array_falls_back_to_global_memory_and_still_agrees()
    {
        // 130 jobs: 130 job slots, past the compiled local array.
        var instance = new Core.Evaluation.CompiledInstance(Core.Generation.InstanceGenerator.Generate(new Core.Generation.GeneratorOptions(3, 10, 130, 12, 5, Uncertainty: true)));
        Assert.True(PairScorer.JobSlots(instance.JobCount) > BulkScorer.MaxLocalState);
        using var local = BulkScorer.Create(ScoringDevice.IlgpuCpu, options: new ScorerOptions(State: KernelState.Local));
        var plans = ScoringCases.Plans(instance, 5, 2);

        var matrix = local.Score(instance, plans, seed: 3, 4);

        Assert.Equal("global memory", local.StatePlacement(instance));
        for (var n = 0; n < plans.Count; n++)
        {
            for (var k = 0; k < 4; k++)
            {
                var expected = Core.Scenarios.ReferenceScorer.Score(instance, plans[n], 3, k).Total;
                Assert.True(Math.Abs(expected - matrix[n, k].Total) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"plan {n}, scenario {k}");
            }
        }
    }
}
