using System.CommandLine;
using System.Globalization;
using Allocator.Core.IO;
using Allocator.Kernels;
using Allocator.Lab;
using Allocator.Planning.Policies;
using Allocator.Solver;
using Spectre.Console;

namespace Allocator.Cli;

/// <summary>
/// <c>allocator sweep SWEEP.json</c> (all tasks, or one: <c>--task K</c>, <c>SLURM_ARRAY_TASK_ID</c> or
/// <c>JOB_COMPLETION_INDEX</c>) and <c>allocator merge DIR...</c>.
/// </summary>
internal static class SweepCommands
{
    public static Command Sweep()
    {
        var file = new Argument<string>("SWEEP") { Description = "Sweep file (JSON): the grid of generated instances and the policies; see docs/sweeps.md." };
        var output = new Option<string>("--out") { Description = "Folder for the tasks' outputs (OUT/tasks/task-NNNN/) and, when every task runs here, the merged result.", Required = true };
        var task = new Option<int?>("--task") { Description = "Run only this task (0-based); default: SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX when set, else every task and then the merge." };
        var threads = new Option<int>("--threads") { Description = "Solver threads per task.", DefaultValueFactory = _ => 1 };
        var device = Choice.Of("--device", "Where plans are scored.", ScoringDevices.Words, ScoringDevice.Auto);
        var rerun = new Option<bool>("--rerun") { Description = "Run again the tasks already finished in --out by this sweep and this build (by default they are kept: a rerun after a stop or a failed array task does only what is left)." };
        var command = new Command("sweep", HelpText.With(
            "Compare policies over a grid of generated instances, split into numbered tasks that any machine can run by number.",
            "allocator sweep benchmarks/sweeps/small.json --out out/sweep",
            "sbatch --array=0-11 deploy/slurm/sweep.sbatch benchmarks/sweeps/small.json out/sweep   # then: allocator merge out/sweep --out out/sweep"))
        {
            file, output, task, threads, device, rerun,
        };
        command.SetAction((parse, cancellation) => Task.Run(
            () => RunSweep(parse.GetValue(file)!, parse.GetValue(output)!, parse.GetValue(task), parse.GetValue(threads), parse.GetValue(device)!.Value, parse.GetValue(rerun), cancellation),
            CancellationToken.None));
        return command;
    }

