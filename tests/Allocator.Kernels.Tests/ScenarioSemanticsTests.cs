using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Planning;
using Allocator.Core.Scenarios;

namespace Allocator.Kernels.Tests;

public sealed class ScenarioSemanticsTests
{
    private static readonly Uncertainty Nothing = new(null, null, null, false, 0);

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)] // a spot price per period
    [InlineData(3UL)] // offers announced later (made for sure without uncertainty), milestones (no outcome to know)
    [InlineData(5UL)]
    [InlineData(9UL)]
    public void Without_uncertainty_every_scenario_is_worth_the_deterministic_objective(ulong seed)
    {
        var instance = ScoringCases.Instance(seed, withUncertainty: false);
        var plan = GreedyPlanner.Plan(instance)!;
        var objective = PlanEvaluator.Evaluate(instance, plan).Objective.Total;
        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);

        var matrix = scorer.Score(instance, [plan], seed: 7, scenarios: 20);

        for (var k = 0; k < 20; k++)
        {
            Assert.Equal(objective, matrix[0, k].Total, 1e-6 * Math.Abs(objective));
            Assert.Equal(objective, ReferenceScorer.Score(instance, plan, 7, k).Total, 1e-6 * Math.Abs(objective));
            Assert.False(matrix[0, k].AnyLeaseShort);
        }
    }

    [Fact]
    public void Every_source_switched_off_is_the_same_as_no_uncertainty_section()
    {
        var instance = ScoringCases.Instance(3, Nothing with { Outage = new Outage(0, 0), DeliverySlip = new DeliverySlip(0, 3) });
        var plan = GreedyPlanner.Plan(instance)!;
        var objective = PlanEvaluator.Evaluate(instance, plan).Objective.Total;

        Assert.All(Enumerable.Range(0, 10), k => Assert.Equal(objective, ReferenceScorer.Score(instance, plan, 1, k).Total, 1e-6 * Math.Abs(objective)));
    }

    [Fact]
    public void With_job_success_alone_the_mean_converges_to_the_deterministic_objective()
    {
        var instance = ScoringCases.Instance(4, Nothing with { JobSuccess = true });
        var plan = GreedyPlanner.Plan(instance)!;
        var objective = PlanEvaluator.Evaluate(instance, plan).Objective.Total;
        const int scenarios = 4000;
        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);

        var summary = RiskSummary.Of(scorer.Score(instance, [plan], seed: 11, scenarios).ForPlan(0), 0.05);

        // Independent Bernoulli successes: variance = sum p (1 - p) v^2 over scheduled jobs, v their decayed value.
        var variance = 0.0;
        for (var j = 0; j < instance.JobCount; j++)
        {
            if (plan.JobPool[j] >= 0)
            {
                var v = instance.JobExpectedValue(j, plan.JobStart[j]) / instance.JobSuccessProbability[j];
                variance += instance.JobSuccessProbability[j] * (1 - instance.JobSuccessProbability[j]) * v * v;
            }
        }

        Assert.True(variance > 0, "the plan schedules jobs with uncertain success");
        Assert.InRange(summary.Mean, objective - 4 * Math.Sqrt(variance / scenarios), objective + 4 * Math.Sqrt(variance / scenarios));
        Assert.Equal(Math.Sqrt(variance), summary.StandardDeviation, 0.1 * Math.Sqrt(variance));
    }

    [Fact]
    public void Higher_penalties_never_raise_a_score()
    {
        var instance = ScoringCases.Instance(6);
        var doubled = new CompiledInstance(instance.Source with { Leases = [.. instance.Source.Leases.Select(l => l with { PenaltyPerGpuHour = 2 * l.PenaltyPerGpuHour + 1 })] });
        var plans = ScoringCases.Plans(instance, 6, 5);
        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);

        var before = scorer.Score(instance, plans, 3, 50);
        var after = scorer.Score(doubled, plans, 3, 50);

        for (var n = 0; n < plans.Count; n++)
        {
            for (var k = 0; k < 50; k++)
            {
                Assert.True(after[n, k].Total <= before[n, k].Total, $"plan {n} scenario {k}");
            }
        }

        Assert.Contains(Enumerable.Range(0, 50), k => after[1, k].Total < before[1, k].Total);
    }

    [Fact]
    public void More_outage_never_raises_the_mean_of_a_fixed_plan()
    {
        var means = new[] { 0.01, 0.03, 0.06, 0.09 }.Select(mean =>
        {
            var instance = ScoringCases.Instance(8, Nothing with { Outage = new Outage(mean, 0.1) });
            var plan = GreedyPlanner.Plan(ScoringCases.Instance(8, withUncertainty: false))!;
            using var scorer = BulkScorer.Create(ScoringDevice.Cpu);
            return RiskSummary.Of(scorer.Score(instance, [plan], 5, 300).ForPlan(0), 0.1).Mean;
        }).ToList();

        for (var i = 1; i < means.Count; i++)
        {
            Assert.True(means[i] < means[i - 1], $"mean {means[i]:N0} at outage step {i} is not below {means[i - 1]:N0}");
        }
    }

    [Fact]
    public void A_scenario_is_the_same_draw_whatever_the_batch_the_plan_order_or_the_offset()
    {
        var instance = ScoringCases.Instance(2);
        var plans = ScoringCases.Plans(instance, 2, 4);
        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);

        var all = scorer.Score(instance, plans, 99, 40);
        var reordered = scorer.Score(instance, [plans[3], plans[1]], 99, 15, scenarioOffset: 25);

        for (var k = 0; k < 15; k++)
        {
            Assert.Equal(all[3, 25 + k], reordered[0, k]);
            Assert.Equal(all[1, 25 + k], reordered[1, k]);
        }
    }

    [Fact]
    public void Cvar_is_the_mean_of_the_worst_share_and_never_above_the_mean()
    {
        var outcomes = Enumerable.Range(1, 10).Select(v => new ScenarioOutcome(v * 100, 0, 0, 0, 0, v <= 2 ? 5 : 0)).ToList();

        var summary = RiskSummary.Of(outcomes, 0.2);

        Assert.Equal(550, summary.Mean, 9);
        Assert.Equal(150, summary.CVaR, 9);             // worst 2 of 10: 100 and 200
        Assert.Equal(0.2, summary.ProbabilityAnyLeaseShort, 9);
        Assert.Equal(1.0, summary.ExpectedShortGpuHours, 9);
    }

    [Theory]
    [InlineData(ScoringDevice.Cpu)]
    [InlineData(ScoringDevice.IlgpuCpu)]
    public void An_accepted_offer_the_scenario_does_not_make_earns_nothing_and_its_gpus_stay_free(ScoringDevice device)
    {
        var instance = ScoringCases.Instance(3);
        var announced = Enumerable.Range(0, instance.LeaseCount).Where(instance.OfferMayNotArrive).ToList();
        Assert.NotEmpty(announced);
        var plan = ScoringCases.Plans(instance, 3, 2)[1];
        var declined = plan with { LeasePool = [.. plan.LeasePool.Select((p, l) => announced.Contains(l) ? -1 : p)] };
        Assert.Contains(announced, l => plan.LeasePool[l] >= 0);
        using var scorer = BulkScorer.Create(device);

        var scores = scorer.Score(instance, [plan, declined], seed: 5, scenarios: 24);

        var (made, notMade) = (0, 0);
        for (var k = 0; k < 24; k++)
        {
            var anyMade = announced.Any(l => plan.LeasePool[l] >= 0 && ReferenceScorer.OfferMade(instance, 5, k, l));
            if (anyMade)
            {
                made++;
                continue;
            }

            // None of the plan's announced offers came: the plan scores as if it had declined them.
            notMade++;
            Assert.Equal(scores[1, k].Total, scores[0, k].Total, 1e-9 * Math.Abs(scores[1, k].Total));
            Assert.Equal(scores[1, k].Penalty, scores[0, k].Penalty, 1e-6);
        }

        Assert.True(made > 0 && notMade > 0, $"made in {made} scenarios, in none of the plan's offers in {notMade}");
    }

    [Fact]
    public void A_job_known_to_fail_at_its_milestone_stops_there_and_one_that_succeeds_runs_as_before()
    {
        // One job, nothing else placed: after a failure is known its GPUs sell on spot instead.
        var instance = ScoringCases.Instance(2, Nothing with { JobSuccess = true });
        var job = Enumerable.Range(0, instance.JobCount).First(j => instance.JobSuccessKnownAfter[j] > 0);
        var plan = new Assignment(
            [.. Enumerable.Repeat(-1, instance.LeaseCount)], [.. instance.LeaseEarliestStart],
            [.. Enumerable.Range(0, instance.JobCount).Select(j => j == job ? instance.JobPools[j][0] : -1)], [.. instance.JobEarliestStart]);
        var withoutMilestone = new CompiledInstance(instance.Source with { Jobs = instance.Source.Jobs.SetItem(job, instance.Source.Jobs[job] with { SuccessKnownAfter = null }) });

        var (failed, succeeded) = (0, 0);
        for (var k = 0; k < 40; k++)
        {
            var early = ReferenceScorer.Score(instance, plan, 9, k);
            var late = ReferenceScorer.Score(withoutMilestone, plan, 9, k);
            if (ScenarioRandom.Uniform(9, k, ScenarioRandom.JobSuccess, job, 0) < instance.JobSuccessProbability[job])
            {
                succeeded++;
                Assert.Equal(late, early);
                continue;
            }

            failed++;
            Assert.Equal(0, early.JobValue);
            Assert.True(early.SpotRevenue > late.SpotRevenue, $"scenario {k}: the GPUs freed at the milestone sell on spot");
        }

        Assert.True(failed > 0 && succeeded > 0);
    }
}
