using System.CommandLine;
using Allocator.Core.Evaluation;
using Allocator.Core.IO;
using Allocator.Core.Text;
using Allocator.Kernels;
using Allocator.Lab;
using Allocator.Planning.Policies;
using Allocator.Solver;
using Spectre.Console;

namespace Allocator.Cli;

/// <summary>
/// <c>allocator simulate INSTANCE --policies ...</c>: policies run closed loop (closed-loop.md), re-planning as offers
/// arrive, deliveries slip and runs fail, on the same scenarios; against the static plan and, with --hindsight, the
/// clairvoyant value.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var instance = new Argument<string>("INSTANCE") { Description = "Instance file." };
        var policies = new Option<string>("--policies")
        {
            Description = $"Comma-separated policies: static (the period-0 exact plan, kept), static:SPEC (SPEC's period-0 plan, kept), or any lab policy re-planned every epoch: {string.Join(", ", PolicySpec.Names.Select(n => n.Parameter is null ? n.Name : $"{n.Name}:{n.Parameter.Split(' ')[0]}"))}.",
            DefaultValueFactory = _ => "static,exact,greedy",
        };
        var scenarios = new Option<int>("--scenarios") { Description = "Scenarios every policy runs (the same draws for every policy).", DefaultValueFactory = _ => 100 };
        var seed = new Option<ulong>("--seed") { Description = "Scenario seed.", DefaultValueFactory = _ => 1 };
        var replanEvery = new Option<int>("--replan-every") { Description = "Periods between decision epochs.", DefaultValueFactory = _ => 1 };
        var hindsight = new Option<bool>("--hindsight") { Description = "Also solve each scenario's hindsight instance exactly: the clairvoyant value, and each policy's regret against it." };
        var epochLimit = new Option<double>("--epoch-time-limit") { Description = "Seconds an exact policy may plan at each epoch.", DefaultValueFactory = _ => 10 };
        var hindsightLimit = new Option<double>("--hindsight-time-limit") { Description = "Seconds each hindsight solve may take.", DefaultValueFactory = _ => 60 };
        var nodeLimit = new Option<long?>("--node-limit") { Description = "Stop every exact solve (epochs and hindsight) after this many branch-and-bound nodes: a solve cut short then ends at the same plan on every run, which a time limit does not promise (default: none; the time limits still cap)." };
        var threads = new Option<int>("--threads") { Description = "Scenarios run at once (each exact solve on one thread).", DefaultValueFactory = _ => 2 };
        var alpha = new Option<double>("--alpha") { Description = "CVaR share: the mean of the worst alpha of scenarios.", DefaultValueFactory = _ => 0.05 };
        var shown = new Option<long>("--show-scenario") { Description = "The scenario whose decisions decisions.json lists, epoch by epoch.", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out") { Description = "Folder for summary.csv, summary.json, results.parquet, decisions.json and value-over-time.png (default: none, the table only)." };
        var tasks = new Option<int>("--tasks") { Description = "Split the scenarios into this many numbered tasks (OUT/tasks/task-NNNN/), for a Slurm job array or a Kubernetes Indexed Job.", DefaultValueFactory = _ => 1 };
        var task = new Option<int?>("--task") { Description = "Run only this task (0-based); default: SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX when set, else every task and then the merge." };
        var merge = new Option<bool>("--merge") { Description = "Only join the tasks in --out (run with the same options as the tasks) into the summary, results and chart." };
        var rerun = new Option<bool>("--rerun") { Description = "Run again the tasks already finished in --out by this run (the same options and instance) and this build (by default they are kept: a rerun after a stop does only what is left)." };
        var command = new Command("simulate", HelpText.With(
            "Run policies closed loop: at each epoch every policy plans the residual instance of what it knows, the scenario runs its plan until the next epoch, and it plans again. Per policy: mean, CVaR, epochs without a plan, the value of adapting (its mean minus the static plan's, paired 95% interval) and, with --hindsight, its regret against the clairvoyant value.",
            "allocator simulate seeds/tiny.json --policies static,exact,greedy --scenarios 50 --hindsight --out out/sim",
            "allocator simulate closed-loop.json --policies static,exact,lease-first --replan-every 2 --epoch-time-limit 5 --threads 2",
            "sbatch --array=0-9 deploy/slurm/simulate.sbatch seeds/colossus-2026.json out/sim 10   # then the same options with --tasks 10 --merge"))
        {
            instance, policies, scenarios, seed, replanEvery, hindsight, epochLimit, hindsightLimit, nodeLimit, threads, alpha, shown, output, tasks, task, merge, rerun,
        };
        command.SetAction((parse, cancellation) => Task.Run(() => Run(
            parse.GetValue(instance)!, parse.GetValue(policies)!, (parse.GetValue(scenarios), parse.GetValue(seed), parse.GetValue(replanEvery), parse.GetValue(alpha), parse.GetValue(shown)),
            (parse.GetValue(hindsight), parse.GetValue(epochLimit), parse.GetValue(hindsightLimit), parse.GetValue(threads), parse.GetValue(nodeLimit)), parse.GetValue(output),
            (parse.GetValue(tasks), parse.GetValue(task), parse.GetValue(merge), parse.GetValue(rerun)), cancellation), CancellationToken.None));
        return command;
    }

    private static int Run(
        string instancePath, string policyList, (int Scenarios, ulong Seed, int Every, double Alpha, long Shown) run, (bool Hindsight, double Epoch, double Solve, int Threads, long? Nodes) limits,
        string? folder, (int Count, int? One, bool Merge, bool Rerun) split, CancellationToken cancellation)
    {
        if (split.Count > 1)
        {
            if (!ArrayTask.TryResolve(split.One, out var one))
            {
                return ExitCodes.InvalidInput;
            }

            split.One = one;
        }

        if (!PlanCommand.OptionsAreValid(
            ("--scenarios", run.Scenarios < 2 ? $"must be at least 2 (it is {run.Scenarios}): an interval needs two" : null),
            ("--replan-every", run.Every < 1 ? $"must be at least 1 (it is {run.Every})" : null),
            ("--alpha", run.Alpha is <= 0 or > 1 ? $"must be in (0, 1] (it is {run.Alpha})" : null),
            ("--epoch-time-limit", PlannerOptionRules.TimeLimitSeconds(limits.Epoch)),
            ("--hindsight-time-limit", PlannerOptionRules.TimeLimitSeconds(limits.Solve)),
            ("--threads", PlannerOptionRules.Threads(limits.Threads)),
            ("--node-limit", limits.Nodes is < 1 ? $"must be at least 1 (it is {limits.Nodes})" : null),
            ("--show-scenario", run.Shown < 0 || run.Shown >= run.Scenarios ? $"must be one of the scenarios run, 0..{run.Scenarios - 1} (it is {run.Shown})" : null),
            ("--tasks", split.Count < 1 || split.Count > run.Scenarios ? $"must be between 1 and --scenarios ({run.Scenarios}) (it is {split.Count})" : null),
            ("--task", split.One is { } chosen && (chosen < 0 || chosen >= split.Count) ? $"{chosen} is out of range: there are {split.Count} tasks, 0 .. {split.Count - 1}" : null),
            ("--out", folder is null ? (split.Count > 1 || split.Merge ? "is needed: tasks write their results there" : null) : OutputFolder.Problem(folder))))
        {
            return ExitCodes.InvalidInput;
        }

        if (InputFiles.ReadInstance(instancePath) is not { } source)
        {
            return ExitCodes.InvalidInput;
        }

        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);
        var exact = new PlannerOptions { Threads = 1, Deterministic = true, TimeLimit = TimeSpan.FromSeconds(limits.Epoch), NodeLimit = limits.Nodes };
        var settings = new PolicySettings(exact, scorer, TimeSpan.FromSeconds(limits.Epoch));
        List<SimulatedPolicy> policies;
        try
        {
            policies = [.. policyList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(spec => Parse(spec, settings))];
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message} Nothing was written.");
            return ExitCodes.InvalidInput;
        }

        var request = new SimulationRequest(new CompiledInstance(source), policies, run.Scenarios, run.Seed, run.Every)
        {
            Alpha = run.Alpha,
            Threads = limits.Threads,
            ShownScenario = run.Shown,
            Hindsight = limits.Hindsight ? exact with { TimeLimit = TimeSpan.FromSeconds(limits.Solve) } : null,
            Settings = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"epoch {limits.Epoch} s, {limits.Nodes} nodes"),
        };
        // A merge reads the tasks first: tasks that have not all run are an error before anything is held or written.
        var merged = split.Merge ? Merged(folder!, request, split.Count) : null;
        if (split.Merge && merged is null)
        {
            return ExitCodes.InvalidInput;
        }

        // One task of an array writes only its own folder, so it holds only that: an array's tasks run side by side on
        // one output folder (a second run of the same task is still refused). A whole run or a merge holds the folder.
        IDisposable? held = null;
        var writes = folder is not null && !split.Merge ? ArrayTask.Holds(folder, split.One) : folder;
        if (writes is not null && (held = PlanCommand.HoldOutputFolder(writes)) is null)
        {
            return ExitCodes.OutputFolderHeld;
        }

        using var runLock = held;
        var errors = Terminal.Errors();
        void Say(string line) => errors.MarkupLine(Markup.Escape(line));
        try
        {
            return Simulate(request, merged, folder, split, Say, cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.Error.WriteLine(split switch
            {
                { Count: 1 } => "Stopped (SIGTERM or Ctrl-C) before the simulation was done. Nothing was written.",
                { One: { } one } => $"Stopped (SIGTERM or Ctrl-C): task {one} was not written; run it again.",
                _ => $"Stopped (SIGTERM or Ctrl-C): the task in progress was not written and nothing was merged; the tasks finished are in {TaskFolders.All(folder!)} (run the others with --task K, then --merge).",
            });
            return ExitCodes.Stopped;
        }
    }

    /// <summary>The run, the task or the merge that <paramref name="split"/> asks for, with the folder held.</summary>
    private static int Simulate(
        SimulationRequest request, (SimulationResult Result, string? Decisions)? merged, string? folder, (int Count, int? One, bool Merge, bool Rerun) split, Action<string> say, CancellationToken cancellation)
    {
        if (split.Count == 1)
        {
            var result = Simulation.Run(request, say, cancellation);
            Print(result);
            Write(folder, result, null);
            return ExitCodes.Success;
        }

        foreach (var k in split.Merge ? [] : split.One is { } one ? [one] : Enumerable.Range(0, split.Count))
        {
            if (!ArrayTask.HoldTask(folder!, k, whole: split.One is null, out var taskHeld))
            {
                return ExitCodes.OutputFolderHeld;
            }

            using var _ = taskHeld;
            if (ArrayTask.Keeps(folder!, k, "run", split.Rerun, () => SimulationTasks.IsFinished(folder!, k, split.Count, request), say))
            {
                continue;
            }

            var (first, count) = SimulationTasks.Range(request.Scenarios, split.Count, k);
            say($"task {k} of {split.Count}: scenarios {first} .. {first + count - 1}");
            SimulationTasks.Write(folder!, k, split.Count, request, Simulation.Run(request with { FirstScenario = first, Scenarios = count }, say, cancellation));
        }

        if (split.One is not null && !split.Merge)
        {
            return ExitCodes.Success;
        }

        if ((merged ?? Merged(folder!, request, split.Count)) is not { } joined)
        {
            return ExitCodes.InvalidInput;
        }

        Print(joined.Result);
        Write(folder, joined.Result, joined.Decisions);
        return ExitCodes.Success;
    }

    private static (SimulationResult Result, string? Decisions)? Merged(string folder, SimulationRequest request, int tasks)
    {
        try
        {
            return SimulationTasks.Merge(folder, request, tasks, warning => Console.Error.WriteLine($"warning: {warning}"));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message} Nothing was written.");
            return null;
        }
    }

    private static void Write(string? folder, SimulationResult result, string? decisions)
    {
        if (folder is not null)
        {
            var files = SimulationFiles.Write(folder, result, decisions);
            Console.Error.WriteLine($"Wrote {string.Join(", ", files.Select(Path.GetFileName))} in {folder} (the chart also as SVG).");
        }
    }

    /// <summary>static, static:SPEC, or a lab policy re-planned at every epoch.</summary>
    private static SimulatedPolicy Parse(string spec, PolicySettings settings)
    {
        if (spec == "static")
        {
            return new SimulatedPolicy(spec, PolicySpec.Parse("exact", settings), Static: true);
        }

        return spec.StartsWith("static:", StringComparison.Ordinal)
            ? new SimulatedPolicy(spec, PolicySpec.Parse(spec["static:".Length..], settings), Static: true)
            : new SimulatedPolicy(spec, PolicySpec.Parse(spec, settings), Static: false);
    }

    private static void Print(SimulationResult result)
    {
        var request = result.Request;
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"{request.Instance.Source.Name}: {request.Scenarios:N0} scenarios closed loop, seed {request.Seed}, re-planning every {request.ReplanEvery} period(s)"
                + (result.Clairvoyant is { } c ? $"; clairvoyant mean {Figures.Whole(c.Average())}" : string.Empty)))
            .AddColumn("policy");
        foreach (var heading in new[] { "mean", $"CVaR {Figures.Percent(request.Alpha)}", "epochs without a plan", "stopped at the limit", "value of adapting: mean - static [95% CI]", "regret: clairvoyant - mean [95% CI]", "beat clairvoyant", "seconds" })
        {
            table.AddColumn(new TableColumn(Markup.Escape(heading)).RightAligned());
        }

        foreach (var s in Simulation.Summarize(result))
        {
            table.AddRow(
                Markup.Escape(s.Name), Figures.Whole(s.Mean), Figures.Whole(s.ConditionalValueAtRisk), s.FailedEpochs.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{s.LimitedEpochs:N0} of {s.Epochs:N0}"),
                Interval(s.Adapting), Interval(s.Regret), s.BeatClairvoyant is { } b ? Figures.Percent(b) : "-", $"{s.Seconds:0.0}");
        }

        AnsiConsole.Write(table);
        if (result.Shortfall is { } shortfall)
        {
            AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(shortfall.Sentence)} (--hindsight-time-limit)");
        }
    }

    private static string Interval(Lab.Difference? d) =>
        d is null ? "-" : Markup.Escape($"{Figures.Signed(d.Estimate)} [{Figures.Signed(d.Low)} .. {Figures.Signed(d.High)}]");
}
