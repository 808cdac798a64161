using Allocator.Core.Scenarios;

namespace Allocator.Search.Tests;

public sealed class RiskMeasureTests
{
    private static RiskSummary Summary(double mean, double cvar, double shortProbability) =>
        new(1000, mean, 1, 0.05, cvar, shortProbability, 0, 0, 0, 0, 0, 0);

    [Theory]
    [InlineData("expected", "expected")]
    [InlineData("cvar:0.05:0.5", "cvar:0.05:0.5")]
    [InlineData(" CVaR:0.1:1 ", "cvar:0.1:1")]
    [InlineData("chance:0.02", "chance:0.02")]
    public void Parses_the_documented_forms(string text, string canonical)
    {
        var measure = RiskMeasure.Parse(text, out var error);
        Assert.Null(error);
        Assert.Equal(canonical, measure!.Text);
    }

    [Theory]
    [InlineData("cvar:0:0.5", "ALPHA")]
    [InlineData("cvar:0.05:2", "LAMBDA")]
    [InlineData("cvar:0.05", "not a risk measure")]
    [InlineData("chance:1.5", "EPS")]
    [InlineData("chance:abc", "not a risk measure")]
    [InlineData("worst-case", "not a risk measure")]
    public void Rejects_bad_text_naming_the_part_to_fix(string text, string named)
    {
        Assert.Null(RiskMeasure.Parse(text, out var error));
        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.Contains("--risk", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cvar_value_is_the_mean_less_lambda_times_the_tail_shortfall()
    {
        var s = Summary(mean: 100, cvar: 40, shortProbability: 0);
        Assert.Equal(100, new RiskMeasure.ConditionalValueAtRisk(0.05, 0).ValueOf(s));
        Assert.Equal(70, new RiskMeasure.ConditionalValueAtRisk(0.05, 0.5).ValueOf(s));
        Assert.Equal(40, new RiskMeasure.ConditionalValueAtRisk(0.05, 1).ValueOf(s));
    }

    [Fact]
    public void Chance_ranks_every_plan_within_the_limit_above_every_plan_over_it()
    {
        var chance = new RiskMeasure.Chance(0.05);
        var within = chance.FitnessOf(Summary(mean: 10, cvar: 0, shortProbability: 0.05));
        var slightlyOver = chance.FitnessOf(Summary(mean: 1_000_000, cvar: 0, shortProbability: 0.06));
        var farOver = chance.FitnessOf(Summary(mean: 2_000_000, cvar: 0, shortProbability: 0.5));
        Assert.True(within.Beats(slightlyOver));
        Assert.True(slightlyOver.Beats(farOver));
        Assert.True(within.Admissible);
        Assert.False(slightlyOver.Admissible);
    }

    [Fact]
    public void Values_within_a_dollar_rank_as_a_tie()
    {
        var a = new Fitness(true, 1_000_000_000.0001, 0);
        var b = new Fitness(true, 1_000_000_000.0002, 0);
        Assert.Equal(0, a.CompareTo(b));
        Assert.True(new Fitness(true, 1_000_000_002, 0).Beats(a));
    }
}
