using Allocator.Core.Evaluation;
using Allocator.Kernels;

namespace Allocator.Search.Tests;

public sealed class RobustSearchTests
{
    private static SearchOptions Budget(long evaluations, RiskMeasure? risk = null, ulong seed = 5) => new()
    {
        Risk = risk ?? new RiskMeasure.Expected(),
        Scenarios = 200,
        Seed = seed,
        BatchSize = 64,
        EvaluationBudget = evaluations,
        TimeLimit = null,
    };

    [Fact]
    public void Finds_the_robust_answer_to_the_outage_trap_and_proves_it_out_of_sample()
    {
        var instance = SearchCases.OutageTrap();
        var exact = SearchCases.Exact(instance);
        Assert.True(SearchCases.Accepted(instance, exact, "big"));

        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);
        var result = RobustSearch.Run(instance, scorer, [new SeedPlan("exact", exact)], Budget(500));

        Assert.True(SearchCases.Accepted(instance, result.Best.Assignment, "small"));
        Assert.False(SearchCases.Accepted(instance, result.Best.Assignment, "big"));
        Assert.True(result.Best.Risk.Mean > result.Seeds[0].Risk.Mean);
        Assert.Equal(0, result.Best.Risk.ProbabilityAnyLeaseShort);

        var oos = OutOfSample.Compare(instance, scorer, new RiskMeasure.Expected(), exact, result.Best.Assignment, OutOfSample.FreshSeed(5), 2000);
        Assert.Equal(Verdict.Better, oos.Verdict);
        Assert.True(oos.MeasureDifference.AboveZero);
        Assert.Contains("beats the exact plan", oos.Sentence, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("expected")]
    [InlineData("cvar:0.1:0.7")]
    [InlineData("chance:0.05")]
    public void Returns_a_feasible_plan_never_worse_than_the_exact_plan_on_its_scenarios(string riskText)
    {
        var instance = SearchCases.Generated(11);
        var exact = SearchCases.Exact(instance);
        var risk = RiskMeasure.Parse(riskText, out _)!;
        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);
        var result = RobustSearch.Run(instance, scorer, [new SeedPlan("exact", exact)], Budget(400, risk));

