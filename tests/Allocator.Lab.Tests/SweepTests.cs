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
    public void The_grid_is_numbered_in_a_fixed_order_and_a_bad_field_is_named()
    {
        Assert.Equal([1UL, 2UL, 3UL], Small.Tasks().Select(t => t.Seed));
        Assert.Contains("$.scenarios must be at least 2", (Small with { Scenarios = 1 }).Problems());
        Assert.Contains("$.pools must list at least one value", (Small with { Pools = [] }).Problems());
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
