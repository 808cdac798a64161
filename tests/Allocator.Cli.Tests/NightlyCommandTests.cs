using System.Text.Json.Nodes;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;

namespace Allocator.Cli.Tests;

public sealed class NightlyCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allocator-nightly-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Run_once_by_hand_writes_the_plan_and_history_list_prints_the_run_as_json()
    {
        var output = Path.Combine(_folder, "out");
        var history = Path.Combine(_folder, "history.db");

        var (exit, _, stderr) = CliProcess.Run("run-once", "--instance", CliProcess.Seed("tiny.json"), "--out", output, "--history", history, "--time-limit", "30");

        Assert.True(exit == 0, stderr);
        Assert.True(File.Exists(Path.Combine(output, "tiny", "plan.json")));
        var (listExit, stdout, _) = CliProcess.Run("history", "list", "--history", history, "--json");
        Assert.Equal(0, listExit);
        var run = Assert.Single(JsonNode.Parse(stdout)!.AsArray())!;
        Assert.Equal("ok", run["status"]!.GetValue<string>());
        Assert.Equal(73_066_528, run["objective"]!.GetValue<double>(), 1e-6 * 73_066_528);
        Assert.True(DateTimeOffset.TryParse(run["startedAt"]!.GetValue<string>(), out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Plan_and_run_once_write_the_same_plan_json_and_risk_json_for_the_same_input_and_options(bool robust)
    {
        string[] shared = ["--time-limit", "20", "--threads", "1"];
        string[] search = robust
            ? ["--robust", "--device", "cpu", "--scenarios", "40", "--scenario-seed", "7", "--batch", "16", "--evaluations", "64", "--oos-scenarios", "100"]
            : [];
        var byPlan = Path.Combine(_folder, "plan");
        var byService = Path.Combine(_folder, "service");

        var (planExit, _, planErrors) = CliProcess.Run(["plan", CliProcess.Seed("tiny.json"), "--out", byPlan, .. shared, .. search]);
        var (serviceExit, _, serviceErrors) = CliProcess.Run(
            ["run-once", "--instance", CliProcess.Seed("tiny.json"), "--out", byService, "--history", Path.Combine(_folder, "history.db"), .. shared, .. search]);

        Assert.True(planExit == 0, planErrors);
        Assert.True(serviceExit == 0, serviceErrors);
        string[] files = robust ? ["plan.json", "risk.json", "exact-plan.json", "plan.csv", "spot.csv"] : ["plan.json", "plan.csv", "spot.csv"];
        foreach (var file in files)
        {
            Assert.Equal(WithoutTimes(File.ReadAllText(Path.Combine(byPlan, file))), WithoutTimes(File.ReadAllText(Path.Combine(byService, "tiny", file))));
        }

        Assert.False(File.Exists(Path.Combine(byService, "tiny", "risk.json")) && !robust);
    }

    /// <summary>A plan.json, risk.json or plan.csv less what differs between two runs of the same work: how long each part took.</summary>
    private static string WithoutTimes(string text)
    {
        if (!text.TrimStart().StartsWith('{'))
        {
            return text;
        }

        var json = JsonNode.Parse(text)!.AsObject();
        json.Remove("solveSeconds");
        json.Remove("progress");
        if (json["search"] is JsonObject search)
        {
            search.Remove("seconds");
            search.Remove("scoringSeconds");
            search.Remove("candidatesPerSecond");
        }

        return json.ToJsonString();
    }

    [Fact]
    public void Run_once_with_bad_options_exits_2_naming_them_and_runs_nothing()
    {
        var output = Path.Combine(_folder, "out");

        var (exit, _, stderr) = CliProcess.Run("run-once", "--out", output, "--schedule", "61 * * * *");

        Assert.Equal(2, exit);
        Assert.Contains("Nightly:Instances is empty", stderr, StringComparison.Ordinal);
        Assert.Contains("Nightly:Schedule '61 * * * *'", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task Sigterm_mid_solve_writes_a_complete_plan_and_records_the_run_as_interrupted()
    {
        var output = Path.Combine(_folder, "out");
        var history = Path.Combine(_folder, "history.db");
        var instance = CliProcess.Seed("mid-6x120x20x26.json");

        // The mid-size seed takes SCIP far longer than this test waits to prove optimal; two seconds after the run starts
        // planning, the model is built and SCIP is searching.
        var (exit, stderr) = await CliProcess.RunAndTerminate(
            "planning", TimeSpan.FromSeconds(2), "run-once", "--instance", instance, "--out", output, "--history", history, "--time-limit", "120");

        Assert.True(exit == 0, stderr);
        var compiled = new CompiledInstance(InstanceReader.ReadFile(instance));
        var evaluation = PlanEvaluator.Evaluate(compiled, PlanReader.ReadFile(Path.Combine(output, "mid-6x120x20x26", "plan.json")));
        Assert.True(evaluation.IsFeasible);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "mid-6x120x20x26", "plan.json")))!;
        Assert.Equal("interrupted", json["status"]!.GetValue<string>());
        Assert.Empty(Directory.GetFiles(output, "*.tmp", SearchOption.AllDirectories));
        var (_, list, _) = CliProcess.Run("history", "list", "--history", history, "--json");
        var run = Assert.Single(JsonNode.Parse(list)!.AsArray())!;
        Assert.Equal("interrupted", run["status"]!.GetValue<string>());
        Assert.Equal(evaluation.Objective.Total, run["objective"]!.GetValue<double>(), 1e-6 * evaluation.Objective.Total);
    }

    [Fact]
    public async Task Sigterm_ten_seconds_into_a_300_s_night_on_a_hard_instance_writes_a_feasible_plan_and_exits_within_30_s()
    {
        // The hard case: half the leases signed, with flexible windows on several pools, in pools filled to 97% by
        // commitments. A planner that held no plan until its MIP's share of the limit ended would have nothing to write.
        var output = Path.Combine(_folder, "out");
        var history = Path.Combine(_folder, "history.db");
        var instance = Path.Combine(_folder, "hard.json");
        var (generated, _, generateErrors) = CliProcess.Run(
            "generate", "--hard", "--pools", "12", "--leases", "600", "--jobs", "60", "--periods", "52", "--seed", "1", "--out", instance);
        Assert.True(generated == 0, generateErrors);

        var (exit, stderr) = await CliProcess.RunAndTerminate(
            "planning", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), "run-once", "--instance", instance, "--out", output, "--history", history, "--time-limit", "300");

        Assert.True(exit == 0, stderr);
        var compiled = new CompiledInstance(InstanceReader.ReadFile(instance));
        var evaluation = PlanEvaluator.Evaluate(compiled, PlanReader.ReadFile(Path.Combine(output, "hard", "plan.json")));
        Assert.True(evaluation.IsFeasible, string.Join("; ", evaluation.Violations));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "hard", "plan.json")))!;
        Assert.Equal("interrupted", json["status"]!.GetValue<string>());
        Assert.Equal(compiled.LeaseCount, json["leases"]!.AsArray().Count);
        Assert.Equal(compiled.JobCount, json["jobs"]!.AsArray().Count);
        var (_, list, _) = CliProcess.Run("history", "list", "--history", history, "--json");
        var run = Assert.Single(JsonNode.Parse(list)!.AsArray())!;
        Assert.Equal("interrupted", run["status"]!.GetValue<string>());
        Assert.Equal(evaluation.Objective.Total, run["objective"]!.GetValue<double>(), 1e-6 * evaluation.Objective.Total);
    }
}
