using System.Globalization;
using Allocator.Lab;

namespace Allocator.Cli;

/// <summary>The task number a cluster's array job gives a process: Slurm's, then a Kubernetes Indexed Job's.</summary>
internal static class ArrayTask
{
    /// <summary>The environment variables a cluster's array job numbers its tasks with, in the order they are read.</summary>
    private static readonly string[] Variables = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"];

    /// <summary>
    /// <paramref name="given"/> when there is one, else the task number of the environment; false (with an error line
    /// written) when the environment's value is not a number.
    /// </summary>
    public static bool TryResolve(int? given, out int? task)
    {
        task = given;
        var (name, value) = Variables.Select(v => (Name: v, Value: Environment.GetEnvironmentVariable(v))).FirstOrDefault(v => !string.IsNullOrEmpty(v.Value));
        if (given is not null || value is null)
        {
            return true;
        }

        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            Console.Error.WriteLine($"error: {name}='{value}' is not a task number. Nothing was written.");
            return false;
        }

        task = number;
        return true;
    }

    /// <summary>
    /// The folder a run of an array's tasks holds: a single task's own (OUT/tasks/task-NNNN), so that an array's tasks run
    /// side by side on one output folder; the whole folder for a whole run or a merge.
    /// </summary>
    public static string Holds(string folder, int? task) => task is { } one ? TaskFolders.Of(folder, one) : folder;

    /// <summary>
    /// A <paramref name="whole"/> run also holds task <paramref name="task"/>'s folder while it runs that task, so that a
    /// single task started beside it on the same folder is refused (a single task's run holds it already); false, with
    /// the holder named on stderr, when another run holds it.
    /// </summary>
    public static bool HoldTask(string folder, int task, bool whole, out IDisposable? held)
    {
        held = whole ? PlanCommand.HoldOutputFolder(TaskFolders.Of(folder, task)) : null;
        return !whole || held is not null;
    }

    /// <summary>
    /// Whether task <paramref name="task"/> is kept rather than computed again: finished before by this
    /// <paramref name="run"/> ("sweep", "run") and this build (<paramref name="isFinished"/>), and no --rerun; said when kept.
    /// </summary>
    public static bool Keeps(string folder, int task, string run, bool rerun, Func<bool> isFinished, Action<string> say)
    {
        if (rerun || !isFinished())
        {
            return false;
        }

        say($"task {task}: finished before by this {run} and build ({TaskFolders.Of(folder, task)}); kept (--rerun runs it again).");
        return true;
    }
}
