using System.Text.Json;
using System.Text.Json.Nodes;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;

namespace Allocator.Cli.Tests;

public sealed class CommandLineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allocator-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A feasible plan of tiny.json with the contract's fields only: acme-1 placed, nothing else.</summary>
    private string WriteSmallPlan()
    {
        var plan = Path.Combine(_folder, "plan.json");
        File.WriteAllText(plan, """
            { "instance": "tiny",
              "leases": [ { "id": "acme-1", "accepted": true, "pool": "m-h100", "start": 0 }, { "id": "beta-1", "accepted": false } ],
              "jobs": [ { "id": "pretrain", "scheduled": false }, { "id": "posttrain", "scheduled": false } ] }
            """);
        return plan;
    }

    private string WriteInstance(Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(File.ReadAllText(CliProcess.Seed("tiny.json")))!;
        edit(node);
        var path = Path.Combine(_folder, "instance.json");
        File.WriteAllText(path, node.ToJsonString());
        return path;
    }

    [Fact]
    public void Plan_writes_plan_json_and_csv_whose_objective_the_evaluator_recomputes()
    {
        var output = Path.Combine(_folder, "out");

        var (exit, stdout, _) = CliProcess.Run("plan", CliProcess.Seed("tiny.json"), "--out", output, "--time-limit", "30");

        Assert.Equal(0, exit);
        Assert.Contains("73,066,528 USD", stdout, StringComparison.Ordinal);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "plan.json")))!;
        Assert.Equal("optimal", json["status"]!.GetValue<string>());
        Assert.Equal("proven", json["ended"]!.GetValue<string>());
        var reported = json["objective"]!.GetValue<double>();
        var instance = new CompiledInstance(InstanceReader.ReadFile(CliProcess.Seed("tiny.json")));
        var recomputed = PlanEvaluator.Evaluate(instance, PlanReader.ReadFile(Path.Combine(output, "plan.json")));
        Assert.Equal(recomputed.Objective.Total, reported, 1e-6 * Math.Abs(reported));
        var csv = File.ReadAllLines(Path.Combine(output, "plan.csv"));
        Assert.Equal(5, csv.Length); // header + 2 leases + 2 jobs
        Assert.Equal("kind,id,customer,status,accepted,pool,start,last_period,starts,ends,gpus,value_usd", csv[0]);
        Assert.Contains("job,pretrain,,optional,true,m-h100,3,5,2026-07-27,2026-08-17,8000,45000000", csv);
        var spot = File.ReadAllLines(Path.Combine(output, "spot.csv"));
        Assert.Equal(9, spot.Length); // header + 1 pool x 8 periods
        Assert.StartsWith("m-h100,0,2026-07-06,", spot[1], StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(output, "*.tmp"));
    }

    [Fact]
    public void Plan_json_lists_the_solves_progress_from_the_start_plan_to_the_proven_optimum()
    {
        var output = Path.Combine(_folder, "progress");

        var (exit, _, stderr) = CliProcess.Run("plan", CliProcess.Seed("tiny.json"), "--out", output, "--time-limit", "30");

        Assert.True(exit == 0, stderr);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "plan.json")))!;
        var progress = json["progress"]!.AsArray().Select(p => p!).ToList();
        Assert.Equal("greedy", progress[0]["source"]!.GetValue<string>());
        Assert.Null(progress[0]["bound"]);
        var seconds = progress.Select(p => p["seconds"]!.GetValue<double>()).ToList();
        Assert.Equal(seconds.Order(), seconds);
        Assert.Equal(json["objective"]!.GetValue<double>(), progress[^1]["objective"]!.GetValue<double>(), 1e-6 * 73_066_528);
        Assert.Equal(json["bound"]!.GetValue<double>(), progress[^1]["bound"]!.GetValue<double>(), 1e-6 * 73_066_528);
    }

    [Fact]
    public void A_long_solve_prints_a_heartbeat_with_the_plan_it_holds()
    {
        var output = Path.Combine(_folder, "heartbeat");

        var (exit, _, stderr) = CliProcess.Run("plan", CliProcess.Seed("mid-6x120x20x26.json"), "--out", output, "--time-limit", "12");

        Assert.True(exit == 0, stderr);
        Assert.Matches(@"\[ +1\d\.\ds\] solving: best plan worth [\d,]+ USD", stderr);
    }

    [Fact]
    public async Task Sigterm_during_plan_writes_the_best_plan_so_far_marked_interrupted()
    {
        var output = Path.Combine(_folder, "stopped");
        var instance = CliProcess.Seed("mid-6x120x20x26.json");

        var (exit, stderr) = await CliProcess.RunAndTerminate("greedy:", TimeSpan.FromSeconds(2), "plan", instance, "--out", output, "--time-limit", "120");

        Assert.True(exit == 0, stderr);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "plan.json")))!;
        Assert.Equal("interrupted", json["status"]!.GetValue<string>());
        Assert.Equal("interrupted", json["ended"]!.GetValue<string>());
        var compiled = new CompiledInstance(InstanceReader.ReadFile(instance));
        var evaluation = PlanEvaluator.Evaluate(compiled, PlanReader.ReadFile(Path.Combine(output, "plan.json")));
        Assert.True(evaluation.IsFeasible);
        Assert.Equal(evaluation.Objective.Total, json["objective"]!.GetValue<double>(), 1e-6 * evaluation.Objective.Total);
        Assert.Empty(Directory.GetFiles(output, "*.tmp"));
    }

    [Fact]
    public async Task Sigterm_during_a_sweep_task_writes_neither_the_task_nor_the_merge_and_exits_6()
    {
        // A stopped exact solve hands over its best plan so far; the sweep used to carry on with such plans, write every
        // task and merge, and exit 0, so a cluster's stopped task looked done and its figures came from cut solves.
        var sweep = Path.Combine(_folder, "long-sweep.json");
        File.WriteAllText(sweep, """
            { "name": "long", "pools": [6], "leases": [120], "jobs": [20], "periods": [26], "uncertainty": [true], "hard": [true],
              "seeds": [1, 2], "policies": ["exact", "greedy"], "baseline": "exact", "scenarios": 50, "scenarioSeed": 1, "timeLimitSeconds": 120 }
            """);
        var output = Path.Combine(_folder, "stopped-sweep");

        var (exit, stderr) = await CliProcess.RunAndTerminate("planning with exact", TimeSpan.FromSeconds(1), "sweep", sweep, "--out", output, "--device", "cpu");

        Assert.True(exit == 6, stderr);
        Assert.Contains("Stopped (SIGTERM or Ctrl-C) during task 0: it was not written and nothing was merged", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("task 1 of 2", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Lab.TaskFolders.Of(output, 0), "summary.csv")));
        Assert.False(File.Exists(Path.Combine(output, "summary.csv")));
    }

    [Fact]
    public async Task Sigterm_during_scoring_ends_at_once_writes_nothing_and_exits_6()
    {
        var output = Path.Combine(_folder, "stopped-score");
        var planned = Path.Combine(_folder, "score-plan");
        var colossus = CliProcess.Seed("colossus-2026.json");
        var (planExit, _, planErrors) = CliProcess.Run("plan", colossus, "--time-limit", "1", "--out", planned, "--quiet");
        Assert.True(planExit == 0, planErrors);

        // About 45 s of scoring on two cores (in batches, under 1 GB): the stop must not wait for the scorer.
        var (exit, stderr) = await CliProcess.RunAndTerminate(
            "scoring 1 plan(s)", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), "score", colossus, Path.Combine(planned, "plan.json"), "--scenarios", "3000000", "--device", "cpu", "--out", output);

        Assert.True(exit == 6, stderr);
        Assert.Contains("Stopped (SIGTERM or Ctrl-C) while scoring. Nothing was written.", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task Sigterm_during_a_comparison_writes_the_instances_compared_before_it_and_says_which_were_not()
    {
        var output = Path.Combine(_folder, "stopped-compare");
        var tiny = CliProcess.Seed("tiny.json");
        var colossus = CliProcess.Seed("colossus-2026.json");

        var (exit, stderr) = await CliProcess.RunAndTerminate(
            "colossus-2026: planning with exact", TimeSpan.FromSeconds(1), "compare", tiny, colossus, "--policies", "exact,greedy", "--time-limit", "120", "--device", "cpu", "--out", output);

        Assert.True(exit == 6, stderr);
        Assert.Contains($"Stopped (SIGTERM or Ctrl-C): 1 of 2 instances compared; not compared: {colossus}.", stderr, StringComparison.Ordinal);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "summary.json")))!;
        Assert.True(summary["stopped"]!.GetValue<bool>());
        Assert.Equal([colossus], summary["notCompared"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["tiny"], summary["instances"]!.AsArray().Select(n => n!["instance"]!.GetValue<string>()));
        Assert.DoesNotContain("colossus", File.ReadAllText(Path.Combine(output, "summary.csv")), StringComparison.Ordinal);
        Assert.Contains("<b>Stopped</b>", File.ReadAllText(Path.Combine(output, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void Robust_plan_writes_the_robust_plan_the_exact_plan_and_their_risk_side_by_side()
    {
        var output = Path.Combine(_folder, "robust");

        var (exit, stdout, stderr) = CliProcess.Run(
            "plan", CliProcess.Seed("tiny.json"), "--robust", "--out", output, "--time-limit", "30", "--device", "cpu",
            "--risk", "cvar:0.1:0.5", "--scenarios", "200", "--evaluations", "300", "--batch", "100", "--oos-scenarios", "500");

        Assert.True(exit == 0, stderr);
        Assert.Contains("Exact vs robust under cvar:0.1:0.5", stdout, StringComparison.Ordinal);
        var instance = new CompiledInstance(InstanceReader.ReadFile(CliProcess.Seed("tiny.json")));
        var robust = PlanEvaluator.Evaluate(instance, PlanReader.ReadFile(Path.Combine(output, "plan.json")));
        var exact = PlanEvaluator.Evaluate(instance, PlanReader.ReadFile(Path.Combine(output, "exact-plan.json")));
        Assert.True(robust.IsFeasible);
        Assert.Equal(73_066_528, exact.Objective.Total, 1e-6 * 73_066_528);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "plan.json")))!;
        Assert.Equal("robust", json["status"]!.GetValue<string>());
        Assert.Equal(robust.Objective.Total, json["objective"]!.GetValue<double>(), 1e-6 * Math.Abs(robust.Objective.Total));

        var risk = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "risk.json")))!;
        Assert.Equal("cvar:0.1:0.5", risk["risk"]!.GetValue<string>());
        // tiny.json has few distinct plans: the search stops when it has scored every one its moves reach.
        var evaluations = risk["search"]!["evaluations"]!.GetValue<long>();
        var stopped = risk["search"]!["stopped"]!.GetValue<string>();
        Assert.True(evaluations == 300 ? stopped == "budget" : evaluations < 300 && stopped == "exhausted", $"{evaluations} plans, stopped: {stopped}");
        double Value(JsonNode r) => r["mean"]!.GetValue<double>() - 0.5 * (r["mean"]!.GetValue<double>() - r["cVaR"]!.GetValue<double>());
        Assert.True(Value(risk["search"]!["robust"]!) >= Value(risk["search"]!["exact"]!) - 1);
        Assert.Contains(risk["outOfSample"]!["verdict"]!.GetValue<string>(), new[] { "better", "worse", "notshown" });
        Assert.Equal(500, risk["outOfSample"]!["scenarios"]!.GetValue<int>());
        Assert.Contains(risk["outOfSample"]!["sentence"]!.GetValue<string>(), stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(output, "*.tmp"));
    }

    [Theory]
    [InlineData("--time-limit", "-5", "--time-limit must be a positive number of seconds")]
    [InlineData("--time-limit", "0", "--time-limit must be a positive number of seconds")]
    [InlineData("--threads", "0", "--threads must be at least 1")]
    [InlineData("--threads", "-3", "--threads must be at least 1")]
    [InlineData("--mip-threads", "5", "--mip-threads must be from 1 to --threads (2)")]
    [InlineData("--gap", "1", "--gap must be a fraction from 0 up to (not including) 1")]
    [InlineData("--gap", "-0.01", "--gap must be a fraction from 0 up to (not including) 1")]
    [InlineData("--gap", "NaN", "--gap must be a fraction from 0 up to (not including) 1")]
    public void Plan_with_a_numeric_option_out_of_range_exits_2_naming_it_before_any_solve(string option, string value, string message)
    {
        var output = Path.Combine(_folder, "bad-option");

        var (exit, _, stderr) = CliProcess.Run("plan", CliProcess.Seed("tiny.json"), option, value, "--out", output);

        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("greedy", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Plan_into_a_folder_that_cannot_be_written_exits_2_before_any_solve_without_a_stack_trace()
    {
        // /proc takes no new files, even for root; a file where the folder should be is refused the same way.
        var file = Path.Combine(_folder, "a-file");
        File.WriteAllText(file, "");

        foreach (var folder in new[] { "/proc/allocator-out", file, Path.Combine(file, "below") })
        {
            var (exit, _, stderr) = CliProcess.Run("plan", CliProcess.Seed("mid-6x120x20x26.json"), "--out", folder, "--time-limit", "30");

            Assert.Equal(2, exit);
            Assert.Contains($"error: --out '{folder}'", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("greedy", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(" at ", stderr, StringComparison.Ordinal);
        }

        Assert.Equal("", File.ReadAllText(file));
    }

    [Fact]
    public void Plan_into_a_folder_another_run_holds_exits_5_naming_the_holder_and_writes_nothing()
    {
        var output = Path.Combine(_folder, "held");
        using var held = Service.RunLock.Acquire(output);

        var (exit, _, stderr) = CliProcess.Run("plan", CliProcess.Seed("tiny.json"), "--out", output, "--time-limit", "10");

        Assert.Equal(5, exit);
        Assert.Contains($"another Allocator run is writing to {output} (pid {Environment.ProcessId}", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output, "plan.json")));
    }

    [Fact]
    public void Score_and_generate_check_their_destination_before_any_work()
    {
        var (scoreExit, _, scoreErrors) = CliProcess.Run("score", CliProcess.Seed("tiny.json"), CliProcess.Seed("tiny.json"), "--out", "/proc/allocator-scores");
        var (generateExit, _, generateErrors) = CliProcess.Run("generate", "--out", "/proc/allocator.json");
        var (folderExit, _, folderErrors) = CliProcess.Run("generate", "--out", _folder);

        Assert.Equal(2, scoreExit);
        Assert.Contains("error: --out '/proc/allocator-scores' cannot be written", scoreErrors, StringComparison.Ordinal);
        Assert.Equal(2, generateExit);
        Assert.Contains("error: --out '/proc/allocator.json' cannot be written", generateErrors, StringComparison.Ordinal);
        Assert.Equal(2, folderExit);
        Assert.Contains("is a folder; name the file to write", folderErrors, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_and_score_name_each_option_out_of_range_on_its_own_line()
    {
        var (exit, stdout, stderr) = CliProcess.Run("generate", "--pools", "0", "--leases", "4", "--jobs", "2", "--periods", "1", "--seed", "1", "--announced-share", "2");
        var (scoreExit, _, scoreErrors) = CliProcess.Run("score", CliProcess.Seed("tiny.json"), "plan.json", "--scenarios", "0", "--alpha", "1.5");

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Equal(
            ["error: --pools must be at least 1 (it is 0).", "error: --periods must be at least 2 (it is 1).", "error: --announced-share is a share: it must lie between 0 and 1 (it is 2).", "Nothing was written."],
            stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal(2, scoreExit);
        Assert.Equal(
            ["error: --scenarios must be at least 1 (it is 0).", "error: --alpha must be in (0, 1] (it is 1.5).", "Nothing was written."],
            scoreErrors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void Score_refuses_at_once_more_pairs_than_one_call_can_hold()
    {
        var planned = Path.Combine(_folder, "pairs-plan");
        var (planExit, _, planErrors) = CliProcess.Run("plan", CliProcess.Seed("tiny.json"), "--out", planned, "--quiet");
        Assert.True(planExit == 0, planErrors);
        var plan = Path.Combine(planned, "plan.json");

        var (exit, _, stderr) = CliProcess.Run("score", CliProcess.Seed("tiny.json"), plan, plan, "--scenarios", "2000000000", "--out", Path.Combine(_folder, "pairs"));

        Assert.Equal(2, exit);
        Assert.Contains("--scenarios 2,000,000,000 for 2 plan(s) is more than", stderr, StringComparison.Ordinal);
        Assert.Contains("score fewer scenarios or fewer plans at a time. Nothing was written.", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "pairs")));
    }

    [Fact]
    public void Scenarios_draws_scenario_k_the_same_in_any_range_and_names_each_bad_option()
    {
        var instance = Path.Combine(_folder, "uncertain.json");
        Assert.Equal(0, CliProcess.Run("generate", "--pools", "3", "--leases", "10", "--jobs", "4", "--periods", "6", "--uncertainty", "--announced-share", "0.5", "--out", instance).ExitCode);

        var (allExit, all, _) = CliProcess.Run("scenarios", instance, "--scenarios", "5", "--seed", "4", "--json");
        var (partExit, part, _) = CliProcess.Run("scenarios", instance, "--scenarios", "2", "--first", "3", "--seed", "4", "--json");
        var (badExit, _, badErrors) = CliProcess.Run("scenarios", instance, "--scenarios", "0", "--first", "-1", "--out", Path.Combine(_folder, "draws"));

        Assert.Equal((0, 0), (allExit, partExit));
        using var whole = JsonDocument.Parse(all);
        using var some = JsonDocument.Parse(part);
        Assert.Equal(
            whole.RootElement.GetProperty("draws").EnumerateArray().Skip(3).Select(d => d.GetRawText()),
            some.RootElement.GetProperty("draws").EnumerateArray().Select(d => d.GetRawText()));
        Assert.Equal(2, badExit);
        Assert.Contains("error: --scenarios must be at least 1 (it is 0).", badErrors, StringComparison.Ordinal);
        Assert.Contains("error: --first must be 0 or more (it is -1).", badErrors, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "draws")));
        var (lastExit, _, lastErrors) = CliProcess.Run("scenarios", instance, "--scenarios", "5", "--first", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, lastExit);
        Assert.Contains("error: --first leaves no room for 5 scenarios after it", lastErrors, StringComparison.Ordinal);
        var (hindsightExit, _, hindsightErrors) = CliProcess.Run("scenarios", instance, "--hindsight");
        Assert.Equal(2, hindsightExit);
        Assert.Contains("error: --hindsight needs --out, the folder its files go in.", hindsightErrors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_while_scenarios_are_drawn_writes_nothing_and_exits_6()
    {
        var output = Path.Combine(_folder, "stopped-draws");

        // About a minute of drawing colossus on two cores: the stop comes between two batches.
        var (exit, stderr) = await CliProcess.RunAndTerminate(
            "drawing 200,000 scenarios", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), "scenarios", CliProcess.Seed("colossus-2026.json"), "--scenarios", "200000", "--out", output);

        Assert.True(exit == 6, stderr);
        Assert.Contains("Stopped (SIGTERM or Ctrl-C) while drawing. Nothing was written.", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Score_outcomes_lists_every_plan_and_scenario_and_they_make_the_summary()
    {
        var instance = Path.Combine(_folder, "uncertain-outcomes.json");
        Assert.Equal(0, CliProcess.Run("generate", "--pools", "3", "--leases", "10", "--jobs", "4", "--periods", "6", "--uncertainty", "--out", instance).ExitCode);
        var planned = Path.Combine(_folder, "outcomes-plan");
        Assert.Equal(0, CliProcess.Run("plan", instance, "--out", planned, "--quiet").ExitCode);
        var plan = Path.Combine(planned, "plan.json");
        var scored = Path.Combine(_folder, "outcomes");

        var (exit, stdout, stderr) = CliProcess.Run("score", instance, plan, "--scenarios", "30", "--seed", "5", "--outcomes", "--out", scored, "--json");
        var (alone, _, aloneErrors) = CliProcess.Run("score", instance, plan, "--outcomes");

        Assert.True(exit == 0, stderr);
        var rows = File.ReadAllLines(Path.Combine(scored, "outcomes.csv"));
        Assert.Equal("plan,scenario,total,lease_revenue,penalty,job_value,spot_revenue,power_cost,short_gpu_hours", rows[0]);
        Assert.Equal(Enumerable.Range(0, 30).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)), rows.Skip(1).Select(r => r.Split(',')[1]));
        var totals = rows.Skip(1).Select(r => double.Parse(r.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(totals.Sum() / 30, json.RootElement.GetProperty("plans")[0].GetProperty("risk").GetProperty("mean").GetDouble(), 1e-6);
        Assert.True(new FileInfo(Path.Combine(scored, "outcomes.parquet")).Length > 0);
        Assert.Equal(2, alone);
        Assert.Contains("error: --outcomes needs --out, the folder its files go in.", aloneErrors, StringComparison.Ordinal);
    }

    [Fact]
    public void Robust_plan_with_a_bad_risk_measure_exits_2_naming_the_option_and_writes_nothing()
    {
        var output = Path.Combine(_folder, "bad-risk");

        var (exit, _, stderr) = CliProcess.Run("plan", CliProcess.Seed("tiny.json"), "--robust", "--risk", "cvar:0.05:3", "--out", output);

        Assert.Equal(2, exit);
        Assert.Contains("--risk cvar:0.05:3", stderr, StringComparison.Ordinal);
        Assert.Contains("LAMBDA", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Evaluate_of_a_feasible_plan_exits_0_and_of_an_infeasible_one_exits_3_listing_the_violation()
    {
        var plan = WriteSmallPlan();
        var (ok, okOut, _) = CliProcess.Run("evaluate", CliProcess.Seed("tiny.json"), plan);

        File.WriteAllText(plan, File.ReadAllText(plan).Replace("\"accepted\": true", "\"accepted\": false", StringComparison.Ordinal));
        var (bad, badOut, _) = CliProcess.Run("evaluate", CliProcess.Seed("tiny.json"), plan);

        Assert.Equal(0, ok);
        Assert.Contains("yes", okOut, StringComparison.Ordinal);
        Assert.Equal(3, bad);
        Assert.Contains("signed lease 'acme-1'", badOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpus", "$.leases[0].gpus", -1)]
    [InlineData("successProbability", "$.jobs[0].successProbability", 7)]
    public void Invalid_input_exits_2_names_the_field_and_writes_nothing(string field, string path, double value)
    {
        var instance = WriteInstance(n =>
        {
            var target = path.StartsWith("$.leases", StringComparison.Ordinal) ? n["leases"]![0]! : n["jobs"]![0]!;
            target[field] = value;
        });
        var output = Path.Combine(_folder, "out");

        var (exit, _, stderr) = CliProcess.Run("plan", instance, "--out", output);

        Assert.Equal(2, exit);
        Assert.Contains(path, stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was written", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Validate_lists_every_problem_and_exits_2()
    {
        var instance = WriteInstance(n =>
        {
            n["pools"]![0]!["gpu"] = 1;
            n["leases"]![1]!["pools"] = new JsonArray("nowhere");
        });

        var (exit, _, stderr) = CliProcess.Run("validate", instance);

        Assert.Equal(2, exit);
        Assert.Contains("$.pools[0].gpu", stderr, StringComparison.Ordinal);
        Assert.Contains("$.leases[1].pools[0]", stderr, StringComparison.Ordinal);
        Assert.Contains("2 problems", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Infeasible_commitments_exit_3_with_the_collision_and_write_nothing()
    {
        var instance = WriteInstance(n => n["leases"]![1]!["status"] = "signed");
        var output = Path.Combine(_folder, "out");

        // beta-1 (6,000) signed beside acme-1 (4,000) fits periods 0..2 only if nothing else does; make it collide:
        var node = JsonNode.Parse(File.ReadAllText(instance))!;
        node["leases"]![1]!["gpus"] = 7000;
        File.WriteAllText(instance, node.ToJsonString());
        var (exit, _, stderr) = CliProcess.Run("plan", instance, "--out", output);

        Assert.Equal(3, exit);
        Assert.Contains("signed lease 'acme-1'", stderr, StringComparison.Ordinal);
        Assert.Contains("signed lease 'beta-1'", stderr, StringComparison.Ordinal);
        Assert.Contains("Pool 'm-h100'", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Validate_notes_what_is_valid_but_likely_not_meant_and_still_exits_0()
    {
        var tiny = JsonNode.Parse(File.ReadAllText(CliProcess.Seed("tiny.json")))!;
        tiny["leases"]![0]!["gpus"] = 15_000;
        tiny["pools"]![0]!["deliveries"]!.AsArray().Add(new JsonObject { ["period"] = 9, ["gpus"] = 100 });
        var instance = Path.Combine(_folder, "noted.json");
        File.WriteAllText(instance, tiny.ToJsonString());

        var (exit, stdout, stderr) = CliProcess.Run("validate", instance);

        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"{instance}: valid.", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("  note: $.leases[0]: no plan can be feasible: signed lease 'acme-1' (Acme AI) needs 15,000 GPUs", lines[1], StringComparison.Ordinal);
        Assert.Equal("  note: $.pools[0].deliveries[1].period: 9 is past the horizon's last period (7); this delivery never counts.", lines[2]);
        Assert.Equal(3, lines.Length);

        var (jsonExit, json, _) = CliProcess.Run("validate", instance, "--json");
        Assert.Equal(0, jsonExit);
        var verdict = JsonNode.Parse(json)!;
        Assert.True(verdict["valid"]!.GetValue<bool>());
        Assert.Empty(verdict["problems"]!.AsArray());
        Assert.Equal(["$.leases[0]", "$.pools[0].deliveries[1].period"], verdict["notes"]!.AsArray().Select(n => n!["path"]!.GetValue<string>()));
    }

    [Fact]
    public void Validate_json_lists_every_problem_by_its_path_and_exits_2()
    {
        var tiny = JsonNode.Parse(File.ReadAllText(CliProcess.Seed("tiny.json")))!;
        tiny["leases"]![0]!["gpus"] = 0;
        tiny["jobs"]![1]!["after"] = new JsonArray("nothing");
        var instance = Path.Combine(_folder, "two-problems.json");
        File.WriteAllText(instance, tiny.ToJsonString());

        var (exit, stdout, _) = CliProcess.Run("validate", instance, "--json");

        Assert.Equal(2, exit);
        var verdict = JsonNode.Parse(stdout)!;
        Assert.False(verdict["valid"]!.GetValue<bool>());
        Assert.Equal(["$.leases[0].gpus", "$.jobs[1].after[0]"], verdict["problems"]!.AsArray().Select(p => p!["path"]!.GetValue<string>()));
        Assert.Empty(verdict["notes"]!.AsArray());
    }

    [Fact]
    public void Generate_writes_an_instance_that_validates()
    {
        var path = Path.Combine(_folder, "generated.json");

        var (exit, _, _) = CliProcess.Run("generate", "--pools", "3", "--leases", "20", "--jobs", "4", "--periods", "8", "--seed", "5", "--uncertainty", "--out", path);
        var (valid, stdout, _) = CliProcess.Run("validate", path);

        Assert.Equal(0, exit);
        Assert.Equal(0, valid);
        Assert.Contains("3 pools, 20 leases", stdout, StringComparison.Ordinal);
        Assert.NotNull(InstanceReader.ReadFile(path).Uncertainty);
    }

    [Fact]
    public void Score_without_uncertainty_reports_the_deterministic_objective_as_mean_and_cvar_and_writes_json_and_csv()
    {
        var output = Path.Combine(_folder, "scores");
        var plan = Path.Combine(_folder, "plan");
        Assert.Equal(0, CliProcess.Run("plan", CliProcess.Seed("tiny.json"), "--out", plan).ExitCode);

        var (exit, stdout, _) = CliProcess.Run("score", CliProcess.Seed("tiny.json"), Path.Combine(plan, "plan.json"), "--scenarios", "50", "--device", "cpu", "--out", output);

        Assert.Equal(0, exit);
        Assert.Contains("73,066,528", stdout, StringComparison.Ordinal);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "scores.json")))!;
        var risk = json["plans"]![0]!["risk"]!;
        Assert.Equal(73_066_528, risk["mean"]!.GetValue<double>(), 1e-6 * 73_066_528);
        Assert.Equal(73_066_528, risk["cVaR"]!.GetValue<double>(), 1e-6 * 73_066_528);
        Assert.Equal(0, risk["probabilityAnyLeaseShort"]!.GetValue<double>());
        Assert.Equal(2, File.ReadAllLines(Path.Combine(output, "scores.csv")).Length);
    }

    [Fact]
    public void Devices_lists_the_cpu_fallback_what_auto_picks_and_the_opencl_devices_it_cannot_use()
    {
        var (exit, stdout, _) = CliProcess.Run("devices");

        Assert.Equal(0, exit);
        Assert.Contains("C# fast path", stdout, StringComparison.Ordinal);
        Assert.Contains("--device auto uses:", stdout, StringComparison.Ordinal);

        // PoCL's CPU device (.ci/run installs it) speaks OpenCL C 1.2: found through libOpenCL.so.1, named, and why.
        Assert.Matches(@"not usable: opencl '[^']+' \(OpenCL C 1\.2 without the generic address space ILGPU's kernels need\)\.", stdout);
    }

    [Fact]
    public void Scoring_on_the_cpu_loads_no_gpu_driver_or_opencl_runtime()
    {
        var plan = WriteSmallPlan();

        // The dynamic loader's own log of every library the process looks for (glibc's LD_DEBUG), one file per process.
        string LookedFor(string device)
        {
            var log = Path.Combine(_folder, $"loads-{device}");
            var (exit, _, errors) = CliProcess.RunWith([("LD_DEBUG", "libs"), ("LD_DEBUG_OUTPUT", log)], "score", CliProcess.Seed("tiny.json"), plan, "--device", device, "--scenarios", "8");
            Assert.True(exit == 0, errors);
            return string.Concat(Directory.GetFiles(_folder, $"loads-{device}.*").Select(File.ReadAllText));
        }

        var cpu = LookedFor("cpu");
        var emulator = LookedFor("ilgpu-cpu");
        var auto = LookedFor("auto");

        // Looking for a GPU shows in the log (so the log would show it on the CPU paths too); the CPU paths look for none.
        Assert.Contains("libOpenCL.so", auto, StringComparison.Ordinal);
        Assert.Contains("libcuda.so", auto, StringComparison.Ordinal);
        foreach (var library in new[] { "libOpenCL.so", "libcuda.so", "libpocl" })
        {
            Assert.DoesNotContain(library, cpu, StringComparison.Ordinal);
            Assert.DoesNotContain(library, emulator, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_device_and_solver_is_spelled_one_way_and_a_wrong_word_is_refused_with_the_list()
    {
        var plan = WriteSmallPlan();

        var (_, devices, _) = CliProcess.Run("devices");
        var (emulated, _, emulatedErrors) = CliProcess.Run("score", CliProcess.Seed("tiny.json"), plan, "--device", "ilgpu-cpu", "--scenarios", "8");
        var (wrongDevice, _, deviceErrors) = CliProcess.Run("score", CliProcess.Seed("tiny.json"), plan, "--device", "ilgpucpu");
        var (wrongSolver, _, solverErrors) = CliProcess.Run("plan", CliProcess.Seed("tiny.json"), "--solver", "gurobi", "--out", Path.Combine(_folder, "never"));

        Assert.Contains("ilgpu-cpu", devices, StringComparison.Ordinal);
        Assert.True(emulated == 0, emulatedErrors);
        Assert.Contains("ilgpu-cpu (ILGPU's CPU accelerator", emulatedErrors, StringComparison.Ordinal);
        Assert.Equal(2, wrongDevice);
        Assert.Contains("--device 'ilgpucpu' is not one of: auto, cuda, opencl, cpu, ilgpu-cpu.", deviceErrors, StringComparison.Ordinal);
        Assert.Equal(2, wrongSolver);
        Assert.Contains("--solver 'gurobi' is not one of: scip, highs, cpsat.", solverErrors, StringComparison.Ordinal);
        Assert.DoesNotContain("Allocator.", deviceErrors + solverErrors, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "never")));
    }

    [Fact]
    public void Compare_scores_every_policy_on_the_same_scenarios_and_writes_the_summary_and_the_parquet_file()
    {
        var output = Path.Combine(_folder, "lab");

        var (exit, stdout, stderr) = CliProcess.Run(
            "compare", CliProcess.Seed("tiny.json"), "--policies", "exact,lease-first,split:0.3", "--scenarios", "40", "--device", "cpu", "--threads", "1", "--out", output);

        Assert.True(exit == 0, stderr);
        Assert.Contains("tiny: 40 scenarios, seed 1, against exact", stdout, StringComparison.Ordinal);
        Assert.Contains("-13,634,176 [-13,634,176 .. -13,634,176]", stdout, StringComparison.Ordinal);
        var csv = File.ReadAllLines(Path.Combine(output, "summary.csv"));
        Assert.Equal(4, csv.Length);
        Assert.StartsWith("tiny,exact,true,40,73066528,", csv[1], StringComparison.Ordinal);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "summary.json")))!;
        Assert.Equal("exact", json["baseline"]!.GetValue<string>());
        Assert.Equal(3, json["instances"]![0]!["policies"]!.AsArray().Count);
        Assert.True(new FileInfo(Path.Combine(output, "results.parquet")).Length > 0);
    }

    [Fact]
    public void Compare_prints_a_policy_without_a_plan_as_a_row_and_says_why_under_the_table()
    {
        // The signed lease fills the whole pool, so a policy holding 5% of every pool back has no plan (the table's row
        // for it had one cell too many and the command failed, exit 4).
        var tiny = JsonNode.Parse(File.ReadAllText(CliProcess.Seed("tiny.json")))!;
        tiny["leases"]![0]!["gpus"] = 10_000;
        var instance = Path.Combine(_folder, "full.json");
        File.WriteAllText(instance, tiny.ToJsonString());

        var (exit, stdout, stderr) = CliProcess.Run(
            "compare", instance, "--policies", "exact,buffered:0.05", "--scenarios", "10", "--device", "cpu", "--threads", "1");

        Assert.True(exit == 0, stderr);
        Assert.Matches(@"buffered:0\.05 +│ +no plan │", stdout);
        Assert.Contains("buffered:0.05 has no plan: With 5 % of every pool held back: These commitments cannot all be met: signed lease 'acme-1'", stdout, StringComparison.Ordinal);

        // A baseline without a plan leaves no interval to narrow: --precision says so rather than that it was reached.
        var (againstNone, said, errors) = CliProcess.Run(
            "compare", instance, "--policies", "exact,buffered:0.05", "--baseline", "buffered:0.05", "--precision", "0.001", "--scenarios", "10", "--device", "cpu", "--threads", "1");
        Assert.True(againstNone == 0, errors);
        Assert.Contains("No paired interval to narrow: buffered:0.05 or every other policy has no plan, so --precision did not apply.", said, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_runs_each_policy_closed_loop_against_the_static_plan_and_the_clairvoyant_value_and_writes_its_files()
    {
        var output = Path.Combine(_folder, "sim");

        var (exit, stdout, stderr) = CliProcess.Run(
            "simulate", CliProcess.Seed("tiny.json"), "--policies", "static,exact,greedy", "--scenarios", "6", "--hindsight", "--threads", "1", "--out", output);

        Assert.True(exit == 0, stderr);
        Assert.Contains("tiny: 6 scenarios closed loop, seed 1, re-planning every 1 period(s); clairvoyant mean 73,066,528", stdout, StringComparison.Ordinal);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "summary.json")))!;
        var policies = summary["policies"]!.AsArray();
        Assert.Equal(["static", "exact", "greedy"], policies.Select(p => p!["name"]!.GetValue<string>()));
        // No uncertainty in tiny: every policy makes the known optimum in every scenario, and so does hindsight.
        Assert.All(policies, p => Assert.Equal(73_066_528, p!["mean"]!.GetValue<double>(), 1e-6 * 73_066_528));
        Assert.Equal(73_066_528, summary["clairvoyant"]!.GetValue<double>(), 1e-6 * 73_066_528);
        foreach (var file in new[] { "results.parquet", "summary.csv", "decisions.json", "value-over-time.png", "value-over-time.svg", "decisions.png", "report.html" })
        {
            Assert.True(new FileInfo(Path.Combine(output, file)).Length > 0, file);
        }
    }

    [Fact]
    public void An_arrays_simulation_tasks_write_one_folder_side_by_side_and_the_same_task_twice_is_refused()
    {
        // A job array's tasks share --out, so a task holds only its own task's folder (each used to hold the whole folder,
        // and the array's second task to start failed while the first ran); a merge or a whole run holds the folder.
        var output = Path.Combine(_folder, "sim-tasks");
        string[] simulate = ["simulate", CliProcess.Seed("tiny.json"), "--policies", "greedy", "--scenarios", "4", "--tasks", "2", "--out", output];

        int other;
        string otherErrors;
        using (Service.RunLock.Acquire(output))
        {
            (other, _, otherErrors) = CliProcess.Run([.. simulate, "--task", "1"]);
        }

        int same;
        string sameErrors;
        using (Service.RunLock.Acquire(Lab.TaskFolders.Of(output, 0)))
        {
            (same, _, sameErrors) = CliProcess.Run([.. simulate, "--task", "0"]);
        }

        var (first, _, firstErrors) = CliProcess.Run([.. simulate, "--task", "0"]);
        var (merge, _, mergeErrors) = CliProcess.Run([.. simulate, "--merge"]);

        Assert.True(other == 0, otherErrors);
        Assert.Equal(5, same);
        Assert.Contains($"another Allocator run is writing to {Lab.TaskFolders.Of(output, 0)}", sameErrors, StringComparison.Ordinal);
        Assert.True(first == 0, firstErrors);
        Assert.True(merge == 0, mergeErrors);
        Assert.True(new FileInfo(Path.Combine(output, "summary.json")).Length > 0);
    }

    [Fact]
    public void A_sweeps_single_task_holds_only_its_folder_and_a_whole_run_or_a_merge_is_refused_where_another_run_writes()
    {
        var sweep = Path.Combine(_folder, "sweep.json");
        File.WriteAllText(sweep, """
            { "name": "locks", "pools": [2], "leases": [6], "jobs": [2], "periods": [4], "uncertainty": [true], "hard": [false],
              "seeds": [1, 2], "policies": ["greedy", "lease-first"], "baseline": "greedy",
              "scenarios": 20, "scenarioSeed": 1, "timeLimitSeconds": 5 }
            """);
        var output = Path.Combine(_folder, "sweep-out");
        string[] run = ["sweep", sweep, "--out", output, "--device", "cpu"];

        int other;
        string otherErrors;
        using (Service.RunLock.Acquire(output))
        {
            // A whole run or a merge holds the folder; an array's task beside it still runs.
            (other, _, otherErrors) = CliProcess.Run([.. run, "--task", "0"]);
        }

        int same, whole, merge;
        string sameErrors, wholeErrors, mergeErrors;
        using (Service.RunLock.Acquire(Lab.TaskFolders.Of(output, 1)))
        {
            (same, _, sameErrors) = CliProcess.Run([.. run, "--task", "1"]);
            (whole, _, wholeErrors) = CliProcess.Run(run);
        }

        var mergedEarly = File.Exists(Path.Combine(output, "summary.csv"));

        using (Service.RunLock.Acquire(output))
        {
            (merge, _, mergeErrors) = CliProcess.Run("merge", output, "--out", output);
        }

        var (again, _, againErrors) = CliProcess.Run(run);

        Assert.True(other == 0, otherErrors);
        Assert.Equal(5, same);
        Assert.Contains($"another Allocator run is writing to {Lab.TaskFolders.Of(output, 1)}", sameErrors, StringComparison.Ordinal);
        // The whole run finished task 0 and kept it, then stopped at the held task without merging.
        Assert.Equal(5, whole);
        Assert.Contains($"another Allocator run is writing to {Lab.TaskFolders.Of(output, 1)}", wholeErrors, StringComparison.Ordinal);
        Assert.False(mergedEarly);
        Assert.Equal(5, merge);
        Assert.Contains($"another Allocator run is writing to {output}", mergeErrors, StringComparison.Ordinal);
        Assert.True(again == 0, againErrors);
        Assert.Equal(1 + 2 * 2, File.ReadAllLines(Path.Combine(output, "summary.csv")).Length);
    }

    [Fact]
    public void Bench_measures_each_scorer_checks_it_against_the_reference_and_writes_json_to_compare_machines()
    {
        var json = Path.Combine(_folder, "bench.json");

        var (exit, stdout, stderr) = CliProcess.Run("bench", "--device", "cpu,ilgpu-cpu,reference", "--plans", "64", "--scenarios", "128", "--json", json);

        Assert.True(exit == 0, stderr);
        Assert.Contains("cpu (C# fast path", stdout, StringComparison.Ordinal);
        var document = JsonNode.Parse(File.ReadAllText(json))!;
        var scorers = document["scorers"]!.AsArray();
        // Per device double then mixed (checked against the double path pair by pair), then the reference.
        Assert.Equal(["double", "mixed", "double", "mixed", "double"], scorers.Select(s => s!["precision"]!.GetValue<string>()));
        Assert.All(scorers, s => Assert.True(s!["pairsPerSecond"]!.GetValue<double>() > 0));
        Assert.All(scorers.Take(4), s => Assert.True(s!["agrees"]!.GetValue<bool>()));
        Assert.True(scorers[1]!["worstAgainstDouble"]!.GetValue<double>() <= scorers[1]!["tolerance"]!.GetValue<double>());
        Assert.StartsWith("local memory", scorers[2]!["statePlacement"]!.GetValue<string>(), StringComparison.Ordinal);
        // Arithmetic: the counted operations and a probed peak give a bound the scorer stays under.
        Assert.True(scorers[0]!["operationsPerPair"]!.GetValue<double>() > 1000);
        Assert.True(scorers[0]!["float64PeakPerSecond"]!.GetValue<double>() > 0);
        Assert.InRange(scorers[0]!["shareOfArithmeticBound"]!.GetValue<double>(), 0, 1);
        Assert.Equal(16 * 32, scorers[0]!["plans"]!.GetValue<int>() * scorers[0]!["scenarios"]!.GetValue<int>());
        // Memory: a pair must at least write its six outcomes, and its code touches far more than that.
        Assert.True(scorers[0]!["compulsoryBytesPerPair"]!.GetValue<double>() >= 48);
        Assert.True(scorers[0]!["touchedBytesPerPair"]!.GetValue<double>() > scorers[0]!["compulsoryBytesPerPair"]!.GetValue<double>());
        Assert.True(scorers[0]!["bandwidthGBps"]!.GetValue<double>() > 0);
        // The processor, named as the system names it, so that machines compare.
        Assert.False(string.IsNullOrWhiteSpace(document["machine"]!["cpu"]!.GetValue<string>()));
        // What the machine has and no row measures: PoCL's OpenCL CPU device (.ci/run installs it), with why.
        var unusable = Assert.Single(document["unusableDevices"]!.AsArray());
        Assert.Equal("opencl", unusable!["kind"]!.GetValue<string>());
        Assert.Contains("generic address space", unusable["why"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_stopped_by_sigterm_keeps_what_it_measured_and_lists_the_rest_as_not_measured()
    {
        var json = Path.Combine(_folder, "bench.json");

        // Stopped while the emulator compiles its kernel: the CPU rows are measured, the emulator's and the reference's are not.
        var (exit, stderr) = await CliProcess.RunAndTerminate(
            "measuring ilgpu-cpu", TimeSpan.Zero, "bench", "--device", "cpu,ilgpu-cpu,reference", "--precision", "double", "--plans", "64", "--scenarios", "512", "--json", json);

        Assert.True(exit == 0, stderr);
        Assert.Contains("interrupted: ilgpu-cpu", stderr, StringComparison.Ordinal);
        var written = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.True(written["interrupted"]!.GetValue<bool>());
        var measured = written["scorers"]!.AsArray().Select(r => r!["device"]!.GetValue<string>()).ToList();
        Assert.Contains(measured, d => d.StartsWith("cpu (C# fast path", StringComparison.Ordinal));
        Assert.DoesNotContain(measured, d => d.StartsWith("reference", StringComparison.Ordinal));
        var skipped = written["skipped"]!.AsArray().ToDictionary(s => s!["asked"]!.GetValue<string>(), s => s!["reason"]!.GetValue<string>());
        Assert.Equal("not measured: the run was stopped (SIGTERM or Ctrl-C)", skipped["reference"]);
    }

    [Fact]
    public void Bench_says_a_named_device_is_absent_leaves_it_out_and_measures_the_others()
    {
        var json = Path.Combine(_folder, "bench-absent.json");
        using var context = Allocator.Kernels.DeviceCatalog.CreateContext();
        var hasCuda = Allocator.Kernels.DeviceCatalog.List(context).Any(d => d.Kind == "cuda");

        var (exit, _, stderr) = CliProcess.Run("bench", "--device", "cuda,cpu", "--precision", "double,mixed", "--plans", "64", "--scenarios", "128", "--json", json);
        var (aloneExit, _, aloneError) = CliProcess.Run("bench", "--device", "cuda", "--precision", "double", "--plans", "64", "--scenarios", "128", "--json", json + ".alone");

        Assert.True(exit == 0, stderr);
        var devices = JsonNode.Parse(File.ReadAllText(json))!["scorers"]!.AsArray().Select(s => s!["device"]!.GetValue<string>()).ToList();
        if (hasCuda)
        {
            Assert.Equal(2, devices.Count(d => d.StartsWith("cuda (", StringComparison.Ordinal)));
            Assert.Empty(JsonNode.Parse(File.ReadAllText(json))!["skipped"]!.AsArray());
            Assert.Equal(0, aloneExit);
            return;
        }

        // Without CUDA: said once, no row for it and none in its place (the CPU rows are the CPU's own two).
        Assert.Equal(1, stderr.Split('\n').Count(l => l.Contains("warning: cuda: no usable CUDA device; skipped.", StringComparison.Ordinal)));
        Assert.DoesNotContain("measuring cuda, mixed", stderr, StringComparison.Ordinal);
        Assert.Equal(2, devices.Count);
        Assert.All(devices, d => Assert.StartsWith("cpu (", d, StringComparison.Ordinal));
        var skipped = Assert.Single(JsonNode.Parse(File.ReadAllText(json))!["skipped"]!.AsArray());
        Assert.Equal("cuda", skipped!["asked"]!.GetValue<string>());
        Assert.Equal("no usable CUDA device; skipped.", skipped["reason"]!.GetValue<string>());
        // Nothing else to measure: an error, exit 4, no JSON.
        Assert.Equal(4, aloneExit);
        Assert.Contains("nothing was measured: cuda", aloneError, StringComparison.Ordinal);
        Assert.False(File.Exists(json + ".alone"));
    }

    [Fact]
    public void Bench_compares_cpu_lane_widths_side_by_side_and_refuses_a_path_it_does_not_know()
    {
        var json = Path.Combine(_folder, "bench-lanes.json");
        var width = $"lanes-{Allocator.Kernels.VectorLanes.Bits}";

        var (exit, _, stderr) = CliProcess.Run("bench", "--device", "cpu", "--precision", "double", "--cpu-path", $"{width},scalar", "--plans", "64", "--scenarios", "128", "--json", json);
        var (badExit, _, badError) = CliProcess.Run("bench", "--device", "cpu", "--cpu-path", "lanes-100");

        Assert.True(exit == 0, stderr);
        var devices = JsonNode.Parse(File.ReadAllText(json))!["scorers"]!.AsArray().Select(s => s!["device"]!.GetValue<string>()).ToList();
        Assert.Equal(2, devices.Count);
        var lanes = System.Numerics.Vector.IsHardwareAccelerated
            ? $"{Allocator.Kernels.VectorLanes.Count} SIMD lanes of {Allocator.Kernels.VectorLanes.Bits} bits"
            : "scalar";
        Assert.Contains(lanes, devices[0], StringComparison.Ordinal);
        Assert.Contains("scalar", devices[1], StringComparison.Ordinal);
        Assert.Equal(2, badExit);
        Assert.Contains($"'lanes-100' is not one of: lanes, lanes-512, {width}, lanes-2x", badError, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_every_command_in_one_line_and_each_command_s_help_has_examples_and_defaults()
    {
        var (exit, overview, _) = CliProcess.Run("--help");
        var (_, plan, _) = CliProcess.Run("plan", "--help");

        Assert.Equal(0, exit);
        foreach (var command in new[] { "validate", "plan", "evaluate", "generate", "devices", "score", "schema", "compare", "simulate", "sweep", "merge", "bench", "serve", "run-once", "history" })
        {
            Assert.Matches($@"(?m)^  {command} +\S", overview);
        }

        Assert.DoesNotContain("Examples:", overview, StringComparison.Ordinal);
        Assert.Contains("Examples:", plan, StringComparison.Ordinal);
        Assert.Contains("allocator plan seeds/tiny.json --out out/tiny", plan, StringComparison.Ordinal);
        Assert.Contains("--solver <scip|highs|cpsat>", plan, StringComparison.Ordinal);
        Assert.Contains("[default: scip]", plan, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_option_exits_2()
    {
        var (exit, _, stderr) = CliProcess.Run("plan", CliProcess.Seed("tiny.json"), "--time-limt", "3");

        Assert.Equal(2, exit);
        Assert.Contains("--time-limt", stderr, StringComparison.Ordinal);
    }
}
