namespace Allocator.Kernels.Tests;

/// <summary>
/// A call of more scenarios than one call's tables may hold is scored batch after batch, with the outcomes and risk
/// summaries of one call: scenario k is the same draw in any batch. (`score --scenarios 3000000` on colossus used to
/// fail: one call's tables passed 32-bit offsets, and would have needed 17 GB.)
/// </summary>
public sealed class ScenarioBatchTests
{
    [Theory]
    [InlineData(ScoringDevice.Cpu)]
    [InlineData(ScoringDevice.IlgpuCpu)]
    public void More_scenarios_than_a_call_holds_give_the_outcomes_and_summaries_of_one_call(ScoringDevice device)
    {
        var instance = ScoringCases.Instance(1);
        var plans = ScoringCases.Plans(instance, 1, 3);
        var stride = ScoreParams.For(instance, plans.Count, 1, 0, 0).TableStride;
        using var whole = BulkScorer.Create(device);
        using var batched = BulkScorer.Create(device, options: ScorerOptions.Default with { TableBytesPerCall = 7L * stride * sizeof(double) });

        var one = whole.Score(instance, plans, seed: 42, scenarios: 30, scenarioOffset: 100);
        var joined = batched.Score(instance, plans, seed: 42, scenarios: 30, scenarioOffset: 100);
        var oneRisk = whole.Summarize(instance, plans, seed: 42, scenarios: 30, alpha: 0.1, scenarioOffset: 100);
        var joinedRisk = batched.Summarize(instance, plans, seed: 42, scenarios: 30, alpha: 0.1, scenarioOffset: 100);

        Assert.Equal(7, batched.ScenariosPerCall(instance, plans.Count));
        Assert.True(whole.ScenariosPerCall(instance, plans.Count) > 30);
        for (var n = 0; n < plans.Count; n++)
        {
            Assert.Equal(one.ForPlan(n), joined.ForPlan(n));
            var (a, b) = (oneRisk.Plans[n], joinedRisk.Plans[n]);
            Assert.Equal(30, b.Scenarios);
            foreach (var (x, y) in new[] { (a.Mean, b.Mean), (a.StandardDeviation, b.StandardDeviation), (a.CVaR, b.CVaR), (a.ProbabilityAnyLeaseShort, b.ProbabilityAnyLeaseShort), (a.MeanJobValue, b.MeanJobValue) })
            {
                Assert.True(Math.Abs(x - y) <= 1e-9 * Math.Max(1, Math.Abs(x)), $"plan {n}: one call {x:R}, in batches {y:R}");
            }
        }
    }
}
