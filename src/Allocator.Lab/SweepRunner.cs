using System.Globalization;
using System.Net;
using System.Text;
using Allocator.Core.IO;
using Allocator.Core.Json;
using Allocator.Kernels;
using Allocator.Planning.Policies;
using Allocator.Solver;
using Parquet.Serialization;

namespace Allocator.Lab;

/// <summary>
/// Runs a sweep's tasks, each into OUT/tasks/task-NNNN/ (the instance, the comparison's files, charts and report), and
/// merges tasks' outputs, from one folder or from many machines' folders, into one summary.csv, results.parquet and
/// report.html. A task's output depends only on the sweep and the task number, so a sweep run in shards and merged
/// equals the sweep run whole.
/// </summary>
public static class SweepRunner
{
    /// <summary>Runs task <paramref name="task"/>: generates its instance, compares the sweep's policies on it, and writes the files.</summary>
    public static InstanceComparison RunTask(Sweep sweep, int task, string root, IPlanScorer scorer, int threads, Action<string>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentOutOfRangeException.ThrowIfNegative(task);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(task, sweep.Tasks().Count);
        var folder = TaskFolders.Of(root, task);
        var instancePath = Path.Combine(folder, "instance.json");
        AtomicFile.WriteAllText(instancePath, InstanceWriter.Write(sweep.Instance(task)));

        // One thread and a fixed seed: a task's plans must not depend on which machine ran it or how busy it was.
        var settings = new PolicySettings(new PlannerOptions { Threads = threads, Deterministic = true }, scorer, TimeSpan.FromSeconds(sweep.TimeLimitSeconds));
        var names = sweep.Policies.Contains(sweep.Baseline) ? sweep.Policies : [sweep.Baseline, .. sweep.Policies];
        var policies = names.Select(p => PolicySpec.Parse(p, settings)).ToList();
        var request = new ComparisonRequest([instancePath], policies, PolicySpec.Parse(sweep.Baseline, settings).Name, sweep.Scenarios, sweep.ScenarioSeed);
        // A stopped task writes nothing more: its plans were cut short, and the merge must find it missing, not wrong.
        var comparison = PolicyComparison.Run(request, scorer, progress, cancellation) is [var compared] ? compared : throw new OperationCanceledException(cancellation);
        ComparisonFiles.Write(folder, request, [comparison], scorer.Description);
        var charts = ComparisonCharts.Of(comparison, request.Baseline);
        ComparisonCharts.Save(charts, folder, "");
        AtomicFile.WriteAllText(Path.Combine(folder, "report.html"), ComparisonReport.Html(request, [(comparison, charts)], scorer.Description));

        // Written last: a task is finished when its record is there, and the record says which sweep it belongs to.
        Record(sweep, task).WriteTo(folder);
        return comparison;
    }

