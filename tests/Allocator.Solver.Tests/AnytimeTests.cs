using System.Diagnostics;
using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Json;

namespace Allocator.Solver.Tests;

/// <summary>The planner holds a feasible plan from its first seconds, and says how the solve went over time.</summary>
public sealed class AnytimeTests
{
    private static CompiledInstance Seed(string name) => new(InstanceReader.ReadFile(Path.Combine(Root.Find(), "seeds", name)));

    private static CompiledInstance Generated(GeneratorOptions options) =>
        new(InstanceReader.Read(InstanceWriter.Write(InstanceGenerator.Generate(options))));

    /// <summary>
    /// The seeds and the generated families the tests use, the hard case included (on hard 4x60x10x16 seed 2,
    /// 6x120x20x26 seed 8 and 12x600x60x52 seed 1 the greedy planner before most-constrained-first and repair found no plan).
    /// </summary>
    public static TheoryData<string> Families() =>
    [
        "tiny.json", "mid-6x120x20x26.json", "colossus-2026.json",
        "4x60x10x16 seed 3", "6x120x20x26 seed 2", "12x600x60x52 seed 1",
        "hard 4x60x10x16 seed 2", "hard 4x60x10x16 seed 4", "hard 6x120x20x26 seed 8", "hard 12x600x60x52 seed 1",
    ];

