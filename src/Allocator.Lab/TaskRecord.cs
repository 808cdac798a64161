using System.Text.Json;
using Allocator.Core.IO;

namespace Allocator.Lab;

/// <summary>
/// What a finished task of an array (a sweep's, a simulation's) writes last in its folder, task.json: the run it belongs
/// to (its name and the fingerprint of what decides its results), its number, the run's task count and the build that
/// ran it. A task is finished when its record is there; a merge checks the records, and a rerun keeps a task whose
/// record is the one it would write.
/// </summary>
internal sealed record TaskRecord(string? Run, string Fingerprint, int Task, int Tasks, string? Build)
{
    public const string FileName = "task.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The record this build writes for task <paramref name="task"/> of <paramref name="tasks"/> of a run.</summary>
    public static TaskRecord Of(string run, string fingerprint, int task, int tasks) => new(run, fingerprint, task, tasks, Core.ThisBuild.Version);

    /// <summary>
    /// The record in <paramref name="folder"/>; null where the task has not finished. Throws
    /// <see cref="ArgumentException"/> for a file that is not a record.
    /// </summary>
    public static TaskRecord? In(string folder)
    {
        var path = Path.Combine(folder, FileName);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<TaskRecord>(File.ReadAllText(path), Json) : null;
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{path} is not a task record ({e.Message}): run that task again.", e);
        }
    }

    /// <summary>Whether <paramref name="folder"/> holds exactly this record: the task is finished by this run and build.</summary>
    public bool IsIn(string folder)
    {
        try
        {
            return In(folder) == this;
        }
        catch (ArgumentException)
        {
            return false; // an unreadable record: the task runs again and writes a new one
        }
    }

    /// <summary>Writes the record into <paramref name="folder"/> (atomically; last, once every other file is written).</summary>
    public void WriteTo(string folder) => AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>
    /// When the tasks were run by more than one build, a sentence naming each build and its tasks; else null. Such tasks
    /// merge (a fix between an array's runs is common), but the researcher hears of it.
    /// </summary>
    public static string? MixedBuilds(IEnumerable<(int Task, TaskRecord Record)> tasks)
    {
        var builds = tasks.GroupBy(t => t.Record.Build ?? "an earlier build", t => t.Task).OrderBy(g => g.Min()).ToList();
        return builds.Count > 1
            ? $"the tasks were run by {builds.Count} builds: {string.Join("; ", builds.Select(b => $"{b.Key} (task {List([.. b.Distinct().Order()])})"))}."
            : null;
    }

    /// <summary>Task numbers as a line can hold them: the first 20, then "...".</summary>
    public static string List(IReadOnlyCollection<int> tasks) => string.Join(", ", tasks.Take(20)) + (tasks.Count > 20 ? ", ..." : "");
}
