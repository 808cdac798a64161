using System.Text.Json.Nodes;

namespace Allocator.Cli.Tests;

/// <summary>A sweep submitted to a real Slurm cluster as a job array, merged, equals the same sweep run on one machine.</summary>
public sealed class SweepCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allocator-sweep-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>An executable named allocator that runs this build's CLI: what ALLOCATOR names for the cluster's jobs.</summary>
    private string Wrapper()
    {
        var wrapper = Path.Combine(_folder, "allocator");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet {Path.Combine(AppContext.BaseDirectory, "allocator.dll")} \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return wrapper;
    }

    [Fact]
    public void A_sweep_run_as_a_slurm_job_array_and_merged_equals_the_sweep_run_on_one_machine()
    {
        var sweep = Path.Combine(_folder, "sweep.json");
        File.WriteAllText(sweep, """
            { "name": "tiny-grid", "pools": [2], "leases": [8], "jobs": [3], "periods": [6], "uncertainty": [true], "hard": [false],
              "seeds": [1, 2, 3], "policies": ["exact", "greedy", "split:0.3"], "baseline": "exact",
              "scenarios": 50, "scenarioSeed": 1, "timeLimitSeconds": 20 }
            """);
        var whole = Path.Combine(_folder, "whole");
        var (exit, _, stderr) = CliProcess.Run("sweep", sweep, "--out", whole, "--device", "cpu");
        Assert.True(exit == 0, stderr);

        var shards = Path.Combine(_folder, "shards");
        var wrapper = Wrapper();
        using (var cluster = new SlurmCluster(Directory.CreateDirectory(Path.Combine(_folder, "slurm")).FullName))
        {
            var (submitted, output) = cluster.Run(
                "sbatch", "--wait", "--array=0-2", $"--chdir={_folder}", $"--export=ALL,ALLOCATOR={wrapper},NO_COLOR=1",
                Path.Combine(CliProcess.RepositoryRoot, "deploy", "slurm", "sweep.sbatch"), sweep, shards);
            Assert.True(submitted == 0, $"sbatch: {output}\n{string.Join("\n", Directory.GetFiles(_folder, "allocator-sweep-*.log").Select(File.ReadAllText))}");
        }

        var merged = Path.Combine(_folder, "merged");
        var (mergeExit, _, mergeErrors) = CliProcess.Run("merge", shards, "--out", merged);
        Assert.True(mergeExit == 0, mergeErrors);
        Assert.Equal(WithoutSolveTimes(Path.Combine(whole, "summary.csv")), WithoutSolveTimes(Path.Combine(merged, "summary.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "results.parquet")), File.ReadAllBytes(Path.Combine(merged, "results.parquet")));
        Assert.Equal(3, Directory.GetDirectories(Path.Combine(shards, "tasks")).Length);
    }

    [Fact]
    public void A_sweep_run_again_keeps_the_tasks_this_build_finished_and_runs_only_the_rest_unless_told_to_rerun()
    {
        var sweep = Path.Combine(_folder, "resume.json");
        File.WriteAllText(sweep, """
            { "name": "resume-grid", "pools": [2], "leases": [6], "jobs": [2], "periods": [5], "uncertainty": [true], "hard": [false],
              "seeds": [1, 2, 3], "policies": ["greedy"], "baseline": "exact", "scenarios": 20, "scenarioSeed": 1, "timeLimitSeconds": 10 }
            """);
        var output = Path.Combine(_folder, "resume");
        var (first, _, firstErrors) = CliProcess.Run("sweep", sweep, "--out", output, "--device", "cpu");
        Assert.True(first == 0, firstErrors);
        var results = File.ReadAllBytes(Path.Combine(output, "results.parquet"));

        // As after a stop during task 1: its record is not there. A merge refuses, unless asked for a partial look.
        File.Delete(Path.Combine(output, "tasks", "task-0001", "task.json"));
        var look = Path.Combine(_folder, "resume-look");
        var (refused, _, refusal) = CliProcess.Run("merge", output, "--out", look);
        Assert.Equal(2, refused);
        Assert.Contains("1 of the sweep's 3 tasks have not finished (task 1)", refusal, StringComparison.Ordinal);
        var (partial, _, partialErrors) = CliProcess.Run("merge", output, "--out", look, "--partial");
        Assert.True(partial == 0, partialErrors);
        Assert.Contains("warning: a partial merge: 1 of the sweep's 3 tasks have not finished (task 1)", partialErrors, StringComparison.Ordinal);
        Assert.Contains("<h1>Sweep: 2 of 3 tasks (partial)</h1>", File.ReadAllText(Path.Combine(look, "report.html")), StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadAllLines(Path.Combine(look, "summary.csv")).Skip(1), line => line.StartsWith("1,", StringComparison.Ordinal));
        var (again, _, againErrors) = CliProcess.Run("sweep", sweep, "--out", output, "--device", "cpu");

        Assert.True(again == 0, againErrors);
        Assert.Contains("task 0: finished before by this sweep and build", againErrors, StringComparison.Ordinal);
        Assert.Contains("task 2: finished before by this sweep and build", againErrors, StringComparison.Ordinal);
        Assert.DoesNotContain("task 1: finished before", againErrors, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "tasks", "task-0001", "task.json")));
        Assert.Equal(results, File.ReadAllBytes(Path.Combine(output, "results.parquet")));
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "tasks", "task-0001", "task.json")))!;
        Assert.False(string.IsNullOrEmpty(record["build"]!.GetValue<string>()));

        var (rerun, _, rerunErrors) = CliProcess.Run("sweep", sweep, "--out", output, "--device", "cpu", "--rerun");
        Assert.True(rerun == 0, rerunErrors);
        Assert.DoesNotContain("finished before", rerunErrors, StringComparison.Ordinal);

        // A task run by another build merges, and the merge says so.
        var other = Path.Combine(output, "tasks", "task-0002", "task.json");
        var node = JsonNode.Parse(File.ReadAllText(other))!;
        node["build"] = "1.0.0+other";
        File.WriteAllText(other, node.ToJsonString());
        var (merged, _, mergeErrors) = CliProcess.Run("merge", output, "--out", Path.Combine(_folder, "resume-merged"));
        Assert.True(merged == 0, mergeErrors);
        Assert.Contains("warning: the tasks were run by 2 builds: ", mergeErrors, StringComparison.Ordinal);
        Assert.Contains("1.0.0+other (task 2)", mergeErrors, StringComparison.Ordinal);
    }

    [Fact]
    public void A_simulation_merge_refuses_a_task_run_with_other_options_and_a_rerun_keeps_the_tasks_finished()
    {
        var instance = Path.Combine(_folder, "small-loop.json");
        var (generated, _, generateErrors) = CliProcess.Run("generate", "--pools", "2", "--leases", "6", "--jobs", "2", "--periods", "5", "--seed", "3", "--uncertainty", "--out", instance);
        Assert.True(generated == 0, generateErrors);
        var output = Path.Combine(_folder, "mixed-sim");
        string[] options = ["simulate", instance, "--policies", "greedy", "--scenarios", "6", "--tasks", "3", "--out", output];
        foreach (var k in new[] { "0", "2" })
        {
            var (ran, _, errors) = CliProcess.Run([.. options, "--task", k]);
            Assert.True(ran == 0, errors);
        }

        // Task 1 with another seed: its scenarios would merge as if they were this run's (they used to, silently).
        var (other, _, otherErrors) = CliProcess.Run([.. options, "--task", "1", "--seed", "9"]);
        Assert.True(other == 0, otherErrors);
        var (merge, _, mergeErrors) = CliProcess.Run([.. options, "--merge"]);
        Assert.Equal(2, merge);
        Assert.Contains("task 1 run with other options, another instance or another --tasks", mergeErrors, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output, "summary.json")));

        // The whole run keeps tasks 0 and 2, runs task 1 with these options, and merges.
        var (whole, _, wholeErrors) = CliProcess.Run(options);
        Assert.True(whole == 0, wholeErrors);
        Assert.Contains("task 0: finished before by this run and build", wholeErrors, StringComparison.Ordinal);
        Assert.Contains("task 2: finished before by this run and build", wholeErrors, StringComparison.Ordinal);
        Assert.Contains("task 1 of 3: scenarios 2 .. 3", wholeErrors, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "summary.json")));
    }

    [Fact]
    public void A_simulation_run_as_a_slurm_job_array_and_merged_equals_the_simulation_run_on_one_machine()
    {
        var instance = Path.Combine(_folder, "closed-loop.json");
        var (generated, _, generateErrors) = CliProcess.Run(
            "generate", "--pools", "3", "--leases", "16", "--jobs", "6", "--periods", "8", "--seed", "4", "--uncertainty", "--announced-share", "0.4", "--milestone-share", "0.5", "--out", instance);
        Assert.True(generated == 0, generateErrors);
        string[] options = ["--policies", "static:greedy,greedy,bid-price", "--scenarios", "9", "--seed", "2", "--show-scenario", "4"];
        var whole = Path.Combine(_folder, "whole-sim");
        var (exit, _, stderr) = CliProcess.Run(["simulate", instance, .. options, "--out", whole]);
        Assert.True(exit == 0, stderr);

        var shards = Path.Combine(_folder, "sim-shards");
        var wrapper = Wrapper();

        // One CPU a task (the script asks for two): on a two-CPU test node the three tasks then run two at a time, not one
        // after another with a wait on Slurm's scheduler between them.
        using (var cluster = new SlurmCluster(Directory.CreateDirectory(Path.Combine(_folder, "slurm-sim")).FullName))
        {
            var (submitted, output) = cluster.Run(
                "sbatch",
                ["--wait", "--array=0-2", "--cpus-per-task=1", $"--chdir={_folder}", $"--export=ALL,ALLOCATOR={wrapper},NO_COLOR=1",
                Path.Combine(CliProcess.RepositoryRoot, "deploy", "slurm", "simulate.sbatch"), instance, shards, "3", .. options]);
            Assert.True(submitted == 0, $"sbatch: {output}\n{string.Join("\n", Directory.GetFiles(_folder, "allocator-simulate-*.log").Select(File.ReadAllText))}");
        }

        var (mergeExit, _, mergeErrors) = CliProcess.Run(["simulate", instance, .. options, "--tasks", "3", "--merge", "--out", shards]);
        Assert.True(mergeExit == 0, mergeErrors);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "results.parquet")), File.ReadAllBytes(Path.Combine(shards, "results.parquet")));
        // Every column but the seconds each policy took.
        static IEnumerable<string> WithoutSeconds(string path) => File.ReadAllLines(path).Select(line => line[..line.LastIndexOf(',')]);
        Assert.Equal(WithoutSeconds(Path.Combine(whole, "summary.csv")), WithoutSeconds(Path.Combine(shards, "summary.csv")));
        Assert.True(File.Exists(Path.Combine(shards, "decisions.json")));
        Assert.True(new FileInfo(Path.Combine(shards, "decisions.png")).Length > 0, "the merge draws the shown scenario's timeline from the task that ran it");
        static IEnumerable<(string, string)> Epochs(string folder) => Directory.GetFiles(Path.Combine(folder, "epochs"), "*.json", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).Select(f => (Path.GetRelativePath(folder, f), File.ReadAllText(f)));
        Assert.NotEmpty(Epochs(whole));
        Assert.Equal(Epochs(whole), Epochs(shards));
    }

    [Theory]
    [InlineData("--task", "3", "--task 3 is out of range: the sweep has 3 tasks, 0 .. 2")]
    [InlineData("--task", "-1", "--task -1 is out of range")]
    public void A_task_out_of_range_exits_2_and_writes_nothing(string option, string value, string says)
    {
        var sweep = Path.Combine(_folder, "sweep.json");
        File.WriteAllText(sweep, """
            { "name": "g", "pools": [2], "leases": [8], "jobs": [3], "periods": [6], "uncertainty": [false], "hard": [false],
              "seeds": [1, 2, 3], "policies": ["greedy"], "baseline": "greedy", "scenarios": 10, "scenarioSeed": 1, "timeLimitSeconds": 5 }
            """);

        var (exit, _, stderr) = CliProcess.Run("sweep", sweep, "--out", Path.Combine(_folder, "out"), option, value);

        Assert.Equal(2, exit);
        Assert.Contains(says, stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "out")));
    }

    private static List<string> WithoutSolveTimes(string path)
    {
        var lines = File.ReadAllLines(path);
        var column = Array.IndexOf(lines[0].Split(','), "solve_seconds");
        return [.. lines.Select(line => string.Join(',', line.Split(',').Where((_, i) => i != column)))];
    }
}
