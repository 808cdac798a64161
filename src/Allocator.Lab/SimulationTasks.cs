using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Allocator.Core.IO;
using Parquet.Serialization;

namespace Allocator.Lab;

/// <summary>
/// A large simulation as numbered tasks (a Slurm job array, a Kubernetes Indexed Job): task k of n runs the scenarios
/// S k / n .. S (k + 1) / n - 1 and writes OUT/tasks/task-NNNN/ (results.parquet, periods.json, and decisions.json and
/// the epochs' residual instances and plans in the task holding the shown scenario); <see cref="Merge"/> joins them into
/// what one run writes. Scenario k is the same draw in any task, so the merge equals the run on one machine.
/// </summary>
public static class SimulationTasks
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The first scenario and the number of scenarios of task <paramref name="task"/> of <paramref name="tasks"/>.</summary>
    public static (long First, int Count) Range(int scenarios, int tasks, int task)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tasks, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(task);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(task, tasks);
        var first = (long)scenarios * task / tasks;
        return (first, (int)(((long)scenarios * (task + 1) / tasks) - first));
    }

    /// <summary>
    /// Writes task <paramref name="task"/> of <paramref name="tasks"/> of the run <paramref name="whole"/> into its folder
    /// (each file atomically; task.json, naming the run by its fingerprint and the build, last: the task is finished when
    /// it is there).
    /// </summary>
    public static void Write(string folder, int task, int tasks, SimulationRequest whole, SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(whole);
        ArgumentNullException.ThrowIfNull(result);
        var mine = TaskFolders.Of(folder, task);
        Directory.CreateDirectory(mine);
        AtomicFile.WriteAllBytes(Path.Combine(mine, "results.parquet"), SimulationFiles.Parquet(result));
        var periods = result.Policies.ToDictionary(p => p.Name, p => p.MeanValueByPeriod.Select(v => v * result.Request.Scenarios).ToArray());
        var seconds = result.Policies.ToDictionary(p => p.Name, p => p.Seconds);
        AtomicFile.WriteAllText(Path.Combine(mine, "periods.json"), JsonSerializer.Serialize(new { scenarios = result.Request.Scenarios, sums = periods, seconds }, Json) + "\n");
        if (result.Policies.All(p => p.Shown is not null))
        {
            AtomicFile.WriteAllText(Path.Combine(mine, "decisions.json"), JsonSerializer.Serialize(SimulationFiles.Decisions(result), Json) + "\n");
            ShownEpochs.Write(mine, result);
        }

        Record(whole, task, tasks).WriteTo(mine);
    }

    /// <summary>
    /// Whether task <paramref name="task"/> of <paramref name="tasks"/> is finished in <paramref name="folder"/> by this
    /// request (the same fingerprint) and this build: a rerun keeps it rather than computing it again.
    /// </summary>
    public static bool IsFinished(string folder, int task, int tasks, SimulationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Record(request, task, tasks).IsIn(TaskFolders.Of(folder, task));
    }

    private static TaskRecord Record(SimulationRequest request, int task, int tasks) =>
        TaskRecord.Of(request.Instance.Source.Name, request.Fingerprint(), task, tasks);

    /// <summary>
    /// The folders of tasks 0 .. <paramref name="tasks"/> - 1, each finished by this request; throws
    /// <see cref="ArgumentException"/> naming the tasks not finished and those run with other options.
    /// </summary>
    private static List<string> FinishedTasks(string folder, SimulationRequest request, int tasks, Action<string>? warn)
    {
        var fingerprint = request.Fingerprint();
        var records = Enumerable.Range(0, tasks).Select(k => (Task: k, Record: TaskRecord.In(TaskFolders.Of(folder, k)))).ToList();
        var missing = records.Where(r => r.Record is null).Select(r => r.Task).ToList();
        var other = records.Where(r => r.Record is { } record && (record.Fingerprint != fingerprint || record.Tasks != tasks)).Select(r => r.Task).ToList();
        if (missing.Count > 0 || other.Count > 0)
        {
            var problems = new List<string>();
            if (missing.Count > 0)
            {
                problems.Add($"task {TaskRecord.List(missing)} not finished (no {TaskRecord.FileName})");
            }

            if (other.Count > 0)
            {
                problems.Add($"task {TaskRecord.List(other)} run with other options, another instance or another --tasks");
            }

            throw new ArgumentException($"the tasks in {folder} are not all this run's ({string.Join("; ", problems)}): run those tasks with these options, then merge again.");
        }

        if (TaskRecord.MixedBuilds(records.Select(r => (r.Task, r.Record!))) is { } mixed)
        {
            warn?.Invoke(mixed);
        }

        return [.. records.Select(r => TaskFolders.Of(folder, r.Task))];
    }

    /// <summary>
    /// Joins tasks 0 .. <paramref name="taskCount"/> - 1 under <paramref name="folder"/> into the result of the whole
    /// request; throws <see cref="ArgumentException"/> naming the tasks not finished or run with other options, or the
    /// scenarios missing or found twice. Tasks run by different builds merge, told to <paramref name="warn"/>.
    /// </summary>
    public static (SimulationResult Result, string? Decisions) Merge(string folder, SimulationRequest request, int taskCount, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tasks = FinishedTasks(folder, request, taskCount, warn);
        var rows = tasks.SelectMany(Rows).Where(r => r.Instance == request.Instance.Source.Name).ToList();
        var names = request.Policies.Select(p => p.Name).ToList();
        var totals = tasks.Select(Totals).OfType<TaskTotals>().ToList();
        var runs = names.Select(name =>
        {
            var mine = rows.Where(r => r.Policy == name).OrderBy(r => r.Scenario).ToList();
            var expected = Enumerable.Range(0, request.Scenarios).Select(k => request.FirstScenario + k);
            if (!mine.Select(r => r.Scenario).SequenceEqual(expected))
            {
                var missing = expected.Except(mine.Select(r => r.Scenario)).Take(5).ToList();
                throw new ArgumentException($"the tasks in {folder} do not hold {name} for every scenario once ({(missing.Count > 0 ? $"missing scenario {string.Join(", ", missing)}" : "a scenario twice")}); run the missing tasks, or check --scenarios and --policies.");
            }

            var sums = totals.Select(t => t.Sums.GetValueOrDefault(name)).OfType<double[]>().ToList();
            var periods = Enumerable.Range(0, request.Instance.Periods).Select(t => sums.Sum(s => s[t]) / request.Scenarios);
            // Seconds: the tasks' together (the work, not the wall time of a parallel array).
            var seconds = totals.Sum(t => t.Seconds.GetValueOrDefault(name));
            return new PolicyRuns(name, [.. mine.Select(r => r.Value)], [.. mine.Select(r => r.FailedEpochs)], [.. mine.Select(r => r.LimitedEpochs)], [.. periods], null, seconds);
        }).ToImmutableArray();
        var first = names.Count == 0 ? [] : rows.Where(r => r.Policy == names[0]).OrderBy(r => r.Scenario).ToList();
        // A column of every scenario, or null where any scenario lacks it (no hindsight, or tasks from before it was kept).
        ImmutableArray<double>? Column(Func<SimulationFiles.SimulationRow, double?> value) =>
            first.Count > 0 && first.All(r => value(r) is not null) ? [.. first.Select(r => value(r)!.Value)] : null;
        var shownIn = tasks.FirstOrDefault(t => File.Exists(Path.Combine(t, "decisions.json")));
        if (shownIn is not null)
        {
            CopyEpochs(shownIn, folder);
        }

        return (new SimulationResult(request, runs, Column(r => r.Clairvoyant), 0) { ClairvoyantBound = Column(r => r.ClairvoyantBound) }, shownIn is null ? null : File.ReadAllText(Path.Combine(shownIn, "decisions.json")));
    }

    /// <summary>The shown scenario's epochs (<see cref="ShownEpochs"/>), as the task that ran it wrote them, into the merge's folder.</summary>
    private static void CopyEpochs(string task, string folder)
    {
        var from = Path.Combine(task, ShownEpochs.Folder);
        if (!Directory.Exists(from))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(from, "*.json", SearchOption.AllDirectories))
        {
            AtomicFile.WriteAllBytes(Path.Combine(folder, ShownEpochs.Folder, Path.GetRelativePath(from, file)), File.ReadAllBytes(file));
        }
    }

    private static IEnumerable<SimulationFiles.SimulationRow> Rows(string task)
    {
        var path = Path.Combine(task, "results.parquet");
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = File.OpenRead(path);
        return ParquetSerializer.DeserializeAsync<SimulationFiles.SimulationRow>(stream).GetAwaiter().GetResult().Data;
    }

    /// <summary>A task's periods.json: per policy the sums of money made by each period, and its seconds; null when it has none.</summary>
    private static TaskTotals? Totals(string task)
    {
        var path = Path.Combine(task, "periods.json");
        if (!File.Exists(path))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        return new TaskTotals(
            root.GetProperty("sums").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetDouble()).ToArray()),
            root.TryGetProperty("seconds", out var seconds) ? seconds.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()) : []);
    }

    private sealed record TaskTotals(Dictionary<string, double[]> Sums, Dictionary<string, double> Seconds);
}
