using Allocator.Core.Evaluation;
using Allocator.Core.Scenarios;
using Allocator.Kernels;

namespace Allocator.Search.Tests;

/// <summary>
/// The search on a scorer of the test's own: it values a plan by how few leases and jobs it places, so the best plan is
/// the emptiest feasible one. What the search does is then known without any scenario: it must only ever ask about
/// feasible plans, keep the commitments, and move towards fewer placements.
/// </summary>
public sealed class FakeScorerTests
{
    [Fact]
    public void The_search_follows_the_scorer_it_is_given_and_only_ever_scores_feasible_plans()
    {
        var instance = SearchCases.Generated(3);
        var exact = SearchCases.Exact(instance);
        var scorer = new FewestPlacements();

        var result = RobustSearch.Run(instance, scorer, [new SeedPlan("exact", exact)], new SearchOptions
        {
            Scenarios = 4,
            BatchSize = 32,
            EvaluationBudget = 2_000,
            TimeLimit = null,
            BufferShares = [],
        });

        Assert.All(scorer.Seen, plan => Assert.True(PlanEvaluator.Evaluate(instance, plan).IsFeasible));
        Assert.True(scorer.Seen.Count > 100);
        Assert.True(FewestPlacements.Placed(result.Best.Assignment) < FewestPlacements.Placed(exact));
        Assert.Equal(-FewestPlacements.Placed(result.Best.Assignment), result.Best.Risk.Mean);
        Assert.Equal(scorer.Seen.Min(FewestPlacements.Placed), FewestPlacements.Placed(result.Best.Assignment));
        Assert.True(PlanEvaluator.Evaluate(instance, result.Best.Assignment).IsFeasible);
    }

    /// <summary>Every scenario of a plan is worth minus the number of leases and jobs it places.</summary>
    private sealed class FewestPlacements : IPlanScorer
    {
        public List<Assignment> Seen { get; } = [];

        public string Description => "fewest placements (a test's scorer)";

        public static int Placed(Assignment plan) => plan.LeasePool.Count(p => p >= 0) + plan.JobPool.Count(p => p >= 0);

        public PreparedPlans Prepare(CompiledInstance instance, IReadOnlyList<Assignment> plans) => new ReferencePlanScorer().Prepare(instance, plans);

        public ScoreMatrix Score(CompiledInstance instance, IReadOnlyList<Assignment> plans, ulong seed, int scenarios, long scenarioOffset = 0) =>
            ScoreMatrix.Of([.. plans.Select(plan => Outcomes(plan, scenarios))], TimeSpan.Zero);

        public RiskReport Summarize(PreparedPlans plans, ulong seed, int scenarios, double alpha, long scenarioOffset = 0)
        {
            lock (Seen)
            {
                Seen.AddRange(plans.Plans);
            }

            return new RiskReport([.. plans.Plans.Select(plan => RiskSummary.Of(Outcomes(plan, scenarios), alpha))], TimeSpan.Zero);
        }

        private static ScenarioOutcome[] Outcomes(Assignment plan, int scenarios) =>
            [.. Enumerable.Repeat(new ScenarioOutcome(-Placed(plan), 0, 0, 0, 0, 0), scenarios)];
    }
}
