using Allocator.Kernels;

namespace Allocator.Lab.Tests;

/// <summary>A sweep run in shards on separate folders and merged equals the same sweep run whole.</summary>
public sealed class SweepTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allocator-sweep-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    internal static Sweep Small => new(
        "small", [2], [8], [3], [6], [true], [false], [1, 2, 3], ["exact", "greedy", "split:0.3"], "exact", 50, 1, 20);

    [Fact]
    public void A_sweep_run_in_shards_and_merged_equals_the_sweep_run_whole()
    {
        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);
        var whole = Path.Combine(_folder, "whole");
        for (var task = 0; task < 3; task++)
        {
            SweepRunner.RunTask(Small, task, whole, scorer, threads: 1);
        }

        SweepRunner.Merge([whole], whole);
        var (nodeA, nodeB, merged) = (Path.Combine(_folder, "a"), Path.Combine(_folder, "b"), Path.Combine(_folder, "merged"));
        SweepRunner.RunTask(Small, 2, nodeA, scorer, threads: 1);
        SweepRunner.RunTask(Small, 0, nodeB, scorer, threads: 1);
        SweepRunner.RunTask(Small, 1, nodeA, scorer, threads: 1);
        SweepRunner.Merge([nodeA, nodeB], merged);

        Assert.Equal(WithoutSolveTimes(Path.Combine(whole, "summary.csv")), WithoutSolveTimes(Path.Combine(merged, "summary.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "results.parquet")), File.ReadAllBytes(Path.Combine(merged, "results.parquet")));
        Assert.Equal(1 + 3 * 3, File.ReadAllLines(Path.Combine(merged, "summary.csv")).Length);
    }

    [Fact]
    public void A_stopped_task_writes_no_figures_so_that_a_merge_finds_it_missing()
    {
        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);
        using var stop = new CancellationTokenSource();
        var folder = Path.Combine(_folder, "stopped");

        Assert.ThrowsAny<OperationCanceledException>(() => SweepRunner.RunTask(Small, 0, folder, scorer, threads: 1, line =>
        {
            if (line.Contains("planning with greedy", StringComparison.Ordinal))
            {
                stop.Cancel();
            }
        }, stop.Token));

        Assert.False(File.Exists(Path.Combine(TaskFolders.Of(folder, 0), "summary.csv")));
        var missing = Assert.Throws<ArgumentException>(() => SweepRunner.Merge([folder], folder));
        Assert.Contains("no finished task", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_merge_refuses_missing_tasks_tasks_of_another_sweep_and_a_task_run_twice_with_other_results()
    {
        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);
        var (partial, mixed, twiceA, twiceB) = (Path.Combine(_folder, "partial"), Path.Combine(_folder, "mixed"), Path.Combine(_folder, "twice-a"), Path.Combine(_folder, "twice-b"));
        SweepRunner.RunTask(Small, 0, partial, scorer, threads: 1);
        SweepRunner.RunTask(Small, 2, partial, scorer, threads: 1);
        var other = Small with { Seeds = [7, 8, 9] };
        SweepRunner.RunTask(other, 1, mixed, scorer, threads: 1);
        SweepRunner.RunTask(Small, 1, twiceA, scorer, threads: 1);
        SweepRunner.RunTask(Small, 1, twiceB, scorer, threads: 1);
        File.WriteAllBytes(Path.Combine(TaskFolders.Of(twiceB, 1), "results.parquet"), [1, 2, 3]);

        var missing = Assert.Throws<ArgumentException>(() => SweepRunner.Merge([partial], Path.Combine(_folder, "out-1"))).Message;
        var sweeps = Assert.Throws<ArgumentException>(() => SweepRunner.Merge([partial, mixed], Path.Combine(_folder, "out-2"))).Message;
        var differ = Assert.Throws<ArgumentException>(() => SweepRunner.Merge([partial, twiceA, twiceB], Path.Combine(_folder, "out-3"))).Message;
        SweepRunner.Merge([partial, twiceA], Path.Combine(_folder, "out-4"));

        // Before, the first merged two of the three tasks as if they were the sweep, and the second mixed two sweeps.
        Assert.Contains("1 of the sweep's 3 tasks have not finished (task 1): run them (--task K), then merge again (or merge --partial for a look at those finished).", missing, StringComparison.Ordinal);
        Assert.Contains($"tasks of 2 different sweeps ('small' {Small.Fingerprint()}, 'small' {other.Fingerprint()})", sweeps, StringComparison.Ordinal);
        Assert.Contains("task 1 was run more than once with different results", differ, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "out-1")));
        Assert.Equal(1 + 3 * 3, File.ReadAllLines(Path.Combine(_folder, "out-4", "summary.csv")).Length);
    }

    [Fact]
    public void The_grid_is_numbered_in_a_fixed_order_and_a_bad_field_is_named()
    {
        Assert.Equal([1UL, 2UL, 3UL], Small.Tasks().Select(t => t.Seed));
        Assert.Contains("$.scenarios must be at least 2", (Small with { Scenarios = 1 }).Problems());
        Assert.Contains("$.pools must list at least one value", (Small with { Pools = [] }).Problems());
    }

    [Fact]
    public void A_sweep_file_is_read_field_by_field_and_every_field_at_fault_is_named_with_its_fix()
    {
        var good = Path.Combine(_folder, "good.json");
        File.WriteAllText(good, """
            { "name": "small", "pools": [2], "leases": [8], "jobs": [3], "periods": [6], "uncertainty": [true], "hard": [false],
              "seeds": [1, 2, 18446744073709551615], "policies": ["exact", "greedy"], "baseline": "exact",
              "scenarios": 50, "scenarioSeed": 7, "timeLimitSeconds": 20 // comments, as docs/sweeps.md shows
            }
            """);
        var bad = Path.Combine(_folder, "bad.json");
        File.WriteAllText(bad, """
            { "name": 3, "pools": [2, "x"], "leases": [8], "jobs": [3], "periods": [6], "uncertainty": [1], "hard": [false],
              "seed": [1], "policies": ["exact", 4], "baseline": "exact", "scenarios": 2.5, "scenarioSeed": -1, "timeLimitSeconds": "20" }
            """);
        var syntax = Path.Combine(_folder, "syntax.json");
        File.WriteAllText(syntax, """{ "name": "x" "pools": [2] }""");

        var read = Sweep.Read(good);
        var wrong = Assert.Throws<ArgumentException>(() => Sweep.Read(bad)).Message;

        Assert.Equal([1UL, 2UL, ulong.MaxValue], read.Seeds);
        Assert.Equal((50, 7UL, 20.0), (read.Scenarios, read.ScenarioSeed, read.TimeLimitSeconds));
        // Every problem at once, each at its path; a typo gets the field meant.
        Assert.Contains("$.seed: unknown field. Did you mean 'seeds'?", wrong, StringComparison.Ordinal);
        Assert.Contains("$.name: must be a text value in quotes, got 3", wrong, StringComparison.Ordinal);
        Assert.Contains("$.pools[1]: must be a whole number (pools), got the text \"x\"", wrong, StringComparison.Ordinal);
        Assert.Contains("$.uncertainty[0]: must be true or false, got 1", wrong, StringComparison.Ordinal);
        Assert.Contains("$.policies[1]: must be an id in quotes, got 4", wrong, StringComparison.Ordinal);
        Assert.Contains("$.scenarios: must be a whole number (scenarios per task), got 2.5", wrong, StringComparison.Ordinal);
        Assert.Contains("$.scenarioSeed: must be a whole number from 0", wrong, StringComparison.Ordinal);
        Assert.Contains("$.timeLimitSeconds: must be a number (seconds per policy and task), got the text \"20\"", wrong, StringComparison.Ordinal);
        Assert.DoesNotContain("Allocator.Lab", wrong, StringComparison.Ordinal);
        Assert.Contains("$: is not valid JSON (line 1, byte 15)", Assert.Throws<ArgumentException>(() => Sweep.Read(syntax)).Message, StringComparison.Ordinal);
        Assert.Contains("cannot be read", Assert.Throws<ArgumentException>(() => Sweep.Read(Path.Combine(_folder, "none.json"))).Message, StringComparison.Ordinal);
    }

    /// <summary>summary.csv less its solve_seconds column: how long a solve took is the one figure that differs between runs.</summary>
    private static List<string> WithoutSolveTimes(string path)
    {
        var lines = File.ReadAllLines(path);
        var column = Array.IndexOf(lines[0].Split(','), "solve_seconds");
        Assert.True(column > 0);
        return [.. lines.Select(line => string.Join(',', line.Split(',').Where((_, i) => i != column)))];
    }
}
