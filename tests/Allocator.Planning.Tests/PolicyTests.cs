using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Core.Policies;
using Allocator.Kernels;
using Allocator.Planning.Policies;
using Allocator.Solver;

namespace Allocator.Planning.Tests;

/// <summary>Every policy through the one interface, on tiny.json (optimum 73,066,528 USD).</summary>
public sealed class PolicyTests : IDisposable
{
    private const double TinyOptimum = 73_066_528;
    private readonly string _folder = Directory.CreateTempSubdirectory("allocator-policy-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static PolicyPlan Plan(IPlanningPolicy policy, Assignment? previous = null) =>
        policy.Plan(new PolicyInput(Seeds.Tiny(), previous), null, CancellationToken.None);

    [Fact]
    public void Exact_finds_the_known_optimum_and_reports_its_progress()
    {
        var points = new List<ProgressPoint>();
        var plan = new ExactPolicy(new PlannerOptions { Threads = 1 }).Plan(new PolicyInput(Seeds.Tiny()), new Collect(points), CancellationToken.None);

        Assert.Equal(PolicyOutcome.Planned, plan.Outcome);
        Assert.Equal(TinyOptimum, plan.Evaluation!.Objective.Total, 1e-6 * TinyOptimum);
        Assert.Equal("optimal", plan.Report.Status);
        Assert.NotEmpty(points);
        Assert.Equal(TinyOptimum, points[^1].Objective, 1e-6 * TinyOptimum);
    }

    [Fact]
    public void Cp_sat_through_the_same_policy_finds_the_same_optimum()
    {
        var plan = Plan(new ExactPolicy(new PlannerOptions { Solver = SolverKind.CpSat, Threads = 1 }));

        Assert.Equal(TinyOptimum, plan.Evaluation!.Objective.Total, 1e-6 * TinyOptimum);
    }

    [Fact]
    public void Greedy_returns_a_feasible_plan_no_better_than_the_optimum()
    {
        var plan = Plan(new GreedyPolicy());

        Assert.Equal(PolicyOutcome.Planned, plan.Outcome);
        Assert.True(plan.Evaluation!.IsFeasible);
        Assert.True(plan.Evaluation.Objective.Total <= TinyOptimum + 1e-6);
        Assert.Equal("greedy", plan.Report.Solver);
    }

    [Fact]
    public void Buffered_exact_leaves_its_share_of_every_pool_free_and_is_valued_on_the_real_instance()
    {
        var instance = Seeds.Tiny();
        var plan = new ExactPolicy(new PlannerOptions { Threads = 1 }, buffer: 0.5).Plan(new PolicyInput(instance), null, CancellationToken.None);

        Assert.Equal("buffered:0.5", new ExactPolicy(new PlannerOptions(), 0.5).Name);
        var evaluation = plan.Evaluation!;
        Assert.True(evaluation.IsFeasible);
        Assert.Equal(PlanEvaluator.Evaluate(instance, evaluation.Assignment).Objective.Total, evaluation.Objective.Total);
        for (var t = 0; t < instance.Periods; t++)
        {
            Assert.True(evaluation.Used[t] <= Math.Floor(instance.CapacityAt(0, t) * 0.5), $"period {t}: {evaluation.Used[t]} GPUs used");
        }

        Assert.True(evaluation.Objective.Total < TinyOptimum);
    }

    [Fact]
    public void The_buffered_instance_holds_back_the_share_of_every_period_s_capacity()
    {
        var instance = Seeds.Tiny();
        var buffered = new CompiledInstance(ExactPolicy.Buffered(instance.Source, 0.25));

        for (var t = 0; t < instance.Periods; t++)
        {
            Assert.Equal(Math.Floor(instance.CapacityAt(0, t) * 0.75), buffered.CapacityAt(0, t));
        }
    }

    [Fact]
    public void A_plan_file_is_taken_as_it_is_and_one_for_another_instance_is_refused()
    {
        var good = Path.Combine(_folder, "good.json");
        var other = Path.Combine(_folder, "other.json");
        var optimum = Plan(new ExactPolicy(new PlannerOptions { Threads = 1 })).Assignment!;
        var written = optimum.ToPlan(Seeds.Tiny());
        File.WriteAllText(good, PlanWriter.Write(written));
        File.WriteAllText(other, PlanWriter.Write(written with { Instance = "mid" }));

        var taken = Plan(new PlanFilePolicy(good));
        var refused = Plan(new PlanFilePolicy(other));

        Assert.Equal(TinyOptimum, taken.Evaluation!.Objective.Total, 1e-6 * TinyOptimum);
        Assert.Equal(PolicyOutcome.Unusable, refused.Outcome);
        Assert.Contains("is for instance 'mid', not 'tiny'", refused.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plan_that_breaks_a_rule_is_refused_not_ranked()
    {
        var overlapping = Path.Combine(_folder, "overlapping.json");
        File.WriteAllText(overlapping, PlanWriter.Write(new Plan(
            "tiny",
            [new LeaseDecision("acme-1", true, "m-h100", 0), new LeaseDecision("beta-1", true, "m-h100", 0)],
            [new JobDecision("pretrain", true, "m-h100", 0), new JobDecision("posttrain", false, null, null)])));

        var plan = Plan(new PlanFilePolicy(overlapping));

        Assert.Equal(PolicyOutcome.Unusable, plan.Outcome);
        Assert.Null(plan.Evaluation);
        Assert.Contains("pool-capacity", plan.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_previous_plan_policy_keeps_last_time_s_plan()
    {
        var optimum = Plan(new ExactPolicy(new PlannerOptions { Threads = 1 })).Assignment!;

        Assert.Equal(optimum, Plan(new PlanFilePolicy(), optimum).Assignment);
        Assert.Equal(PolicyOutcome.Unusable, Plan(new PlanFilePolicy()).Outcome);
    }

    [Fact]
    public void Robust_starts_from_the_exact_plan_and_hands_it_back_as_the_baseline()
    {
        var settings = new RobustSettings { Scenarios = 20, BatchSize = 8, Evaluations = 16, OutOfSampleScenarios = 20 };
        var policy = new RobustPolicy(new ExactPolicy(new PlannerOptions { Threads = 1 }), settings, new ReferencePlanScorer(), TimeSpan.FromSeconds(30));

        var plan = Plan(policy);

        Assert.Equal("robust:expected", policy.Name);
        Assert.Equal(PolicyOutcome.Planned, plan.Outcome);
        Assert.Equal(TinyOptimum, plan.Baseline!.Evaluation.Objective.Total, 1e-6 * TinyOptimum);
        Assert.True(plan.Evaluation!.IsFeasible);
        Assert.IsType<RobustDetails>(plan.Details);
        Assert.Contains(plan.Notes, n => n.Contains("no uncertainty section", StringComparison.Ordinal));
    }

    private sealed class Collect(List<ProgressPoint> points) : IProgress<ProgressPoint>
    {
        public void Report(ProgressPoint value) => points.Add(value);
    }
}
