using System.CommandLine;
using System.Globalization;
using Allocator.Core.Evaluation;
using Allocator.Core.IO;
using Allocator.Core.Json;
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
        var mipThreads = new Option<int?>("--mip-threads") { Description = "Of --threads, how many the MIP gets while the others run neighbourhood re-solves (1 .. threads). Default: all of them for SCIP (its concurrent solvers), 1 for SCIP with --previous and for HiGHS." };
        var gap = new Option<double>("--gap") { Description = "Stop once the plan is proven within this relative gap of the bound (0.005 = 0.5%); the status stays feasible. 0: run to the optimum or the limit.", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Solver random seed.", DefaultValueFactory = _ => 0 };
        var previous = new Option<string?>("--previous") { Description = "A previous plan.json to start from (solution hint)." };
        var solver = new Option<SolverKind>("--solver") { Description = "scip (default), highs, or cpsat.", DefaultValueFactory = _ => SolverKind.Scip };
        var deterministic = new Option<bool>("--deterministic") { Description = "Reproducible run: one thread, fixed seed; CP-SAT uses deterministic time for the limit." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress lines on standard error." };
        var robust = RobustPlanning.Options();
        var command = new Command("plan", "Solve the exact model and write the optimal plan (or the best found within the time limit); with --robust, search from it for the plan that does best across random scenarios.")
        {
            instanceArgument, output, timeLimit, gap, threads, mipThreads, seed, previous, solver, deterministic, quiet,
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
                    Solver = parse.GetValue(solver),
                    TimeLimit = TimeSpan.FromSeconds(seconds),
                    Threads = threadCount,
                    MipThreads = parse.GetValue(mipThreads),
                    TargetGap = parse.GetValue(gap),
                    Seed = parse.GetValue(seed),
                    Deterministic = parse.GetValue(deterministic),
                };
                return parse.GetValue(robust.Robust)
                    ? RobustPlanning.Run(parse, robust, parse.GetValue(instanceArgument)!, folder, seconds, options, parse.GetValue(previous), parse.GetValue(quiet), cancellation)
                    : Run(parse.GetValue(instanceArgument)!, folder, options, parse.GetValue(previous), parse.GetValue(quiet), cancellation);
            },
            CancellationToken.None));
        return command;
    }

    private static int Run(string instancePath, string outputFolder, PlannerOptions options, string? previousPath, bool quiet, CancellationToken cancellation)
    {
        if (ReadInputs(instancePath, previousPath, options) is not var (compiled, withHint))
        {
            return ExitCodes.InvalidInput;
        }

        if (HoldOutputFolder(outputFolder) is not { } held)
        {
            return ExitCodes.OutputFolderHeld;
        }

        using var runLock = held;
        var result = SolveExact(compiled, withHint, quiet, cancellation);
        if (result.Assignment is null)
        {
            return NoPlanExitCode(result);
        }

        var evaluation = result.Evaluation!;
        var plan = result.Assignment!.ToPlan(compiled);
        // Stopped by SIGTERM or Ctrl-C: the best plan found so far is still written, and says so.
        var status = cancellation.IsCancellationRequested ? "interrupted" : result.Status.ToString().ToLowerInvariant();
        var report = result.Report(status);
        Directory.CreateDirectory(outputFolder);
        AtomicFile.WriteAllText(Path.Combine(outputFolder, "plan.json"), PlanWriter.Write(plan, evaluation, report, compiled));
        AtomicFile.WriteAllText(Path.Combine(outputFolder, "plan.csv"), PlanWriter.WriteCsv(compiled, result.Assignment!));

        Summary.Print(compiled, evaluation, report);
        Console.WriteLine($"Wrote {Path.Combine(outputFolder, "plan.json")} and plan.csv.");
        return ExitCodes.Success;
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

    /// <summary>Reads the instance and, when given, the previous plan as a hint; null (problems on stderr) when either is invalid.</summary>
    internal static (CompiledInstance Instance, PlannerOptions Options)? ReadInputs(string instancePath, string? previousPath, PlannerOptions options)
    {
        if (InputFiles.ReadInstance(instancePath) is not { } instance)
        {
            return null;
        }

        var compiled = new CompiledInstance(instance);
        if (previousPath is not null)
        {
            if (InputFiles.ReadPlan(previousPath) is not { } previousPlan)
            {
                return null;
            }

            // A previous plan that names leases or jobs this instance no longer has is still a useful hint for the
            // rest; the solver ignores a hint that is not feasible tonight.
            options = options with { Hint = PlanEvaluator.Resolve(compiled, previousPlan, []) };
        }

        return (compiled, options);
    }

    /// <summary>
    /// Runs the exact planner with progress lines on stderr (each plan found, and a heartbeat every
    /// <see cref="Heartbeat"/>); when it finds no plan, says why there.
    /// </summary>
    internal static PlannerResult SolveExact(CompiledInstance compiled, PlannerOptions options, bool quiet, CancellationToken cancellation)
    {
        var errors = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        var gate = new Lock();
        Incumbent? last = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var solving = true;
        void Line(TimeSpan at, string text)
        {
            if (!quiet)
            {
                errors.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"[{at.TotalSeconds,6:0.0}s] {text}")));
            }
        }

        static string Worth(Incumbent i) =>
            string.Create(CultureInfo.InvariantCulture, $"plan worth {i.Objective:N0} USD{(i.Bound is { } b ? $", bound {b:N0}" : "")}");

        var progress = new SynchronousProgress<Incumbent>(i =>
        {
            lock (gate)
            {
                last = i;
                Line(i.Elapsed, $"{i.Source}: {Worth(i)}");
            }
        });

        // A solve can go quiet for minutes (SCIP reports nothing until its share of the limit ends): the heartbeat says
        // it is alive and what it holds.
        using var heartbeat = new Timer(_ =>
        {
            lock (gate)
            {
                if (solving)
                {
                    Line(clock.Elapsed, last is { } held ? $"solving: best {Worth(held)}" : "solving: no plan yet");
                }
            }
        }, null, Heartbeat, Heartbeat);

        var result = ExactPlanner.Solve(compiled, options, progress, cancellation);
        lock (gate)
        {
            solving = false;
        }

        switch (result.Status)
        {
            case PlanStatus.Infeasible:
                Console.Error.WriteLine("infeasible: " + (result.Infeasibility?.Summary ?? "the commitments cannot all be met."));
                Console.Error.WriteLine("Nothing was written.");
                break;
            case PlanStatus.Unknown:
                Console.Error.WriteLine($"no feasible plan was found within {options.TimeLimit.TotalSeconds:0.#} s, and none was proven impossible; raise --time-limit. Nothing was written.");
                break;
        }

        return result;
    }

    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);

    /// <summary>The exit code for a solve that returned no plan.</summary>
    internal static int NoPlanExitCode(PlannerResult result) => result.Status == PlanStatus.Infeasible ? ExitCodes.Infeasible : ExitCodes.NoPlanInTime;

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