        Assert.True(PlanEvaluator.Evaluate(instance, result.Best.Assignment).IsFeasible);
        // Recompute both plans' scores independently on the same scenarios.
        var check = scorer.Summarize(instance, [exact, result.Best.Assignment], 5, 200, risk.Alpha);
        Assert.True(risk.FitnessOf(check.Plans[1]) >= risk.FitnessOf(check.Plans[0]));
        Assert.Equal(result.Best.Risk.Mean, check.Plans[1].Mean, 6);
        Assert.Equal(400, result.Evaluations);
        Assert.Equal(StopReason.Budget, result.Stopped);
    }

    [Fact]
    public void A_fleet_with_no_leases_or_jobs_ends_the_search_at_the_empty_plan_instead_of_failing()
    {
        // Only spot is sold: no move applies, so the search runs out of new plans (it divided by zero picking an item).
        var instance = new CompiledInstance(SearchCases.OutageTrap().Source with { Leases = [] });
        var exact = SearchCases.Exact(instance);
        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);

        var result = RobustSearch.Run(instance, scorer, [new SeedPlan("exact", exact)], Budget(300));

        Assert.Equal(StopReason.Exhausted, result.Stopped);
        Assert.True(PlanEvaluator.Evaluate(instance, result.Best.Assignment).IsFeasible);
        Assert.Equal(result.Seeds[0].Risk.Mean, result.Best.Risk.Mean);
    }

    [Fact]
    public void Chance_constraint_is_met_on_the_search_scenarios_when_a_plan_can_meet_it()
    {
        var instance = SearchCases.OutageTrap();
        var exact = SearchCases.Exact(instance);
        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);
        var result = RobustSearch.Run(instance, scorer, [new SeedPlan("exact", exact)], Budget(300, new RiskMeasure.Chance(0)));
        Assert.False(result.Seeds[0].Fitness.Admissible);
        Assert.True(result.Best.Fitness.Admissible);
        Assert.Equal(0, result.Best.Risk.ProbabilityAnyLeaseShort);
    }

    [Fact]
    public void Same_seed_and_budget_give_the_same_plan_whatever_the_scoring_backend()
    {
        var instance = SearchCases.Generated(21, pools: 2, leases: 8, jobs: 4, periods: 6);
        var exact = SearchCases.Exact(instance);
        var options = Budget(192) with { Scenarios = 32, BatchSize = 48 };
        SearchResult Run(ScoringDevice device)
        {
            using var scorer = BulkScorer.Create(device);
            return RobustSearch.Run(instance, scorer, [new SeedPlan("exact", exact)], options);
        }

        var first = Run(ScoringDevice.Cpu);
        var again = Run(ScoringDevice.Cpu);
        var emulated = Run(ScoringDevice.IlgpuCpu);
        Assert.Equal(first.Best.Assignment.LeasePool.ToArray(), again.Best.Assignment.LeasePool.ToArray());
        Assert.Equal(first.Best.Assignment.JobStart.ToArray(), again.Best.Assignment.JobStart.ToArray());
        Assert.Equal(first.Best.Risk, again.Best.Risk);
        Assert.Equal(first.Best.Assignment.LeasePool.ToArray(), emulated.Best.Assignment.LeasePool.ToArray());
        Assert.Equal(first.Best.Assignment.LeaseStart.ToArray(), emulated.Best.Assignment.LeaseStart.ToArray());
        Assert.Equal(first.Best.Assignment.JobPool.ToArray(), emulated.Best.Assignment.JobPool.ToArray());
        Assert.Equal(first.Best.Assignment.JobStart.ToArray(), emulated.Best.Assignment.JobStart.ToArray());
        Assert.Equal(first.Best.Risk.Mean, emulated.Best.Risk.Mean, 6);

        // A different seed explores differently (different scenarios and moves).
        var other = RobustSearch.Run(instance, BulkScorer.Create(ScoringDevice.Cpu), [new SeedPlan("exact", exact)], options with { Seed = 99 });
        Assert.NotEqual(first.Best.Risk.Mean, other.Best.Risk.Mean);
    }

    [Fact]
    public void Without_uncertainty_the_exact_plan_stays_and_the_report_says_no_difference()
    {
        var instance = SearchCases.Generated(13, uncertainty: false);
        var exact = SearchCases.Exact(instance);
        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);
        var result = RobustSearch.Run(instance, scorer, [new SeedPlan("exact", exact)], Budget(300));

        // Every scenario is the deterministic objective and the exact plan is optimal: nothing beats it.
        Assert.Equal("exact", result.Best.Name);
        Assert.Equal(PlanEvaluator.Evaluate(instance, exact).Objective.Total, result.Best.Risk.Mean, 1e-6 * Math.Abs(result.Best.Risk.Mean));
        var oos = OutOfSample.Compare(instance, scorer, new RiskMeasure.Expected(), exact, result.Best.Assignment, 77, 100);
        Assert.Equal(Verdict.NotShown, oos.Verdict);
        Assert.Contains("No out-of-sample difference can be claimed", oos.Sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cancelled_search_returns_the_best_seed_at_once()
    {
        var instance = SearchCases.OutageTrap();
        var exact = SearchCases.Exact(instance);
        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var result = RobustSearch.Run(instance, scorer, [new SeedPlan("exact", exact)], Budget(10_000), cancellation: cancelled.Token);
        Assert.Equal(StopReason.Cancelled, result.Stopped);
        Assert.Equal(0, result.Evaluations);
        Assert.True(PlanEvaluator.Evaluate(instance, result.Best.Assignment).IsFeasible);
    }

    [Fact]
    public void An_infeasible_seed_is_refused_with_its_name()
    {
        var instance = SearchCases.OutageTrap();
        var both = Assignment.Empty(instance) with { LeasePool = [0, 0], LeaseStart = [0, 0] };
        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);
        var e = Assert.Throws<ArgumentException>(() => RobustSearch.Run(instance, scorer, [new SeedPlan("hand-made", both)], Budget(10)));
        Assert.Contains("hand-made", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_search_with_no_way_to_stop_is_refused()
    {
        var options = new SearchOptions { TimeLimit = null, EvaluationBudget = null };
        Assert.Throws<ArgumentException>(options.Validate);
    }
}