    public static Command Merge()
    {
        var folders = new Argument<string[]>("DIR") { Description = "Sweep output folders (each with tasks/task-NNNN/).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Folder for the merged summary.csv, results.parquet and report.html.", Required = true };
        var partial = new Option<bool>("--partial") { Description = "Merge the tasks finished so far even while others are missing (a look at a running sweep; the report names the missing tasks). Default: refuse." };
        var command = new Command("merge", HelpText.With(
            "Join the outputs of a sweep's tasks, from one folder or many, into one summary.csv, results.parquet and report.html.",
            "allocator merge out/sweep --out out/sweep",
            "allocator merge node-a/sweep node-b/sweep --out out/sweep"))
        {
            folders, output, partial,
        };
        command.SetAction(parse =>
        {
            var destination = parse.GetValue(output)!;
            if (OutputFolder.Problem(destination) is { } problem)
            {
                Console.Error.WriteLine($"error: --out {problem}. Nothing was written.");
                return ExitCodes.InvalidInput;
            }

            using var held = PlanCommand.HoldOutputFolder(destination);
            if (held is null)
            {
                return ExitCodes.OutputFolderHeld;
            }

            try
            {
                var files = SweepRunner.Merge(parse.GetValue(folders)!, destination, warning => Console.Error.WriteLine($"warning: {warning}"), parse.GetValue(partial));
                Console.Error.WriteLine($"Wrote {string.Join(", ", files)}.");
                return ExitCodes.Success;
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message} Nothing was written.");
                return ExitCodes.InvalidInput;
            }
        });
        return command;
    }

    private static int RunSweep(string path, string folder, int? task, int threads, ScoringDevice device, bool rerun, CancellationToken cancellation)
    {
        Sweep sweep;
        try
        {
            sweep = Lab.Sweep.Read(path);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message} Nothing was written.");
            return ExitCodes.InvalidInput;
        }

        var count = sweep.Tasks().Count;
        if (!ArrayTask.TryResolve(task, out task))
        {
            return ExitCodes.InvalidInput;
        }

        using var scorer = BulkScorer.Create(device, w => Console.Error.WriteLine($"warning: {w}"));
        var settings = new PolicySettings(new PlannerOptions { Threads = threads }, scorer, TimeSpan.FromSeconds(sweep.TimeLimitSeconds));
        if (!PlanCommand.OptionsAreValid(
            ("--task", task is < 0 || task >= count ? $"{task} is out of range: the sweep has {count} tasks, 0 .. {count - 1}" : null),
            ("--threads", PlannerOptionRules.Threads(threads)),
            ("--out", OutputFolder.Problem(folder)),
            ("policies", PolicyProblem(sweep, settings))))
        {
            return ExitCodes.InvalidInput;
        }

        // As for simulate: one task of an array holds only its own folder, so that the array's tasks run side by side on
        // one --out; a whole run holds the folder, and each task's folder while it runs that task.
        using var held = PlanCommand.HoldOutputFolder(ArrayTask.Holds(folder, task));
        if (held is null)
        {
            return ExitCodes.OutputFolderHeld;
        }

        var exit = RunTasks(sweep, folder, task, scorer, threads, rerun, cancellation);
        if (exit != ExitCodes.Success)
        {
            return exit;
        }

        if (task is null)
        {
            var files = SweepRunner.Merge([folder], folder, warning => Console.Error.WriteLine($"warning: {warning}"));
            Console.Error.WriteLine($"Wrote {string.Join(", ", files)}.");
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Runs the task asked for, or every task, each into its folder: a whole run holds each task's folder while it runs
    /// it. Stops at the first task that cannot run (held elsewhere, or stopped by SIGTERM or Ctrl-C) with its exit code.
    /// </summary>
    private static int RunTasks(Sweep sweep, string folder, int? task, BulkScorer scorer, int threads, bool rerun, CancellationToken cancellation)
    {
        var count = sweep.Tasks().Count;
        var errors = Terminal.Errors();
        int[] mine = task is { } one ? [one] : [.. Enumerable.Range(0, count)];
        int Run(int k, Action<string>? progress) => RunTask(sweep, k, folder, whole: task is null, scorer, threads, rerun, progress, cancellation);

        var exit = ExitCodes.Success;
        if (errors.Profile.Capabilities.Interactive)
        {
            // A terminal gets a bar over the tasks; logs and pipes a line per task.
            errors.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    var bar = context.AddTask($"{sweep.Name}: {mine.Length} task(s)", maxValue: mine.Length);
                    foreach (var k in mine.TakeWhile(_ => exit == ExitCodes.Success))
                    {
                        bar.Description = Markup.Escape($"{sweep.Name}: task {k} of {count}");
                        exit = Run(k, null);
                        bar.Increment(1);
                    }
                });
        }
        else
        {
            foreach (var k in mine.TakeWhile(_ => exit == ExitCodes.Success))
            {
                errors.MarkupLine(Markup.Escape($"task {k} of {count}"));
                exit = Run(k, line => errors.MarkupLine(Markup.Escape($"  {line}")));
            }
        }

        return exit;
    }

    /// <summary>
    /// Task <paramref name="k"/> into its folder, held by a <paramref name="whole"/> run while it runs (a single task
    /// already holds it); its exit code: held elsewhere, or stopped by SIGTERM or Ctrl-C, in which case nothing of it is
    /// written.
    /// </summary>
    private static int RunTask(Sweep sweep, int k, string folder, bool whole, BulkScorer scorer, int threads, bool rerun, Action<string>? progress, CancellationToken cancellation)
    {
        if (!ArrayTask.HoldTask(folder, k, whole, out var taskHeld))
        {
            return ExitCodes.OutputFolderHeld;
        }

        using var _ = taskHeld;
        if (ArrayTask.Keeps(folder, k, "sweep", rerun, () => SweepRunner.IsFinished(sweep, k, folder), Console.Error.WriteLine))
        {
            return ExitCodes.Success;
        }

        try
        {
            SweepRunner.RunTask(sweep, k, folder, scorer, threads, progress, cancellation);
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The task's plans were cut short: it is not written, so a merge finds it missing rather than wrong.
            Console.Error.WriteLine(whole
                ? $"Stopped (SIGTERM or Ctrl-C) during task {k}: it was not written and nothing was merged; the tasks finished are in {TaskFolders.All(folder)} (run the others with --task K, then allocator merge)."
                : $"Stopped (SIGTERM or Ctrl-C): task {k} was not written; run it again.");
            return ExitCodes.Stopped;
        }
    }

    /// <summary>Whether every policy of the sweep can be built; the first problem, else null.</summary>
    private static string? PolicyProblem(Sweep sweep, PolicySettings settings)
    {
        try
        {
            foreach (var policy in sweep.Policies.Append(sweep.Baseline))
            {
                _ = PolicySpec.Parse(policy, settings);
            }

            return null;
        }
        catch (ArgumentException e)
        {
            return $"in the sweep file: {e.Message.TrimEnd('.')}";
        }
    }
}
