using Allocator.Core.Scenarios;

namespace Allocator.Search.Tests;

public sealed class OutOfSampleTests
{
    private static ScenarioOutcome Outcome(double total, double shortHours = 0) => new(total, 0, 0, 0, 0, shortHours);

    [Fact]
    public void Paired_mean_interval_is_the_normal_interval_of_the_differences()
    {
        // Differences 1, 2, 3, 4: mean 2.5, sample variance 5/3, half-width 1.96 * sqrt(5/3 / 4).
        var interval = OutOfSample.PairedMean([1, 2, 3, 4]);
        var half = 1.959963984540054 * Math.Sqrt(5.0 / 3 / 4);
        Assert.Equal(2.5, interval.Estimate, 12);
        Assert.Equal(2.5 - half, interval.Low, 12);
        Assert.Equal(2.5 + half, interval.High, 12);
    }

    [Fact]
    public void Pairing_removes_the_shared_noise()
    {
        // Both plans swing by millions with the scenario; the candidate is always exactly 1,000 better.
        var baseline = Enumerable.Range(0, 500).Select(k => Outcome(1e6 * Math.Sin(k))).ToList();
        var candidate = baseline.Select(o => Outcome(o.Total + 1000)).ToList();
        var c = OutOfSample.Compare(new RiskMeasure.Expected(), 1, baseline, candidate);
        Assert.Equal(Verdict.Better, c.Verdict);
        Assert.Equal(1000, c.MeanDifference.Estimate, 6);
        Assert.True(c.MeanDifference.High - c.MeanDifference.Low < 1e-3);
    }

    [Fact]
    public void Identical_plans_show_no_difference_and_say_so()
    {
        var outcomes = Enumerable.Range(0, 200).Select(k => Outcome(k * 10.0)).ToList();
        var c = OutOfSample.Compare(new RiskMeasure.ConditionalValueAtRisk(0.1, 0.5), 1, outcomes, outcomes);
        Assert.Equal(Verdict.NotShown, c.Verdict);
        Assert.Equal(0, c.MeasureDifference.Estimate);
        Assert.Contains("the interval includes zero", c.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Cvar_interval_comes_from_a_reproducible_bootstrap_around_the_estimate()
    {
        // The candidate removes the bad tail: the worst 10% of scenarios lose 100 instead of 1,000.
        var baseline = Enumerable.Range(0, 1000).Select(k => Outcome(k % 10 == 0 ? -1000 : 100 + (k % 7))).ToList();
        var candidate = Enumerable.Range(0, 1000).Select(k => Outcome(k % 10 == 0 ? -100 : 100 + (k % 7))).ToList();
        var risk = new RiskMeasure.ConditionalValueAtRisk(0.1, 1);
        var c = OutOfSample.Compare(risk, 3, baseline, candidate);
        Assert.Equal(900, c.MeasureDifference.Estimate, 6);
        Assert.True(c.MeasureDifference.Low <= 900 && 900 <= c.MeasureDifference.High);
        Assert.Equal(Verdict.Better, c.Verdict);
        Assert.Equal(c.MeasureDifference, OutOfSample.Compare(risk, 3, baseline, candidate).MeasureDifference);
    }

    [Fact]
    public void Under_a_chance_limit_a_plan_that_keeps_it_beats_one_that_does_not()
    {
        var baseline = Enumerable.Range(0, 1000).Select(k => Outcome(100, shortHours: k % 5 == 0 ? 10 : 0)).ToList();
        var candidate = Enumerable.Range(0, 1000).Select(k => Outcome(90)).ToList();
        var c = OutOfSample.Compare(new RiskMeasure.Chance(0.05), 1, baseline, candidate);
        Assert.Equal(Verdict.Better, c.Verdict);
        Assert.Equal(-0.2, c.ShortProbabilityDifference.Estimate, 12);
        Assert.True(c.MeanDifference.BelowZero);
    }

    [Fact]
    public void The_fresh_seed_differs_from_the_search_seed()
    {
        Assert.NotEqual(1UL, OutOfSample.FreshSeed(1));
        Assert.NotEqual(OutOfSample.FreshSeed(1), OutOfSample.FreshSeed(2));
    }
}
