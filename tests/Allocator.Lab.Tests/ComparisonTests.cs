using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Json;
using Allocator.Core.Planning;
using Allocator.Core.Policies;
using Allocator.Kernels;
using Allocator.Planning.Policies;
using Allocator.Solver;
using Parquet.Serialization;

namespace Allocator.Lab.Tests;

/// <summary>The lab where the answer is known: exact cannot be beaten without uncertainty, a plan against itself, one offer dropped.</summary>
public sealed class ComparisonTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allocator-lab-").FullName;
    private readonly BulkScorer _scorer = BulkScorer.Create(ScoringDevice.Cpu);

    public void Dispose()
    {
        _scorer.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private PolicySettings Settings => new(new PlannerOptions { Threads = 1 }, _scorer, TimeSpan.FromSeconds(30))
    {
        Robust = new RobustSettings { Scenarios = 50, Evaluations = 256, BatchSize = 64, OutOfSampleScenarios = 2 },
    };

    private string Generated(bool uncertainty, ulong seed)
    {
        var path = Path.Combine(_folder, $"gen-{seed}-{uncertainty}.json");
        File.WriteAllText(path, InstanceWriter.Write(InstanceGenerator.Generate(new GeneratorOptions(2, 10, 4, 6, seed, Uncertainty: uncertainty))));
        return path;
    }

    private IReadOnlyList<InstanceComparison> Compare(IEnumerable<string> instances, IEnumerable<string> policies, int scenarios = 200, ulong seed = 3)
    {
        var parsed = policies.Select(p => PolicySpec.Parse(p, Settings)).ToList();
        return PolicyComparison.Run(new ComparisonRequest([.. instances], parsed, parsed[0].Name, scenarios, seed), _scorer);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    public void Without_uncertainty_no_policy_beats_exact(ulong seed)
    {
        var all = new[] { "exact", "greedy", "lease-first", "train-first", "split:0.3", "threshold:2.5", "buffered:0.05", "robust:expected" };

        var result = Assert.Single(Compare([Generated(uncertainty: false, seed)], all, scenarios: 20));

        var exact = result.Policies[0];
        Assert.Equal("optimal", exact.Plan.Report.Status);
        Assert.All(result.Policies, p =>
        {
            Assert.NotNull(p.Risk);
            Assert.Equal(p.Plan.Evaluation!.Objective.Total, p.Risk!.Mean, 1e-6 * Math.Abs(p.Risk.Mean));
            Assert.True(p.Risk.Mean <= exact.Risk!.Mean + 1e-6 * Math.Abs(exact.Risk.Mean), $"{p.Policy}: {p.Risk.Mean} above exact's {exact.Risk.Mean}");
        });
    }

    [Fact]
    public void A_plan_against_itself_differs_by_zero_with_zero_width()
    {
        var result = Assert.Single(Compare([Generated(uncertainty: true, 5)], ["greedy", "train-first"]));

        foreach (var p in result.Policies)
        {
            var mean = PairedDifference.Mean(p.Totals, p.Totals);
            var cvar = PairedDifference.ConditionalValueAtRisk(p.Totals, p.Totals, 0.05, 3);
            Assert.Equal((0.0, 0.0, 0.0), (mean.Estimate, mean.Low, mean.High));
            Assert.Equal((0.0, 0.0, 0.0), (cvar.Estimate, cvar.Low, cvar.High));
            Assert.Equal(1, mean.P);
        }
    }

    [Fact]
    public void Without_uncertainty_a_plan_less_one_offer_differs_by_exactly_that_offer_s_revenue_in_every_scenario()
    {
        // No spot market and free power: an offer dropped is worth its revenue and nothing else.
        var source = InstanceGenerator.Generate(new GeneratorOptions(2, 10, 4, 6, 9)) with { Spot = null, Uncertainty = null };
        source = source with { Sites = [.. source.Sites.Select(s => s with { PowerCostPerMwh = 0 })] };
        var instancePath = Path.Combine(_folder, "no-spot.json");
        File.WriteAllText(instancePath, InstanceWriter.Write(source));
        var instance = new CompiledInstance(source);
        var plan = GreedyPlanner.Plan(instance)!;
        var offer = Enumerable.Range(0, instance.LeaseCount).First(l => !instance.LeaseSigned[l] && plan.LeasePool[l] >= 0);
        var less = plan with { LeasePool = plan.LeasePool.SetItem(offer, -1) };
        var full = Path.Combine(_folder, "full.json");
        var dropped = Path.Combine(_folder, "dropped.json");
        File.WriteAllText(full, PlanWriter.Write(plan.ToPlan(instance)));
        File.WriteAllText(dropped, PlanWriter.Write(less.ToPlan(instance)));

        var result = Assert.Single(Compare([instancePath], [full, dropped], scenarios: 50));

        var (a, b) = (result.Policies[0], result.Policies[1]);
        Assert.All(Enumerable.Range(0, 50), k => Assert.Equal(instance.LeaseRevenue[offer], a.Totals[k] - b.Totals[k], 1e-6 * instance.LeaseRevenue[offer]));
        Assert.Equal(-instance.LeaseRevenue[offer], b.MeanDifference!.Estimate, 1e-6 * instance.LeaseRevenue[offer]);
        Assert.Equal(b.MeanDifference.Low, b.MeanDifference.High, 1e-6 * instance.LeaseRevenue[offer]);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_numbers_and_the_parquet_file_has_a_row_per_instance_policy_and_scenario()
    {
        var instances = new[] { Generated(uncertainty: true, 7), Seeds("tiny.json") };
        string[] policies = ["exact", "greedy", "split:0.2", "robust:cvar:0.1:0.5"];

        var first = Compare(instances, policies, scenarios: 64, seed: 11);
        var second = Compare(instances, policies, scenarios: 64, seed: 11);

        Assert.Equal(Figures(first), Figures(second));
        var rows = (await ParquetSerializer.DeserializeAsync<ComparisonFiles.ScenarioRow>(new MemoryStream(ComparisonFiles.Parquet(first)))).Data.ToList();
        Assert.Equal(2 * 4 * 64, rows.Count);
        var one = rows.Single(r => r.Instance == "tiny" && r.Policy == "greedy" && r.Scenario == 5);
        Assert.Equal(first[1].Policies[1].Totals[5], one.Total);
    }

    [Fact]
    public void A_precision_adds_scenarios_until_every_interval_is_that_narrow_and_says_how_many_it_took()
    {
        var parsed = new[] { "exact", "greedy" }.Select(p => PolicySpec.Parse(p, Settings)).ToList();
        var request = new ComparisonRequest([Generated(uncertainty: true, 5)], parsed, "exact", 100, 3) { Precision = 0.05 };

        var result = Assert.Single(PolicyComparison.Run(request, _scorer));

        Assert.True(result.PrecisionReached);
        Assert.Contains(result.Scenarios, new[] { 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600 });
        var scale = 0.05 * Math.Abs(result.Policies[0].Risk!.Mean);
        var greedy = result.Policies[1];
        Assert.True(greedy.MeanDifference!.High - greedy.MeanDifference.Low < scale);
        Assert.True(greedy.CvarDifference!.High - greedy.CvarDifference.Low < scale);
        Assert.Equal(result.Scenarios, greedy.Outcomes.Count);

        // The scenarios are one sequence: the first 100 are those a single batch of 100 draws.
        var once = Assert.Single(PolicyComparison.Run(request with { Precision = null }, _scorer));
        Assert.Equal(once.Policies[1].Totals, greedy.Totals.Take(100));
    }

    [Fact]
    public void A_stop_keeps_the_instances_compared_before_it_and_drops_the_one_whose_plans_it_cut_short()
    {
        var instances = new[] { Generated(uncertainty: true, 1), Generated(uncertainty: true, 2), Generated(uncertainty: true, 3) };
        var parsed = new[] { "exact", "greedy" }.Select(p => PolicySpec.Parse(p, Settings)).ToList();
        var request = new ComparisonRequest(instances, parsed, "exact", 50, 3);
        using var stop = new CancellationTokenSource();

        // Stopped as the second instance's exact solve starts: that solve hands over an early plan, which must not count.
        var stopped = PolicyComparison.Run(request, _scorer, line =>
        {
            if (line.Contains("-s2: planning with exact", StringComparison.Ordinal))
            {
                stop.Cancel();
            }
        }, stop.Token);
        var whole = PolicyComparison.Run(request with { Instances = instances[..1] }, _scorer);
        var none = PolicyComparison.Run(request, _scorer, cancellation: stop.Token);

        var first = Assert.Single(stopped);
        Assert.Equal(Figures(whole), Figures([first]));
        Assert.Empty(none);
    }

    [Fact]
    public void An_instance_no_policy_can_plan_is_reported_policy_by_policy_with_no_charts()
    {
        // The signed lease needs more GPUs than the pool ever has: every policy fails (drawing the charts of no plans
        // threw, and compare exited 4 after planning everything).
        var tiny = InstanceReader.ReadFile(Seeds("tiny.json"));
        var path = Path.Combine(_folder, "no-plan.json");
        File.WriteAllText(path, InstanceWriter.Write(tiny with { Leases = [tiny.Leases[0] with { Gpus = 15_000 }, tiny.Leases[1]] }));
        var parsed = new[] { "exact", "greedy" }.Select(p => PolicySpec.Parse(p, Settings)).ToList();
        var request = new ComparisonRequest([path], parsed, "exact", 20, 1);

        var comparison = Assert.Single(PolicyComparison.Run(request, _scorer));

        Assert.All(comparison.Policies, p => Assert.Null(p.Risk));
        Assert.Empty(ComparisonCharts.Of(comparison, "exact"));
        var html = ComparisonReport.Html(request, [(comparison, [])], _scorer.Description);
        Assert.Contains("<td class=\"problem\" colspan=\"10\">no plan: These commitments cannot all be met: signed lease &#39;acme-1&#39;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("policy - exact", html, StringComparison.Ordinal);
        ComparisonFiles.Write(_folder, request, [comparison], _scorer.Description);
        Assert.StartsWith("tiny,exact,false,", File.ReadAllLines(Path.Combine(_folder, "summary.csv"))[1], StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, ComparisonFiles.PlansFolder)));
    }

    [Fact]
    public void A_solve_stopped_at_its_limit_says_so_with_its_gap_in_every_table()
    {
        var path = Path.Combine(_folder, "hard.json");
        File.WriteAllText(path, InstanceWriter.Write(InstanceGenerator.Generate(new GeneratorOptions(6, 80, 16, 12, 6, Uncertainty: true, Hard: true))));
        var settings = new PolicySettings(new PlannerOptions { Threads = 1, Deterministic = true, NodeLimit = 1 }, _scorer, TimeSpan.FromSeconds(60));
        var parsed = new[] { "exact", "greedy" }.Select(p => PolicySpec.Parse(p, settings)).ToList();
        var request = new ComparisonRequest([path], parsed, "exact", 20, 1);

        var comparison = Assert.Single(PolicyComparison.Run(request, _scorer));
        ComparisonFiles.Write(_folder, request, [comparison], _scorer.Description);

        var (exact, greedy) = (comparison.Policies[0], comparison.Policies[1]);
        Assert.True(exact.StoppedAtLimit);
        Assert.Matches(@"^\d+\.\d s, at the limit \(gap \d+\.\d+%\)$", exact.Solve);
        Assert.Equal($"{Core.Text.Figures.Seconds(exact.SolveSeconds)}, at the limit (gap {Core.Text.Figures.Percent(exact.Plan.Report.Gap!.Value)})", exact.Solve);
        Assert.False(greedy.StoppedAtLimit);
        Assert.Equal(Core.Text.Figures.Seconds(greedy.SolveSeconds), greedy.Solve);
        var csv = File.ReadAllLines(Path.Combine(_folder, "summary.csv"));
        Assert.EndsWith(",solve_ended,solve_gap", csv[0], StringComparison.Ordinal);
        Assert.EndsWith(FormattableString.Invariant($",timeLimit,{exact.Plan.Report.Gap!.Value:R}"), csv[1], StringComparison.Ordinal);
        Assert.EndsWith(",,", csv[2], StringComparison.Ordinal);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(_folder, "summary.json")))!["instances"]![0]!["policies"]![0]!;
        Assert.Equal("timeLimit", json["solveEnded"]!.GetValue<string>());
        Assert.Contains($"<td>{exact.Solve}</td>", ComparisonReport.Html(request, [(comparison, [])], _scorer.Description), StringComparison.Ordinal);
    }

    [Fact]
    public void Each_policy_s_plan_is_written_and_scored_again_on_the_same_scenarios_it_makes_the_comparison_s_figures()
    {
        var comparison = Assert.Single(Compare([Generated(uncertainty: true, 5)], ["exact", "greedy", "split:0.3"], scenarios: 120, seed: 4));
        var request = new ComparisonRequest([comparison.Path], [], "exact", 120, 4);

        var files = ComparisonFiles.Write(_folder, request, [comparison], _scorer.Description);

        Assert.Contains(Path.Combine(_folder, ComparisonFiles.PlansFolder), files);
        foreach (var policy in comparison.Policies)
        {
            var written = PlanReader.ReadFile(Path.Combine(_folder, ComparisonFiles.PlansFolder, comparison.Name, $"{PolicyNames.AsFileName(policy.Policy)}.json"));
            var evaluation = PlanEvaluator.Evaluate(comparison.Instance, written);
            Assert.True(evaluation.IsFeasible, string.Join("; ", evaluation.Violations));
            var again = _scorer.Summarize(comparison.Instance, [evaluation.Assignment], 4, 120, 0.05).Plans[0];
            Assert.Equal(policy.Risk!.Mean, again.Mean, 1e-9 * Math.Abs(again.Mean));
            Assert.Equal(policy.Risk.CVaR, again.CVaR, 1e-9 * Math.Abs(again.CVaR) + 1e-6);
        }
    }

    [Fact]
    public void Holm_adjusts_the_smallest_p_value_by_the_number_of_comparisons_and_keeps_the_order()
    {
        var adjusted = PairedDifference.Holm([new(1, 0, 2, 0.01), new(1, 0, 2, 0.04), new(1, 0, 2, 0.03)]);

        Assert.Equal([0.03, 0.06, 0.06], adjusted.Select(d => Math.Round(d.AdjustedP, 10)));
    }

    private static string Seeds(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory!.FullName, "Allocator.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory.FullName, "seeds", name);
    }

    private static string Figures(IReadOnlyList<InstanceComparison> comparisons) => string.Join("\n", comparisons.SelectMany(c => c.Policies.Select(p =>
        $"{c.Name} {p.Policy} {p.Risk} {p.MeanDifference} {p.CvarDifference} {string.Join(",", p.Totals)}")));
}