    /// <summary>
    /// Whether task <paramref name="task"/>'s folder under <paramref name="root"/> holds its finished result from this
    /// sweep (the same definition) and this build: a rerun of the sweep keeps it rather than computing it again.
    /// </summary>
    public static bool IsFinished(Sweep sweep, int task, string root)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        return Record(sweep, task).IsIn(TaskFolders.Of(root, task));
    }

    private static TaskRecord Record(Sweep sweep, int task) => TaskRecord.Of(sweep.Name, sweep.Fingerprint(), task, sweep.Tasks().Count);

    /// <summary>
    /// The finished tasks under <paramref name="roots"/>, one folder per task number, in task order; throws
    /// <see cref="ArgumentException"/> when they are of different sweeps, when one of the sweep's tasks has not finished,
    /// or when a task found twice differs.
    /// </summary>
    private static (List<(int Task, string Folder)> Finished, List<int> Missing, int Count) FinishedTasks(IReadOnlyList<string> roots, Action<string>? warn, bool partial)
    {
        var found = roots.SelectMany(TaskFolders.Under).Select(t => (t.Task, t.Folder, Record: TaskRecord.In(t.Folder))).Where(t => t.Record is not null).ToList();
        if (found.Count == 0)
        {
            throw new ArgumentException($"no finished task (tasks/task-NNNN/ with its {TaskRecord.FileName}) under {string.Join(", ", roots)}.");
        }

        var sweeps = found.Select(t => (Sweep: t.Record!.Run, t.Record.Fingerprint, t.Record.Tasks)).Distinct().ToList();
        if (sweeps.Count > 1)
        {
            throw new ArgumentException($"the folders hold tasks of {sweeps.Count} different sweeps ({string.Join(", ", sweeps.Select(s => $"'{s.Sweep}' {s.Fingerprint}"))}): merge each sweep's folders on their own.");
        }

        var missing = Enumerable.Range(0, sweeps[0].Tasks).Except(found.Select(t => t.Task)).ToList();
        if (missing.Count > 0 && partial)
        {
            warn?.Invoke($"a partial merge: {missing.Count} of the sweep's {sweeps[0].Tasks} tasks have not finished (task {TaskRecord.List(missing)}); the files say so.");
        }
        else if (missing.Count > 0)
        {
            throw new ArgumentException(
                $"{missing.Count} of the sweep's {sweeps[0].Tasks} tasks have not finished (task {TaskRecord.List(missing)}): run them (--task K), then merge again (or merge --partial for a look at those finished).");
        }

        if (TaskRecord.MixedBuilds(found.Select(t => (t.Task, t.Record!))) is { } mixed)
        {
            warn?.Invoke(mixed);
        }

        var byTask = found.GroupBy(t => t.Task, t => t.Folder).OrderBy(g => g.Key).ToList();
        foreach (var twice in byTask.Where(g => g.Count() > 1))
        {
            var results = twice.Select(folder => File.ReadAllBytes(Path.Combine(folder, "results.parquet"))).ToList();
            if (results.Any(r => !r.AsSpan().SequenceEqual(results[0])))
            {
                throw new ArgumentException($"task {twice.Key} was run more than once with different results ({string.Join(", ", twice)}): keep one of them.");
            }
        }

        return ([.. byTask.Select(g => (g.Key, g.First()))], missing, sweeps[0].Tasks);
    }

    /// <summary>
    /// Joins every task found under <paramref name="roots"/> (in task order; a task found twice must be the same) into
    /// <paramref name="output"/>: summary.csv with a task column, results.parquet, and report.html linking each task's
    /// own report. Returns the files written. <paramref name="partial"/>: merge the tasks finished so far even while
    /// others are missing (a look at a running sweep; the report names the missing tasks), else refuse.
    /// </summary>
    public static IReadOnlyList<string> Merge(IReadOnlyList<string> roots, string output, Action<string>? warn = null, bool partial = false)
    {
        ArgumentNullException.ThrowIfNull(roots);
        var (tasks, missing, count) = FinishedTasks(roots, warn, partial);
        var summary = new StringBuilder();
        var rows = new List<ComparisonFiles.ScenarioRow>();
        var links = new StringBuilder();
        foreach (var (number, folder) in tasks)
        {
            var lines = File.ReadAllLines(Path.Combine(folder, "summary.csv"));
            if (summary.Length == 0)
            {
                summary.Append("task,").Append(lines[0]).Append('\n');
            }

            foreach (var line in lines.Skip(1))
            {
                summary.Append(CultureInfo.InvariantCulture, $"{number},{line}\n");
            }

            using var stream = File.OpenRead(Path.Combine(folder, "results.parquet"));
            rows.AddRange(ParquetSerializer.DeserializeAsync<ComparisonFiles.ScenarioRow>(stream).GetAwaiter().GetResult().Data);
            var report = Path.GetRelativePath(output, Path.Combine(folder, "report.html"));
            links.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{WebUtility.HtmlEncode(report)}\">task {number}</a>: {WebUtility.HtmlEncode(lines.Length > 1 ? lines[1].Split(',')[0] : "")}</li>\n");
        }

        var files = new List<string> { Path.Combine(output, "summary.csv"), Path.Combine(output, "results.parquet"), Path.Combine(output, "report.html"), Path.Combine(output, "family.png") };
        var family = FamilyChart(summary.ToString());
        var familyPng = family.GetImageBytes(Chart.Width, Chart.Height, ScottPlot.ImageFormat.Png);
        AtomicFile.WriteAllBytes(files[3], familyPng);
        AtomicFile.WriteAllText(Path.ChangeExtension(files[3], ".svg"), family.GetSvgXml(Chart.Width, Chart.Height));
        AtomicFile.WriteAllText(files[0], summary.ToString());
        using (var parquet = new MemoryStream())
        {
            ParquetSerializer.SerializeAsync(rows, parquet).GetAwaiter().GetResult();
            AtomicFile.WriteAllBytes(files[1], parquet.ToArray());
        }

        AtomicFile.WriteAllText(files[2], $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Allocator sweep</title>
            <style>body { font-family: system-ui, sans-serif; margin: 2em; }</style></head><body>
            <h1>Sweep: {{(missing.Count == 0 ? $"{count} tasks" : $"{tasks.Count} of {count} tasks (partial)")}}</h1>
            {{(missing.Count == 0 ? "" : $"<p><b>A partial merge</b>: these tasks had not finished: {TaskRecord.List(missing)}. Merge again once they have.</p>")}}
            <p>summary.csv has one row per task, instance and policy; results.parquet one row per instance, policy and scenario.</p>
            <img alt="each policy against the baseline, task by task" style="max-width: 100%" src="data:image/png;base64,{{Convert.ToBase64String(familyPng)}}">
            <p>Each task's report, with its tables and charts:</p>
            <ul>
            {{links}}</ul>
            </body></html>
            """);
        return files;
    }

    /// <summary>
    /// Each policy's mean against the baseline's, task by task, as a share of the baseline's mean: one row of points per
    /// policy, zero marked, so that a family's spread shows at a glance.
    /// </summary>
    private static ScottPlot.Plot FamilyChart(string summaryCsv)
    {
        var rows = summaryCsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(',')).ToList();
        var header = rows[0];
        int Column(string name) => Array.IndexOf(header, name);
        var (task, policy, mean, diff) = (Column("task"), Column("policy"), Column("mean"), Column("mean_diff"));
        var shares = rows.Skip(1).Where(r => r[diff].Length > 0 && r[mean].Length > 0)
            .Select(r => (Task: r[task], Policy: r[policy], Diff: double.Parse(r[diff], CultureInfo.InvariantCulture), Mean: double.Parse(r[mean], CultureInfo.InvariantCulture)))
            .Select(r => (r.Policy, Share: r.Diff / Math.Max(1, Math.Abs(r.Mean - r.Diff))))
            .ToList();
        var plot = new ScottPlot.Plot();
        var policies = shares.Select(s => s.Policy).Distinct().ToList();
        for (var i = 0; i < policies.Count; i++)
        {
            var points = shares.Where(s => s.Policy == policies[i]).Select(s => s.Share * 100).ToArray();
            var markers = plot.Add.Markers(points, Enumerable.Repeat((double)(policies.Count - i), points.Length).ToArray());
            markers.MarkerSize = 9;
        }

        plot.Add.VerticalLine(0, 1, ScottPlot.Colors.Gray);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. policies.Select((_, i) => (double)(policies.Count - i))], [.. policies]);
        plot.Axes.SetLimitsY(0.3, policies.Count + 0.7);
        plot.XLabel("mean against the baseline's, task by task (%)");
        plot.Title("Each policy against the baseline over the sweep's instances");
        return plot;
    }
}
