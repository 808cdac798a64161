using System.Globalization;

namespace Allocator.Lab;

/// <summary>
/// Where the numbered tasks of an array (a sweep's, a simulation's) write: ROOT/tasks/task-NNNN/, one folder a task, so
/// that tasks on many machines share one output folder and a merge finds them by number.
/// </summary>
public static class TaskFolders
{
    private const string Prefix = "task-";

    /// <summary>The folder that holds the task folders under <paramref name="root"/>.</summary>
    public static string All(string root) => Path.Combine(root, "tasks");

    /// <summary>The folder of task <paramref name="task"/> under <paramref name="root"/>.</summary>
    public static string Of(string root, int task) =>
        Path.Combine(All(root), Prefix + task.ToString("D4", CultureInfo.InvariantCulture));

    /// <summary>
    /// The task folders under <paramref name="root"/> with their numbers, in task order (task-10000 after task-9999);
    /// a folder whose name is not a task number (task-old) is not a task's.
    /// </summary>
    public static IReadOnlyList<(int Task, string Folder)> Under(string root)
    {
        var tasks = All(root);
        if (!Directory.Exists(tasks))
        {
            return [];
        }

        return [.. Directory.GetDirectories(tasks, Prefix + "*")
            .Select(folder => (Parsed: int.TryParse(Path.GetFileName(folder).AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var task), Task: task, Folder: folder))
            .Where(t => t.Parsed)
            .Select(t => (t.Task, t.Folder))
            .OrderBy(t => t.Task)];
    }
}
