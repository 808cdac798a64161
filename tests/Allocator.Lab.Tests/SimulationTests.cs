using Allocator.Core.ClosedLoop;
using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Json;
using Allocator.Core.Planning;
using Allocator.Core.Policies;
using Allocator.Core.Scenarios;
using Allocator.Solver;
using Parquet.Serialization;

namespace Allocator.Lab.Tests;

public sealed class SimulationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allocator-sim-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static CompiledInstance Instance(bool uncertainty) =>
        new(InstanceGenerator.Generate(new GeneratorOptions(3, 16, 6, 8, 4, Uncertainty: uncertainty) { AnnouncedShare = 0.4, MilestoneShare = 0.5 }));

    private static SimulationRequest Request(CompiledInstance instance, int scenarios = 12) =>
        new(instance, [new("static:greedy", new GreedyPolicy(), Static: true), new("greedy", new GreedyPolicy(), Static: false)], scenarios, Seed: 9, ReplanEvery: 2) { Threads = 2 };

    [Fact]
    public void A_stop_throws_rather_than_return_figures_from_solves_it_cut_short()
    {
        using var stop = new CancellationTokenSource();

        // Stopped as the last policy's scenarios end: no scenario is left to refuse the stop, yet a stop came.
        void StopAtTheLastPolicy(string line)
        {
            if (line.StartsWith("greedy:", StringComparison.Ordinal))
            {
                stop.Cancel();
            }
        }

        Assert.ThrowsAny<OperationCanceledException>(() => Simulation.Run(Request(Instance(uncertainty: true)), StopAtTheLastPolicy, stop.Token));
    }

    [Fact]
    public void Reruns_and_any_thread_count_give_identical_numbers_and_scenario_k_is_the_same_draw_for_every_policy()
    {
        var instance = Instance(uncertainty: true);

        var first = Simulation.Run(Request(instance));
        var again = Simulation.Run(Request(instance) with { Threads = 1 });

        Assert.Equal(first.Policies.Select(p => p.Values.AsEnumerable()), again.Policies.Select(p => p.Values.AsEnumerable()));
        // A static policy's run in scenario k is the open-loop score of its period-0 plan in scenario k. Offers announced
        // later are not known at period 0, so the period-0 plan declines them.
        var residual = new CompiledInstance(Core.ClosedLoop.ResidualInstance.Of(instance, Core.ClosedLoop.LoopState.Start(instance)));
        var atZero = GreedyPlanner.Plan(residual)!;
        var lifted = Enumerable.Range(0, instance.LeaseCount).Select(l => residual.LeaseIndex(instance.Source.Leases[l].Id)).ToArray();
        var plan = new Assignment(
            [.. lifted.Select(r => r < 0 ? -1 : atZero.LeasePool[r])], [.. lifted.Select((r, l) => r < 0 ? instance.LeaseEarliestStart[l] : atZero.LeaseStart[r])],
            atZero.JobPool, atZero.JobStart);
        for (var k = 0; k < 12; k++)
        {
            Assert.Equal(ReferenceScorer.Score(instance, plan, 9, k).Total, first.Policies[0].Values[k], 1e-6);
        }
    }

    [Fact]
    public void Without_uncertainty_exact_re_planning_is_never_behind_the_static_plan_and_the_clairvoyant_value_is_the_optimum_for_all_known_offers()
    {
        var instance = Instance(uncertainty: false);
        var exact = new ExactPolicy(new PlannerOptions { Threads = 1, TimeLimit = TimeSpan.FromSeconds(20) });
        var request = new SimulationRequest(instance, [new("static", exact, Static: true), new("exact", exact, Static: false)], 3, 9, 1)
        {
            Hindsight = new PlannerOptions { Threads = 1, TimeLimit = TimeSpan.FromSeconds(20) },
        };

        var result = Simulation.Run(request);
        var summary = Simulation.Summarize(result);

        var optimum = ExactPlanner.Solve(instance, request.Hindsight).Objective!.Value;
        Assert.All(result.Clairvoyant!.Value, c => Assert.Equal(optimum, c, 1e-6 * optimum));
        Assert.True(summary[1].Adapting!.Estimate >= -1e-6 * optimum, $"re-planning lost {summary[1].Adapting!.Estimate}");
        Assert.All(summary, s => Assert.True(s.Regret!.Estimate >= -1e-6 * optimum, $"{s.Name} beat the clairvoyant plan with no uncertainty"));
        // Offers announced later are what the static plan cannot take: with them, re-planning gains.
        Assert.Contains(instance.Source.Leases, l => l.AnnouncedAt > 0);
    }

    [Fact]
    public void Exact_re_planning_with_a_node_limit_gives_the_same_numbers_on_every_run()
    {
        var instance = new CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(5, 40, 10, 12, 6, Uncertainty: true) { AnnouncedShare = 0.3 }));
        var exact = new ExactPolicy(new PlannerOptions { Threads = 1, Deterministic = true, NodeLimit = 25, TimeLimit = TimeSpan.FromSeconds(60) });
        SimulationRequest Request() => new(instance, [new("static", exact, Static: true), new("exact", exact, Static: false)], 4, 5, 4)
        {
            Threads = 2,
            Hindsight = new PlannerOptions { Threads = 1, Deterministic = true, NodeLimit = 25, TimeLimit = TimeSpan.FromSeconds(60) },
        };

        var first = Simulation.Run(Request());
        var again = Simulation.Run(Request());

        Assert.Equal(first.Policies.Select(p => p.Values.AsEnumerable()), again.Policies.Select(p => p.Values.AsEnumerable()));
        Assert.Equal(first.Clairvoyant!.Value.AsEnumerable(), again.Clairvoyant!.Value.AsEnumerable());
    }

    [Fact]
    public async Task The_files_hold_every_policy_and_scenario()
    {
        var result = Simulation.Run(Request(Instance(uncertainty: true), scenarios: 6));

        var files = SimulationFiles.Write(_folder, result);

        Assert.Equal(["results.parquet", "summary.csv", "summary.json", "decisions.json", "epochs", "value-over-time.png", "decisions.png", "report.html"], files.Select(Path.GetFileName));
        await using var stream = File.OpenRead(Path.Combine(_folder, "results.parquet"));
        // Column names as the lab's results.parquet writes them (snake_case), so one notebook reads both.
        await using (var reader = await Parquet.ParquetReader.CreateAsync(stream, leaveStreamOpen: true))
        {
            Assert.Equal(["instance", "policy", "scenario", "value", "failed_epochs", "limited_epochs", "clairvoyant", "clairvoyant_bound"], reader.Schema.GetDataFields().Select(f => f.Name));
        }

        stream.Position = 0;
        var rows = (await ParquetSerializer.DeserializeAsync<SimulationFiles.SimulationRow>(stream)).Data;
        Assert.Equal(12, rows.Count);
        Assert.Equal(result.Policies[1].Values[3], rows.Single(r => r.Policy == "greedy" && r.Scenario == 3).Value);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(_folder, "summary.csv")).Length);
        Assert.True(new FileInfo(Path.Combine(_folder, "value-over-time.svg")).Length > 0);
    }
    [Fact]
    public void Each_epoch_of_the_shown_scenario_is_written_as_its_residual_instance_and_the_plan_the_policy_made_for_it()
    {
        var result = Simulation.Run(Request(Instance(uncertainty: true), scenarios: 3) with { ShownScenario = 2 });

        SimulationFiles.Write(_folder, result);

        foreach (var policy in result.Policies)
        {
            var here = Path.Combine(_folder, ShownEpochs.Folder, PolicyNames.AsFileName(policy.Name));
            var epochs = policy.Shown!.Epochs;
            Assert.Equal(epochs.Select(e => $"epoch-{e.Epoch:000}"), Directory.GetDirectories(here).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            foreach (var epoch in epochs)
            {
                var folder = Path.Combine(here, $"epoch-{epoch.Epoch:000}");
                var residual = new CompiledInstance(InstanceReader.ReadFile(Path.Combine(folder, "instance.json")));
                Assert.Equal(result.Request.Instance.Periods - epoch.Epoch, residual.Periods);
                Assert.Equal(epoch.Plan is not null, File.Exists(Path.Combine(folder, "plan.json")));
                if (epoch.Plan is { } plan)
                {
                    var written = PlanEvaluator.Evaluate(residual, PlanReader.ReadFile(Path.Combine(folder, "plan.json")));
                    Assert.True(written.IsFeasible, string.Join("; ", written.Violations));
                    Assert.Equal(PlanEvaluator.Evaluate(residual, plan).Objective.Total, written.Objective.Total);
                }
            }
        }

        Assert.Equal("split_0.3", PolicyNames.AsFileName("split:0.3"));
    }

    [Fact]
    public void A_residual_instance_planned_before_in_any_scenario_gets_the_same_plan_without_planning_it_again()
    {
        var instance = Instance(uncertainty: true);
        var counted = new CountedPolicy(new GreedyPolicy());
        var request = new SimulationRequest(instance, [new("static", counted, Static: true), new("greedy", counted, Static: false)], 12, 9, 2) { Threads = 2 };

        var result = Simulation.Run(request);

        // The same loops with a policy that plans every time it is asked, recording what it was given.
        var recorded = new CountedPolicy(new GreedyPolicy());
        var alone = new[] { instance.Periods, 2 }.Select(every => Enumerable.Range(0, 12).Select(k => ClosedLoopRun.Run(instance, recorded, 9, k, every).Outcome.Total)).ToList();
        Assert.Equal(alone[0], result.Policies[0].Values);
        Assert.Equal(alone[1], result.Policies[1].Values);
        Assert.Equal(recorded.Inputs.Distinct().Count(), counted.Calls);
        // Every scenario's epoch 0 is one residual instance here (no delivery due at period 0): the static plan is made
        // once, and re-planning's first plan is that one.
        Assert.DoesNotContain(instance.DeliveryPeriod, p => p == 0);
        Assert.Single(recorded.Inputs.Take(12).Distinct());
        Assert.True(counted.Calls <= recorded.Calls - 23, $"{counted.Calls} plans made for {recorded.Calls} epochs");
    }

    [Fact]
    public void Scenarios_whose_draws_make_the_same_hindsight_instance_share_one_solve()
    {
        var hindsight = new PlannerOptions { Threads = 1, TimeLimit = TimeSpan.FromSeconds(20) };
        var lines = new List<string>();
        var certain = Instance(uncertainty: false);
        var uncertain = Instance(uncertainty: true);

        var same = Simulation.Run(Request(certain, scenarios: 5) with { Hindsight = hindsight }, lines.Add);
        var drawn = Simulation.Run(Request(uncertain, scenarios: 5) with { Hindsight = hindsight }, lines.Add);

        Assert.Contains(lines, l => l.StartsWith("hindsight: 5 scenarios", StringComparison.Ordinal) && l.EndsWith("(1 distinct hindsight instance(s) solved)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("hindsight: 5 scenarios", StringComparison.Ordinal) && l.EndsWith("(5 distinct hindsight instance(s) solved)", StringComparison.Ordinal));
        Assert.Single(same.Clairvoyant!.Value.Distinct());
        // Every hindsight solve here is proven: its bound is its value, and there is nothing to warn of.
        Assert.Equal(drawn.Clairvoyant!.Value.AsEnumerable(), drawn.ClairvoyantBound!.Value.AsEnumerable());
        Assert.Null(drawn.Shortfall);
        var constant = Core.ClosedLoop.HindsightInstance.SignedPenalty(uncertain);
        for (var k = 0; k < 5; k++)
        {
            var alone = ExactPlanner.Solve(new CompiledInstance(Core.ClosedLoop.HindsightInstance.Of(uncertain, 9, k)), hindsight).Objective!.Value - constant;
            Assert.Equal(alone, drawn.Clairvoyant!.Value[k], 1e-6 * Math.Abs(alone));
        }
    }

    [Fact]
    public void Hindsight_solves_stopped_before_their_proof_make_the_clairvoyant_mean_a_lower_estimate_and_say_so()
    {
        var instance = new CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(5, 40, 10, 12, 6, Uncertainty: true) { AnnouncedShare = 0.3 }));
        var request = new SimulationRequest(instance, [new("greedy", new GreedyPolicy(), Static: true)], 3, 5, 4)
        {
            Hindsight = new PlannerOptions { Threads = 1, Deterministic = true, NodeLimit = 1, TimeLimit = TimeSpan.FromSeconds(60) },
        };

        var result = Simulation.Run(request);

        var (values, bounds) = (result.Clairvoyant!.Value, result.ClairvoyantBound!.Value);
        Assert.All(values.Zip(bounds), v => Assert.True(v.Second >= v.First, $"bound {v.Second} below the value {v.First}"));
        var shortfall = result.Shortfall!;
        Assert.Equal((values.Zip(bounds).Count(v => v.Second > v.First), 3), (shortfall.Unproven, shortfall.Solved));
        Assert.InRange(shortfall.Unproven, 1, 3);
        Assert.Equal(bounds.Average(), shortfall.BoundMean);
        Assert.StartsWith($"{shortfall.Unproven} of 3 hindsight solves stopped before proving their optimum: the clairvoyant mean {Core.Text.Figures.Whole(values.Average())} is a lower estimate (at most {Core.Text.Figures.Whole(bounds.Average())}", shortfall.Sentence, StringComparison.Ordinal);
        SimulationFiles.Write(_folder, result);
        Assert.Contains(shortfall.Sentence.Replace("'", "&#39;", StringComparison.Ordinal), File.ReadAllText(Path.Combine(_folder, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void Epochs_whose_solve_stopped_at_its_limit_are_counted_per_scenario_and_policy()
    {
        var instance = new CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(6, 80, 16, 12, 6, Uncertainty: true, Hard: true)));
        var exact = new ExactPolicy(new PlannerOptions { Threads = 1, Deterministic = true, NodeLimit = 1, TimeLimit = TimeSpan.FromSeconds(60) });
        var request = new SimulationRequest(instance, [new("exact", exact, Static: false), new("greedy", new GreedyPolicy(), Static: false)], 3, 5, 4);

        var result = Simulation.Run(request);
        var summaries = Simulation.Summarize(result);

        var alone = Enumerable.Range(0, 3).Select(k => ClosedLoopRun.Run(instance, exact, 5, k, 4).Epochs.Count(e => e.Ended == "timeLimit")).ToList();
        Assert.Equal(alone, result.Policies[0].LimitedEpochs);
        Assert.Equal(alone[0], result.Policies[0].Shown!.Epochs.Count(e => e.Ended == "timeLimit"));
        Assert.Contains("\"Ended\":\"timeLimit\"", System.Text.Json.JsonSerializer.Serialize(SimulationFiles.Decisions(result)), StringComparison.Ordinal);
        Assert.InRange(alone.Sum(), 1, 9);
        Assert.Equal((alone.Sum(), 9), (summaries[0].LimitedEpochs, summaries[0].Epochs));
        Assert.Equal((0, 9), (summaries[1].LimitedEpochs, summaries[1].Epochs));
        Assert.Contains($"exact,{summaries[0].Mean:R},", SimulationFiles.Csv(summaries), StringComparison.Ordinal);
        Assert.Contains($",0,{alone.Sum()},9,", SimulationFiles.Csv(summaries), StringComparison.Ordinal);
    }

    [Fact]
    public void A_merge_of_tasks_keeps_each_scenario_s_epochs_at_the_limit_and_hindsight_bound()
    {
        var instance = new CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(6, 80, 16, 12, 6, Uncertainty: true, Hard: true)));
        var limited = new PlannerOptions { Threads = 1, Deterministic = true, NodeLimit = 1, TimeLimit = TimeSpan.FromSeconds(60) };
        var whole = new SimulationRequest(instance, [new("exact", new ExactPolicy(limited), Static: false)], 3, 5, 6) { Hindsight = limited };

        var result = Simulation.Run(whole);
        for (var task = 0; task < 3; task++)
        {
            var part = whole with { FirstScenario = task, ShownScenario = task == 0 ? 0 : -1 };
            SimulationTasks.Write(_folder, task, 3, whole, Simulation.Run(part with { Scenarios = 1 }));
        }

        var (merged, _) = SimulationTasks.Merge(_folder, whole, 3);

        Assert.True(result.Policies[0].LimitedEpochs.Sum() > 0);
        Assert.Equal(result.Policies[0].LimitedEpochs.AsEnumerable(), merged.Policies[0].LimitedEpochs.AsEnumerable());
        Assert.Equal(result.ClairvoyantBound!.Value.AsEnumerable(), merged.ClairvoyantBound!.Value.AsEnumerable());
        Assert.Equal(result.Shortfall, merged.Shortfall);
    }

    [Fact]
    public void Only_the_most_recently_used_plans_are_held()
    {
        var instances = Enumerable.Range(1, 3).Select(seed => new CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(2, 6, 3, 6, (ulong)seed)))).ToList();
        var counted = new CountedPolicy(new GreedyPolicy());
        var plans = new RememberedPlans(capacity: 2);
        var policy = plans.Around(counted);

        foreach (var i in new[] { 0, 1, 0, 2, 1, 1 })
        {
            policy.Plan(new PolicyInput(instances[i]), null, CancellationToken.None);
        }

        // 0 and 1 planned, 0 given again, 2 planned (1 the least recent: dropped), 1 planned again, then given again.
        Assert.Equal(4, counted.Calls);
        Assert.Equal((4L, 2L), (plans.Made, plans.Reused));
        // A starting plan is part of the input: such calls always plan.
        policy.Plan(new PolicyInput(instances[1], Assignment.Empty(instances[1])), null, CancellationToken.None);
        Assert.Equal(5, counted.Calls);
    }

    /// <summary>A policy that counts its calls and keeps each input instance as written.</summary>
    private sealed class CountedPolicy(IPlanningPolicy inner) : IPlanningPolicy
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _inputs = new();

        public string Name => inner.Name;

        public int Calls => _inputs.Count;

        public IEnumerable<string> Inputs => _inputs;

        public PolicyPlan Plan(PolicyInput input, IProgress<ProgressPoint>? progress, CancellationToken cancellation)
        {
            _inputs.Enqueue(InstanceWriter.Write(input.Instance.Source));
            return inner.Plan(input, progress, cancellation);
        }
    }
}
