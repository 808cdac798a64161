using Allocator.Core.Scenarios;

namespace Allocator.Kernels.Tests;

public sealed class RiskKernelTests
{
    [Theory]
    [InlineData(ScoringDevice.Cpu, 0.05)]
    [InlineData(ScoringDevice.Cpu, 0.3)]
    [InlineData(ScoringDevice.IlgpuCpu, 0.1)]
    public void Summaries_computed_where_the_outcomes_are_equal_the_host_summary_of_every_outcome(ScoringDevice device, double alpha)
    {
        var instance = ScoringCases.Instance(7);
        var plans = ScoringCases.Plans(instance, 7, 5);
        using var scorer = BulkScorer.Create(device);
        const int scenarios = 37; // odd, so ceil(alpha * S) rounds

        var matrix = scorer.Score(instance, plans, 3, scenarios, scenarioOffset: 11);
        var report = scorer.Summarize(instance, plans, 3, scenarios, alpha, scenarioOffset: 11);

        Assert.Equal(plans.Count, report.Plans.Count);
        for (var n = 0; n < plans.Count; n++)
        {
            var expected = RiskSummary.Of(matrix.ForPlan(n), alpha);
            var actual = report.Plans[n];
            var scale = Math.Max(1, Math.Abs(expected.Mean));
            Assert.Equal(expected.Scenarios, actual.Scenarios);
            Assert.Equal(expected.Mean, actual.Mean, 1e-12 * scale);
            Assert.Equal(expected.StandardDeviation, actual.StandardDeviation, 1e-9 * scale);
            Assert.Equal(expected.CVaR, actual.CVaR, 1e-12 * scale);
            Assert.Equal(expected.ProbabilityAnyLeaseShort, actual.ProbabilityAnyLeaseShort);
            Assert.Equal(expected.ExpectedShortGpuHours, actual.ExpectedShortGpuHours, 1e-9 * Math.Max(1, expected.ExpectedShortGpuHours));
            Assert.Equal(expected.MeanPenalty, actual.MeanPenalty, 1e-12 * scale);
            Assert.Equal(expected.MeanJobValue, actual.MeanJobValue, 1e-12 * scale);
            Assert.True(actual.CVaR <= actual.Mean);
        }

        // The plans differ, so the check is not comparing one summary with itself.
        Assert.True(report.Plans.Select(r => r.Mean).Distinct().Count() > 1);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(300)]
    public void The_group_kernel_on_the_device_and_the_fast_path_on_the_cpu_give_the_same_summary_to_the_last_bit(int scenarios)
    {
        // The device sorts with a bitonic network spread over a thread group, the CPU keeps the tail's smallest values in a
        // heap on one thread and sorts those;
        // the sums run in scenario order on both. 300 scenarios is more than a group's threads and not a power of two,
        // and the alphas read prefixes of the sorted totals from one value to nearly all of them.
        var instance = ScoringCases.Instance(11);
        var plans = ScoringCases.Plans(instance, 11, 3);
        using var cpu = BulkScorer.Create(ScoringDevice.Cpu);
        using var device = BulkScorer.Create(ScoringDevice.IlgpuCpu);
        foreach (var alpha in new[] { 1e-9, 0.1, 0.5, 0.95, 1.0 })
        {
            var expected = cpu.Summarize(instance, plans, 5, scenarios, alpha).Plans;
            var actual = device.Summarize(instance, plans, 5, scenarios, alpha).Plans;
            Assert.Equal(expected, actual);
        }

        // Tails of different lengths differ, so the alphas did read different prefixes.
        var tails = new[] { 1e-9, 0.5 }.Select(a => cpu.Summarize(instance, plans, 5, scenarios, a).Plans[0].CVaR).ToList();
        Assert.True(scenarios == 1 || tails[0] < tails[1]);
    }
}
