using System.CommandLine;
using System.Globalization;
using Allocator.Core.Contract;
using Allocator.Core.IO;
using Allocator.Core.Json;
using Allocator.Core.Text;
using Allocator.Kernels;
using Allocator.Planning.Pipeline;
using Allocator.Planning.Policies;
using Allocator.Solver;
using Spectre.Console;

namespace Allocator.Cli;

/// <summary><c>allocator plan INSTANCE</c>: the exact plan, written as plan.json and plan.csv, with a summary.</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var instanceArgument = new Argument<string>("INSTANCE") { Description = "Instance file (JSON)." };
        var output = new Option<string>("--out") { Description = "Folder for plan.json and plan.csv.", DefaultValueFactory = _ => "out" };
        var timeLimit = new Option<double>("--time-limit") { Description = "Seconds the solver may run; the best plan found by then is returned.", DefaultValueFactory = _ => 60 };
        var threads = new Option<int>("--threads") { Description = "Solver threads.", DefaultValueFactory = _ => 2 };
        var mipThreads = new Option<int?>("--mip-threads") { Description = "Of --threads, how many the MIP gets while the others run neighbourhood re-solves (1 .. threads). Default: all of them for SCIP (one racing solve per thread), 1 for SCIP with --previous and for HiGHS." };
        var gap = new Option<double>("--gap") { Description = "Stop once the plan is proven within this relative gap of the bound (0.005 = 0.5%); the status stays feasible. 0: run to the optimum or the limit.", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Solver random seed.", DefaultValueFactory = _ => 0 };
        var previous = new Option<string?>("--previous") { Description = "A previous plan.json to start from (solution hint; it must be for this instance). Default: none." };
        var solver = Choice.Of("--solver", "The exact engine.", SolverKinds.Words, SolverKind.Scip);
        var deterministic = new Option<bool>("--deterministic") { Description = "Reproducible run: one thread, fixed seed; CP-SAT uses deterministic time for the limit." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress lines on standard error." };
        var asJson = new Option<bool>("--json") { Description = "Print plan.json to standard output instead of the summary (progress stays on standard error)." };
        var robust = RobustPlanning.Options();
        var command = new Command("plan", HelpText.With("Solve the exact model and write the optimal plan (or the best found within the time limit) as plan.json, plan.csv and spot.csv; with --robust, search from it for the plan that does best across random scenarios.", "allocator plan seeds/tiny.json --out out/tiny", "allocator plan seeds/mid-6x120x20x26.json --time-limit 300 --gap 0.005 --out out/mid", "allocator plan seeds/colossus-2026.json --robust --risk cvar:0.05:0.5 --time-limit 600 --out out/colossus"))
        {
            instanceArgument, output, timeLimit, gap, threads, mipThreads, seed, previous, solver, deterministic, quiet, asJson,
        };
        robust.AddTo(command);
        // Run on the thread pool so the invocation is a running task that SIGTERM and Ctrl-C can cancel and then wait for:
        // the planner stops its engine and writes its best plan. A synchronous action is ended without writing.
        command.SetAction((parse, cancellation) => Task.Run(
            () =>
            {
                var seconds = parse.GetValue(timeLimit);
                var threadCount = parse.GetValue(threads);
                var folder = parse.GetValue(output)!;
                if (!OptionsAreValid(
                    ("--time-limit", PlannerOptionRules.TimeLimitSeconds(seconds)),
                    ("--threads", PlannerOptionRules.Threads(threadCount)),
                    ("--mip-threads", PlannerOptionRules.MipThreads(parse.GetValue(mipThreads), threadCount)),
                    ("--gap", PlannerOptionRules.TargetGap(parse.GetValue(gap))),
                    ("--out", OutputFolder.Problem(folder))))
                {
                    return ExitCodes.InvalidInput;
                }

                var options = new PlannerOptions
                {
                    Solver = parse.GetValue(solver)!.Value,
                    TimeLimit = TimeSpan.FromSeconds(seconds),
                    Threads = threadCount,
                    MipThreads = parse.GetValue(mipThreads),
                    TargetGap = parse.GetValue(gap),
                    Seed = parse.GetValue(seed),
                    Deterministic = parse.GetValue(deterministic),
                };
                RobustSettings? robustSettings = null;
                if (parse.GetValue(robust.Robust))
                {
                    robustSettings = RobustPlanning.Settings(parse, robust);
                    if (robustSettings is null)
                    {
                        return ExitCodes.InvalidInput;
                    }
                }

                return Run(parse.GetValue(instanceArgument)!, folder, options, robustSettings, parse.GetValue(robust.Device)!.Value, parse.GetValue(previous), parse.GetValue(quiet), parse.GetValue(asJson), cancellation);
            },
            CancellationToken.None));
        return command;
    }

    private static int Run(
        string instancePath, string outputFolder, PlannerOptions options, RobustSettings? robust, ScoringDevice device, string? previousPath, bool quiet, bool asJson, CancellationToken cancellation)
    {
        PreviousPlan? previous = null;
        if (previousPath is not null)
        {
            try
            {
                previous = new PreviousPlan(InputText.Read(previousPath), previousPath, Named: true);
            }
            catch (ContractException e)
            {
                InputFiles.ReportProblems(e);
                return ExitCodes.InvalidInput;
            }
        }

        if (HoldOutputFolder(outputFolder) is not { } held)
        {
            return ExitCodes.OutputFolderHeld;
        }

        using var runLock = held;
        var errors = Terminal.Errors();
        using var setup = PlanningSetup.Create(
            options, options.TimeLimit, robust, device, w => Console.Error.WriteLine($"warning: {w}"), quiet ? null : RobustPlanning.SearchLines(errors));
        if (robust is not null && !quiet)
        {
            errors.MarkupLine(Markup.Escape($"robust search under {robust.Risk.Text}: {robust.Scenarios:N0} scenarios x {robust.BatchSize:N0} candidates per step on {setup.Device}"));
        }

        var request = new PlanningRequest(instancePath, outputFolder, setup.Policy) { Previous = previous, Check = setup.Check };
        var result = SolveWithProgress(request, options.TimeLimit, quiet, cancellation);
        foreach (var warning in result.Warnings)
        {
            Console.Error.WriteLine($"warning: {warning}");
        }

        if (result.Plan?.Evaluation is not { } evaluation)
        {
            return NoPlan(result, options.TimeLimit);
        }

        var names = result.Files.Select(Path.GetFileName).Where(n => n != "plan.json").ToList();
        var wrote = $"Wrote {Path.Combine(outputFolder, "plan.json")}{(names.Count > 0 ? $" and {string.Join(", ", names)}" : "")}.";
        if (asJson)
        {
            Console.Out.Write(result.PlanJson);
            Console.Error.WriteLine(wrote);
            return ExitCodes.Success;
        }

        Summary.Print(result.Instance!, evaluation, result.Plan.Report);
        if (robust is not null && result.Comparison is { } comparison)
        {
            RobustPlanning.PrintSideBySide(result.Plan, comparison);
            Console.WriteLine(comparison.Sentence);
        }

        Console.WriteLine(wrote);
        return ExitCodes.Success;
    }

    /// <summary>Says on stderr why a run wrote no plan, and returns its exit code.</summary>
    private static int NoPlan(PlanningResult result, TimeSpan timeLimit)
    {
        switch (result.Status)
        {
            case RunStatus.Invalid when result.Problems.Count > 0:
                InputFiles.ReportProblems(new ContractException(result.ProblemSource ?? "input", result.Problems));
                return ExitCodes.InvalidInput;
            case RunStatus.Invalid:
                Console.Error.WriteLine($"error: {result.Message} Nothing was written.");
                return ExitCodes.InvalidInput;
            case RunStatus.Infeasible:
                Console.Error.WriteLine("infeasible: " + result.Message);
                Console.Error.WriteLine("Nothing was written.");
                return ExitCodes.Infeasible;
            default:
                Console.Error.WriteLine($"{result.Message} Nothing was written.");
                return ExitCodes.NoPlanInTime;
        }
    }

    /// <summary>
    /// The output folder's lock, as the nightly service takes it, so that two runs never write one folder at once; null
    /// (and the holder named on stderr) when another run holds it. A folder the lock had to create is removed again
    /// when the run writes nothing into it (bad input, infeasible), so that such a run leaves nothing behind.
    /// </summary>
    internal static IDisposable? HoldOutputFolder(string outputFolder)
    {
        try
        {
            var created = !Directory.Exists(outputFolder);
            var held = Service.RunLock.Acquire(outputFolder);
            return created ? new FolderCreatedForRun(held, outputFolder) : held;
        }
        catch (Service.RunLockedException e)
        {
            Console.Error.WriteLine($"error: {e.Message} Nothing was written.");
            return null;
        }
    }

    /// <summary>
    /// Says on stderr what is wrong with each option that has a problem (one line each, naming the option), and
    /// whether all were fine. Checked before any work, so a bad option costs no solve and writes nothing.
    /// </summary>
    internal static bool OptionsAreValid(params (string Option, string? Problem)[] checks)
    {
        var problems = checks.Where(c => c.Problem is not null).ToList();
        foreach (var (option, problem) in problems)
        {
            Console.Error.WriteLine($"error: {option} {problem}.");
        }

        if (problems.Count > 0)
        {
            Console.Error.WriteLine("Nothing was written.");
        }

        return problems.Count == 0;
    }

    /// <summary>
    /// Runs the pipeline with progress lines on stderr: each plan found, and a heartbeat every <see cref="Heartbeat"/>
    /// (a solve can go quiet for minutes: SCIP reports nothing until its share of the limit ends).
    /// </summary>
    private static PlanningResult SolveWithProgress(PlanningRequest request, TimeSpan timeLimit, bool quiet, CancellationToken cancellation)
    {
        var errors = Terminal.Errors();
        var gate = new Lock();
        ProgressPoint? last = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var solving = true;
        void Line(double seconds, string text)
        {
            if (!quiet)
            {
                errors.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"[{seconds,6:0.0}s] {text}")));
            }
        }

        static string Worth(ProgressPoint p) =>
            $"plan worth {Figures.Usd(p.Objective)}{(p.Bound is { } b ? $", bound {Figures.Usd(b)}" : "")}";

        var progress = new SynchronousProgress<ProgressPoint>(p =>
        {
            lock (gate)
            {
                last = p;
                Line(p.Seconds, $"{p.Source}: {Worth(p)}");
            }
        });

        using var heartbeat = new Timer(_ =>
        {
            lock (gate)
            {
                if (solving)
                {
                    Line(clock.Elapsed.TotalSeconds, last is { } held ? $"solving: best {Worth(held)}" : "solving: no plan yet");
                }
            }
        }, null, Heartbeat, Heartbeat);

        var result = PlanningPipeline.Run(request, progress, cancellation);
        lock (gate)
        {
            solving = false;
        }

        return result;
    }

    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    /// <summary>Reports on the calling thread: Progress&lt;T&gt; would post to the thread pool and lines could arrive late.</summary>
    internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>A run's lock on a folder it created; the folder goes again if the run wrote nothing but the lock.</summary>
    private sealed class FolderCreatedForRun(Service.RunLock held, string folder) : IDisposable
    {
        public void Dispose()
        {
            held.Dispose();
            try
            {
                if (Directory.EnumerateFileSystemEntries(folder).All(f => Path.GetFileName(f).StartsWith(Service.RunLock.FileName, StringComparison.Ordinal)))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (IOException)
            {
                // Another run took the folder meanwhile: it is theirs now.
            }
        }
    }
}
