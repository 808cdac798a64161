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
    public void The_kernel_keeps_its_state_in_shared_memory_unless_told_otherwise_and_the_fast_path_has_no_kernel()
    {
        var instance = ScoringCases.Instance(1);
        using var emulator = BulkScorer.Create(ScoringDevice.IlgpuCpu);
        using var global = BulkScorer.Create(ScoringDevice.IlgpuCpu, options: new ScorerOptions(StateInGlobalMemory: true));
        using var cpu = BulkScorer.Create(ScoringDevice.Cpu);

        Assert.StartsWith("shared memory", emulator.StatePlacement(instance), StringComparison.Ordinal);
        Assert.Equal("global memory", global.StatePlacement(instance));
        Assert.Null(cpu.StatePlacement(instance));
    }
}
