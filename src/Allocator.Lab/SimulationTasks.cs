using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Allocator.Core.IO;
using Parquet.Serialization;

namespace Allocator.Lab;

/// <summary>
/// A large simulation as numbered tasks (a Slurm job array, a Kubernetes Indexed Job): task k of n runs the scenarios
/// S k / n .. S (k + 1) / n - 1 and writes OUT/tasks/task-NNNN/ (results.parquet, periods.json, and decisions.json in
/// the task holding the shown scenario); <see cref="Merge"/> joins them into what one run writes. Scenario k is the same
/// draw in any task, so the merge equals the run on one machine.
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

    /// <summary>The folder of task <paramref name="task"/> under <paramref name="folder"/>.</summary>
    public static string TaskFolder(string folder, int task) => Path.Combine(folder, "tasks", $"task-{task.ToString("D4", CultureInfo.InvariantCulture)}");

    /// <summary>Writes one task's results into its folder (each file atomically).</summary>
    public static void Write(string folder, int task, SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var mine = TaskFolder(folder, task);
        Directory.CreateDirectory(mine);
        AtomicFile.WriteAllBytes(Path.Combine(mine, "results.parquet"), SimulationFiles.Parquet(result));
        var periods = result.Policies.ToDictionary(p => p.Name, p => p.MeanValueByPeriod.Select(v => v * result.Request.Scenarios).ToArray());
        var seconds = result.Policies.ToDictionary(p => p.Name, p => p.Seconds);
        AtomicFile.WriteAllText(Path.Combine(mine, "periods.json"), JsonSerializer.Serialize(new { scenarios = result.Request.Scenarios, sums = periods, seconds }, Json) + "\n");
        if (result.Policies.All(p => p.Shown is not null))
        {
            AtomicFile.WriteAllText(Path.Combine(mine, "decisions.json"), JsonSerializer.Serialize(SimulationFiles.Decisions(result), Json) + "\n");
        }
    }

    /// <summary>
    /// Joins the tasks under <paramref name="folder"/> into the result of the whole request; throws
    /// <see cref="ArgumentException"/> naming the scenarios missing (a task that has not run) or found twice.
    /// </summary>
    public static (SimulationResult Result, string? Decisions) Merge(string folder, SimulationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tasks = Directory.Exists(Path.Combine(folder, "tasks")) ? Directory.GetDirectories(Path.Combine(folder, "tasks"), "task-*").Order(StringComparer.Ordinal).ToList() : [];
        var rows = tasks.SelectMany(Rows).Where(r => r.Instance == request.Instance.Source.Name).ToList();
        var names = request.Policies.Select(p => p.Name).ToList();
        var runs = names.Select(name =>
        {
            var mine = rows.Where(r => r.Policy == name).OrderBy(r => r.Scenario).ToList();
            var expected = Enumerable.Range(0, request.Scenarios).Select(k => request.FirstScenario + k);
            if (!mine.Select(r => r.Scenario).SequenceEqual(expected))
            {
                var missing = expected.Except(mine.Select(r => r.Scenario)).Take(5).ToList();
                throw new ArgumentException($"the tasks in {folder} do not hold {name} for every scenario once ({(missing.Count > 0 ? $"missing scenario {string.Join(", ", missing)}" : "a scenario twice")}); run the missing tasks, or check --scenarios and --policies.");
            }

            var sums = tasks.Select(t => Periods(t, name)).Where(s => s is not null).Select(s => s!).ToList();
            var periods = Enumerable.Range(0, request.Instance.Periods).Select(t => sums.Sum(s => s[t]) / request.Scenarios);
            // Seconds: the tasks' together (the work, not the wall time of a parallel array).
            var seconds = tasks.Sum(t => Seconds(t, name));
            return new PolicyRuns(name, [.. mine.Select(r => r.Value)], [.. mine.Select(r => r.FailedEpochs)], [.. periods], null, seconds);
        }).ToImmutableArray();
        var first = names.Count == 0 ? [] : rows.Where(r => r.Policy == names[0]).OrderBy(r => r.Scenario).ToList();
        ImmutableArray<double>? clairvoyant = first.Count > 0 && first.All(r => r.Clairvoyant is not null) ? [.. first.Select(r => r.Clairvoyant!.Value)] : null;
        var decisions = tasks.Select(t => Path.Combine(t, "decisions.json")).FirstOrDefault(File.Exists);
        return (new SimulationResult(request, runs, clairvoyant, 0), decisions is null ? null : File.ReadAllText(decisions));
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

    private static double Seconds(string task, string policy)
    {
        var path = Path.Combine(task, "periods.json");
        if (!File.Exists(path))
        {
            return 0;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.TryGetProperty("seconds", out var all) && all.TryGetProperty(policy, out var value) ? value.GetDouble() : 0;
    }

    private static double[]? Periods(string task, string policy)
    {
        var path = Path.Combine(task, "periods.json");
        if (!File.Exists(path))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("sums").TryGetProperty(policy, out var sums) ? [.. sums.EnumerateArray().Select(v => v.GetDouble())] : null;
    }
}