    private static CompiledInstance Family(string name)
    {
        if (name.EndsWith(".json", StringComparison.Ordinal))
        {
            return Seed(name);
        }

        var words = name.Split(' ');
        var hard = words[0] == "hard";
        var sizes = words[hard ? 1 : 0].Split('x').Select(int.Parse).ToArray();
        var seed = ulong.Parse(words[^1]);
        return Generated(new GeneratorOptions(sizes[0], sizes[1], sizes[2], sizes[3], seed, Uncertainty: true, Hard: hard));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Every_instance_the_tests_use_has_a_feasible_start_plan_before_the_main_solve(string family)
    {
        var instance = Family(family);
        var options = new PlannerOptions { TimeLimit = TimeSpan.FromSeconds(20) };
        var log = new SolveLog(null);

        // A 20 s limit gives the feasibility phase, when it is needed, at most 5 s.
        var start = StartPlans.Find(new PlacementCatalog(instance), options, log, Stopwatch.StartNew(), CancellationToken.None);

        Assert.NotNull(start);
        Assert.True(start.Evaluation.IsFeasible);
        Assert.True(PlanEvaluator.Evaluate(instance, start.Plan).IsFeasible);
        // Each better start on the way is reported (greedy, then the LP rounded when it is worth more, else the LP's bound), ending at the start's.
        Assert.Equal(start.Evaluation.Objective.Total, log.Points[^1].Objective);
        Assert.True(log.Points.Zip(log.Points.Skip(1)).All(p => p.First.Objective <= p.Second.Objective));
    }

    [Fact]
    public void The_feasibility_phase_places_every_commitment_of_a_hard_instance_and_fills_around_them()
    {
        var instance = Generated(new GeneratorOptions(6, 120, 20, 26, 3, Hard: true));

        var start = StartPlans.Feasibility(new PlacementCatalog(instance), new PlannerOptions { TimeLimit = TimeSpan.FromSeconds(40) }, CancellationToken.None);

        Assert.NotNull(start);
        Assert.True(start.Evaluation.IsFeasible, string.Join("; ", start.Evaluation.Violations));
        Assert.All(Enumerable.Range(0, instance.LeaseCount).Where(l => instance.LeaseSigned[l]), l => Assert.True(start.Plan.LeasePool[l] >= 0));
        Assert.All(Enumerable.Range(0, instance.JobCount).Where(j => instance.JobRequired[j]), j => Assert.True(start.Plan.JobPool[j] >= 0));
    }

    [Fact]
    public void A_limit_spent_by_the_first_plan_returns_that_plan_rather_than_failing()
    {
        // On a 100-pool, 10,000-lease instance the greedy plan took 72 s of a 30 s limit, and starting the MIP with the
        // limit already past threw (a negative watchdog delay): the plan in hand was lost, exit 4. Here the limit is a
        // millisecond and the grace none, so any first plan outlasts it.
        var instance = Seed("mid-6x120x20x26.json");

        var result = ExactPlanner.Solve(instance, new PlannerOptions { TimeLimit = TimeSpan.FromMilliseconds(1), WatchdogGrace = TimeSpan.Zero, Threads = 1 });

        Assert.NotNull(result.Assignment);
        Assert.True(PlanEvaluator.Evaluate(instance, result.Assignment).IsFeasible);
        Assert.Equal(SolveEnd.TimeLimit, result.End);
    }

    [Fact]
    public void A_stop_two_seconds_into_a_solve_of_a_hard_instance_returns_a_feasible_plan_marked_interrupted()
    {
        var instance = Generated(new GeneratorOptions(12, 600, 60, 52, 1, Hard: true));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        var result = ExactPlanner.Solve(instance, new PlannerOptions { TimeLimit = TimeSpan.FromSeconds(12), Threads = 2 }, null, stop.Token);

        Assert.Equal(SolveEnd.Interrupted, result.End);
        Assert.NotNull(result.Assignment);
        Assert.True(PlanEvaluator.Evaluate(instance, result.Assignment).IsFeasible);
        Assert.Equal(result.Objective!.Value, result.Progress.Max(p => p.Objective), 1e-6 * result.Objective.Value);
    }

    [Fact]
    public void Progress_lists_each_plan_and_bound_in_order_and_ends_at_the_proven_optimum()
    {
        var result = ExactPlanner.Solve(Seed("tiny.json"), new PlannerOptions { TimeLimit = TimeSpan.FromSeconds(30), Threads = 2 });

        Assert.Equal(PlanStatus.Optimal, result.Status);
        var points = result.Progress;
        Assert.Equal("greedy", points[0].Source);
        Assert.Null(points[0].Bound);
        Assert.True(points.Zip(points.Skip(1)).All(p => p.First.Elapsed <= p.Second.Elapsed));
        Assert.All(points.Where(p => p.Bound is not null), p => Assert.True(p.Bound >= p.Objective - 1e-6 * p.Objective));
        Assert.Equal(73_066_528, points[^1].Objective, 6);
        Assert.Equal(result.Bound!.Value, points[^1].Bound!.Value, 6);
    }

    [Theory]
    [InlineData(3UL)]
    [InlineData(8UL)]
    [InlineData(21UL)]
    public void Scip_racing_on_two_threads_proves_the_enumerated_optimum(ulong seed)
    {
        var instance = new CompiledInstance(SmallInstances.Random(seed));
        var optimum = SmallInstances.OptimumByEnumeration(instance);
        var model = new MipModel(new PlacementCatalog(instance));

        var result = ScipRace.Solve(model, new PlannerOptions { Threads = 2 }, TimeSpan.FromSeconds(20), null, CancellationToken.None);

        AssertProvesOptimum(instance, optimum, result);
    }

    [Fact]
    public void A_racer_stopped_at_the_share_asks_once_for_a_thread_and_given_one_the_race_proves_the_optimum()
    {
        // Large enough that the first racer cannot prove it before the second has asked (it takes seconds, asking takes
        // milliseconds), small enough for a test.
        var instance = Generated(new GeneratorOptions(4, 40, 8, 12, 3, Uncertainty: true));
        var plain = ConcurrentScip.Solve(new MipModel(new PlacementCatalog(instance)), new PlannerOptions { Threads = 2 }, TimeSpan.FromSeconds(60), CancellationToken.None);
        var asked = new List<TimeSpan>();
        var lead = new ScipRace.Lead(TimeSpan.FromSeconds(60), () => null!, e => e.Objective.Total, (wait, _) =>
        {
            lock (asked)
            {
                asked.Add(wait);
            }

            return true;
        });

        // A share of zero: the second racer stops before its first round and waits for a thread at once.
        var result = ScipRace.Solve(new MipModel(new PlacementCatalog(instance)), new PlannerOptions { Threads = 2 }, TimeSpan.Zero, null, CancellationToken.None, lead);

        Assert.Equal(EngineStatus.Optimal, plain.Status);
        Assert.Equal(EngineStatus.Optimal, result.Status);
        var objective = PlanEvaluator.Evaluate(instance, result.Assignment!).Objective.Total;
        Assert.Equal(PlanEvaluator.Evaluate(instance, plain.Assignment!).Objective.Total, objective, 1e-6 * Math.Abs(objective));
        var wait = Assert.Single(asked);
        Assert.InRange(wait, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void A_racer_waiting_for_a_thread_is_released_when_the_first_racer_proves_the_optimum()
    {
        var instance = new CompiledInstance(SmallInstances.Random(8));
        var optimum = SmallInstances.OptimumByEnumeration(instance);
        var clock = Stopwatch.StartNew();

        // No thread ever comes back: the waiting racer must wake when the race ends, not at the 120 s limit.
        var lead = new ScipRace.Lead(TimeSpan.FromSeconds(120), () => null!, e => e.Objective.Total, (wait, finished) => finished.WaitHandle.WaitOne(wait) && false);
        var result = ScipRace.Solve(new MipModel(new PlacementCatalog(instance)), new PlannerOptions { Threads = 2 }, TimeSpan.Zero, null, CancellationToken.None, lead);

        AssertProvesOptimum(instance, optimum, result);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the race ran {clock.Elapsed} of its 120 s after its proof");
    }

    [Theory]
    [InlineData(3UL)]
    [InlineData(21UL)]
    public void The_plain_baseline_scip_on_two_threads_through_the_linear_solver_wrapper_proves_the_enumerated_optimum(ulong seed)
    {
        // The benchmarks' plain solve (SCIP's own concurrent solvers) must be right for the comparison to mean anything.
        var instance = new CompiledInstance(SmallInstances.Random(seed));
        var optimum = SmallInstances.OptimumByEnumeration(instance);

        var result = ConcurrentScip.Solve(new MipModel(new PlacementCatalog(instance)), new PlannerOptions { Threads = 2 }, TimeSpan.FromSeconds(20), CancellationToken.None);

        AssertProvesOptimum(instance, optimum, result);
    }

    private static void AssertProvesOptimum(CompiledInstance instance, double? optimum, EngineResult result)
    {
        if (optimum is null)
        {
            Assert.Equal(EngineStatus.Infeasible, result.Status);
            return;
        }

        Assert.Equal(EngineStatus.Optimal, result.Status);
        var evaluation = PlanEvaluator.Evaluate(instance, result.Assignment!);
        Assert.True(evaluation.IsFeasible);
        Assert.Equal(optimum.Value, evaluation.Objective.Total, 1e-6 * Math.Max(1, Math.Abs(optimum.Value)));
        Assert.True(result.Bound >= optimum.Value - 1e-6 * Math.Max(1, Math.Abs(optimum.Value)));
    }

    [Fact]
    public void The_race_hands_over_each_better_plan_as_its_round_ends_and_stops_when_asked()
    {
        var instance = Seed("mid-6x120x20x26.json");
        var model = new MipModel(new PlacementCatalog(instance));
        using var stop = new CancellationTokenSource();
        var handed = new List<(Assignment Plan, double? Bound)>();
        var clock = Stopwatch.StartNew();

        var result = ScipRace.Solve(model, new PlannerOptions { Threads = 2 }, TimeSpan.FromSeconds(300), (plan, bound) =>
        {
            lock (handed)
            {
                handed.Add((plan, bound));
            }

            stop.Cancel();
        }, stop.Token);

        // Asked to stop after its first plan, the race ends long before its limit and returns the best plan it handed over.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(150), $"the race ran {clock.Elapsed} of its 300 s after the stop");
        Assert.Equal(EngineStatus.Feasible, result.Status);
        Assert.NotEmpty(handed);
        var values = handed.Select(h => PlanEvaluator.Evaluate(instance, h.Plan)).ToList();
        Assert.All(values, v => Assert.True(v.IsFeasible));
        Assert.Equal(values.Max(v => v.Objective.Total), PlanEvaluator.Evaluate(instance, result.Assignment!).Objective.Total, 1e-6);
        Assert.All(handed, h => Assert.True(h.Bound >= values.Max(v => v.Objective.Total) - 1));
    }

    [Fact]
    public void A_stop_during_the_mips_share_writes_the_plan_scip_has_found_by_then()
    {
        // The mid seed: SCIP's first plans beat the greedy start plan within seconds. The stop comes as the first does.
        var instance = Seed("mid-6x120x20x26.json");
        using var stop = new CancellationTokenSource();
        var progress = new StopOnFirst("SCIP", stop);

        var result = ExactPlanner.Solve(instance, new PlannerOptions { TimeLimit = TimeSpan.FromSeconds(300), Threads = 2 }, progress, stop.Token);

        Assert.Equal(SolveEnd.Interrupted, result.End);
        // The other racer may still hand over the plan its interrupted round ended with.
        var scip = result.Progress.Where(p => p.Source == "SCIP").ToList();
        Assert.NotEmpty(scip);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(150), $"the planner ran {result.Elapsed} of its 300 s after the stop");
        Assert.Equal(scip.Max(p => p.Objective), result.Objective!.Value, 1e-6 * result.Objective.Value);
        Assert.True(scip[0].Objective > result.Progress[0].Objective, "SCIP's plan is better than the greedy start plan");
        Assert.True(PlanEvaluator.Evaluate(instance, result.Assignment!).IsFeasible);
    }

    /// <summary>Cancels a token when the first report from <paramref name="source"/> comes (synchronously, on the reporting thread).</summary>
    private sealed class StopOnFirst(string source, CancellationTokenSource stop) : IProgress<Incumbent>
    {
        public void Report(Incumbent value)
        {
            if (value.Source == source)
            {
                stop.Cancel();
            }
        }
    }

    [Fact]
    public void Planner_options_out_of_range_are_named_and_refused_before_any_solve()
    {
        var options = new PlannerOptions { TimeLimit = TimeSpan.Zero, Threads = 2, MipThreads = 3, TargetGap = 1 };

        var problems = options.Validate();
        var refused = Assert.Throws<ArgumentException>(() => ExactPlanner.Solve(Seed("tiny.json"), options));

        Assert.Equal(["TimeLimit", "MipThreads", "TargetGap"], problems.Select(p => p.Setting));
        Assert.Contains("MipThreads must be from 1 to --threads (2); got 3", refused.Message, StringComparison.Ordinal);
        Assert.Empty(new PlannerOptions().Validate());
    }
}
