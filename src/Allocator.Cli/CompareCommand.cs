using System.CommandLine;
using Allocator.Core.IO;
using Allocator.Core.Policies;
using Allocator.Core.Text;
using Allocator.Kernels;
using Allocator.Lab;
using Allocator.Planning.Policies;
using Allocator.Solver;
using Spectre.Console;

namespace Allocator.Cli;

/// <summary><c>allocator compare INSTANCE... --policies ...</c>: the policy lab's comparison on common random numbers.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var instances = new Argument<string[]>("INSTANCE") { Description = "Instance files.", Arity = ArgumentArity.OneOrMore };
        var policies = new Option<string>("--policies")
        {
            Description = $"Comma-separated policies: {string.Join(", ", PolicySpec.Names.Select(n => n.Parameter is null ? n.Name : $"{n.Name}:{n.Parameter.Split(' ')[0]}"))}, or a plan file.",
            Required = true,
        };
        var baseline = new Option<string>("--baseline") { Description = "The policy every other is compared with (added if not among --policies).", DefaultValueFactory = _ => "exact" };
        var scenarios = new Option<int>("--scenarios") { Description = "Scenarios every plan is scored on (the same draws for every policy).", DefaultValueFactory = _ => 1000 };
        var seed = new Option<ulong>("--seed") { Description = "Scenario seed.", DefaultValueFactory = _ => 1 };
        var alpha = new Option<double>("--alpha") { Description = "CVaR share: the mean of the worst alpha of scenarios.", DefaultValueFactory = _ => 0.05 };
        var timeLimit = new Option<double>("--time-limit") { Description = "Seconds each policy may plan each instance.", DefaultValueFactory = _ => 60 };
        var threads = new Option<int>("--threads") { Description = "Solver threads.", DefaultValueFactory = _ => 2 };
        var device = Choice.Of("--device", "Where plans are scored.", ScoringDevices.Words, ScoringDevice.Auto);
        var precision = new Option<double?>("--precision") { Description = "Stop as precision, not count: start with --scenarios and double the count until every paired interval is narrower than this share of the baseline's mean (0.001 = 0.1%). Default: one batch of --scenarios." };
        var deterministic = new Option<bool>("--deterministic") { Description = "Exact policies on one thread with a fixed seed, so that reruns give the same plans unless a time limit cuts a solve (then the plan found by the limit can vary)." };
        var maxScenarios = new Option<int>("--max-scenarios") { Description = "With --precision: the most scenarios to draw.", DefaultValueFactory = _ => 1_000_000 };
        var chartPolicy = new Option<string?>("--chart-policy") { Description = "The policy whose GPUs per pool over time are drawn (default: the baseline)." };
        var output = new Option<string?>("--out") { Description = "Folder for summary.csv, summary.json and results.parquet (default: none, the tables only)." };
        var command = new Command("compare", HelpText.With(
            "Compare allocation policies on the same scenarios: per instance, each policy's mean, spread, CVaR, P(any lease short), utilisation, revenue split and solve time, and its difference from the baseline with 95% intervals (paired t for the mean, paired bootstrap for CVaR; p-values Holm-adjusted across the comparisons).",
            "allocator compare seeds/colossus-2026.json --policies exact,lease-first,train-first,split:0.3,threshold:2.5,buffered:0.05 --scenarios 10000 --out out/lab",
            "allocator compare a.json b.json --policies exact,greedy,out/manual/plan.json --baseline exact --seed 7"))
        {
            instances, policies, baseline, scenarios, seed, alpha, timeLimit, threads, device, precision, maxScenarios, deterministic, chartPolicy, output,
        };
        command.SetAction((parse, cancellation) => Task.Run(
            () => Run(parse, instances, policies, baseline, scenarios, seed, alpha, timeLimit, threads, device, (precision, maxScenarios), output, parse.GetValue(deterministic), parse.GetValue(chartPolicy), cancellation), CancellationToken.None));
        return command;
    }

    private static int Run(
        ParseResult parse, Argument<string[]> instances, Option<string> policies, Option<string> baseline, Option<int> scenarios, Option<ulong> seed, Option<double> alpha,
        Option<double> timeLimit, Option<int> threads, Option<Chosen<ScoringDevice>> device, (Option<double?> Share, Option<int> Most) precision, Option<string?> output,
        bool deterministic, string? chartPolicy, CancellationToken cancellation)
    {
        var (n, a, seconds, threadCount, folder) = (parse.GetValue(scenarios), parse.GetValue(alpha), parse.GetValue(timeLimit), parse.GetValue(threads), parse.GetValue(output));
        var (share, most) = (parse.GetValue(precision.Share), parse.GetValue(precision.Most));
        if (!PlanCommand.OptionsAreValid(
            ("--scenarios", n < 2 ? $"must be at least 2 (it is {n}): an interval needs two" : null),
            ("--alpha", a is <= 0 or > 1 ? $"must be in (0, 1] (it is {a})" : null),
            ("--time-limit", PlannerOptionRules.TimeLimitSeconds(seconds)),
            ("--threads", PlannerOptionRules.Threads(threadCount)),
            ("--precision", share is <= 0 or >= 1 ? $"must be a share in (0, 1) (it is {share})" : null),
            ("--max-scenarios", most < n ? $"must be at least --scenarios ({n}) (it is {most})" : null),
            ("--out", folder is null ? null : OutputFolder.Problem(folder))))
        {
            return ExitCodes.InvalidInput;
        }

        var paths = parse.GetValue(instances)!;
        if (paths.Any(path => InputFiles.ReadInstance(path) is null))
        {
            return ExitCodes.InvalidInput;
        }

        using var scorer = BulkScorer.Create(parse.GetValue(device)!.Value, w => Console.Error.WriteLine($"warning: {w}"));
        var settings = new PolicySettings(new PlannerOptions { Threads = threadCount, Deterministic = deterministic }, scorer, TimeSpan.FromSeconds(seconds));
        var names = parse.GetValue(policies)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        var baselineName = parse.GetValue(baseline)!;
        if (!names.Contains(baselineName))
        {
            names.Insert(0, baselineName);
        }

        List<IPlanningPolicy> parsed;
        try
        {
            parsed = [.. names.Select(name => PolicySpec.Parse(name, settings))];
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message} Nothing was written.");
            return ExitCodes.InvalidInput;
        }

        if (chartPolicy is not null && !names.Contains(chartPolicy))
        {
            Console.Error.WriteLine($"error: --chart-policy '{chartPolicy}' is not among the policies ({string.Join(", ", names)}). Nothing was written.");
            return ExitCodes.InvalidInput;
        }

        IDisposable? held = null;
        if (folder is not null && (held = PlanCommand.HoldOutputFolder(folder)) is null)
        {
            return ExitCodes.OutputFolderHeld;
        }

        using var runLock = held;
        var request = new ComparisonRequest(paths, parsed, parsed[names.IndexOf(baselineName)].Name, n, parse.GetValue(seed)) { Alpha = a, Precision = share, MaxScenarios = most };
        var errors = Terminal.Errors();
        var results = PolicyComparison.Run(request, scorer, line => errors.MarkupLine(Markup.Escape(line)), cancellation);
        foreach (var comparison in results)
        {
            Print(comparison, request);
        }

        var stopped = results.Count < paths.Length;
        if (stopped)
        {
            Console.Error.WriteLine(results.Count == 0
                ? "Stopped (SIGTERM or Ctrl-C) before any instance was compared. Nothing was written."
                : $"Stopped (SIGTERM or Ctrl-C): {results.Count} of {paths.Length} instances compared; not compared: {string.Join(", ", paths.Skip(results.Count))}. The files hold those compared (summary.json: stopped, notCompared).");
            if (results.Count == 0)
            {
                return ExitCodes.Stopped;
            }
        }

        if (folder is not null)
        {
            Write(folder, request, results, chartPolicy is null ? request.Baseline : parsed[names.IndexOf(chartPolicy)].Name, scorer.Description);
        }

        return stopped ? ExitCodes.Stopped : ExitCodes.Success;
    }

    /// <summary>The comparison's files in <paramref name="folder"/>: tables, charts (drawn for <paramref name="charted"/>) and the report.</summary>
    private static void Write(string folder, ComparisonRequest request, IReadOnlyList<InstanceComparison> results, string charted, string device)
    {
        var files = ComparisonFiles.Write(folder, request, results, device).ToList();
        var drawn = results.Select(c => (Comparison: c, Charts: ComparisonCharts.Of(c, charted))).ToList();
        foreach (var (comparison, charts) in drawn)
        {
            files.AddRange(ComparisonCharts.Save(charts, folder, $"{comparison.Name}-"));
        }

        var report = Path.Combine(folder, "report.html");
        AtomicFile.WriteAllText(report, ComparisonReport.Html(request, [.. drawn.Select(d => (d.Comparison, d.Charts))], device));
        files.Add(report);
        Console.Error.WriteLine($"Wrote {string.Join(", ", files.Select(Path.GetFileName))} in {folder} (charts also as SVG).");
    }

    private static void Print(InstanceComparison comparison, ComparisonRequest request)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"{comparison.Name}: {comparison.Scenarios:N0} scenarios, seed {request.Seed}, against {request.Baseline}"))
            .AddColumn("policy");
        foreach (var heading in new[] { "mean", "stdev", $"CVaR {Figures.Percent(request.Alpha)}", "P(short)", "utilisation", "lease", "less penalties", "jobs", "spot", "less power", "solve", "mean - baseline [95% CI] (p Holm)", "CVaR - baseline [95% CI] (p Holm)" })
        {
            table.AddColumn(new TableColumn(Markup.Escape(heading)).RightAligned());
        }

        foreach (var p in comparison.Policies)
        {
            if (p.Risk is not { } r)
            {
                // The policy, blank figures, its solve time, no differences; why it has no plan is said under the table.
                var cells = Enumerable.Repeat("", table.Columns.Count).ToArray();
                (cells[0], cells[1], cells[^3]) = (Markup.Escape(p.Policy), "no plan", Markup.Escape(p.Solve));
                table.AddRow(cells);
                continue;
            }

            table.AddRow(
                Markup.Escape(p.Policy), Figures.Whole(r.Mean), Figures.Whole(r.StandardDeviation), Figures.Whole(r.CVaR), Figures.Percent(r.ProbabilityAnyLeaseShort),
                Figures.Percent(p.Plan.Evaluation!.Kpis.Utilisation), Figures.Whole(r.MeanLeaseRevenue), Figures.Whole(r.MeanPenalty), Figures.Whole(r.MeanJobValue),
                Figures.Whole(r.MeanSpotRevenue), Figures.Whole(r.MeanPowerCost), Markup.Escape(p.Solve), Markup.Escape(Text(p.MeanDifference)), Markup.Escape(Text(p.CvarDifference)));
        }

        AnsiConsole.Write(table);
        foreach (var p in comparison.Policies.Where(p => p.Risk is null))
        {
            Console.WriteLine($"{p.Policy} has no plan: {p.Plan.Problem}");
        }

        if (request.Precision is { } precision)
        {
            Console.WriteLine(PrecisionSentence(comparison, request, precision));
        }

        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Solving took {comparison.Policies.Sum(p => p.SolveSeconds):0.0} s, scoring {comparison.ScoringSeconds:0.0} s."));
    }

    private static string PrecisionSentence(InstanceComparison comparison, ComparisonRequest request, double precision) => comparison switch
    {
        { HasDifferences: false } => $"No paired interval to narrow: {request.Baseline} or every other policy has no plan, so --precision did not apply.",
        { PrecisionReached: true } => $"Every paired interval is narrower than {Figures.Percent(precision)} of {request.Baseline}'s mean after {comparison.Scenarios:N0} scenarios.",
        _ => $"Not every paired interval is narrower than {Figures.Percent(precision)} of {request.Baseline}'s mean after {comparison.Scenarios:N0} scenarios (--max-scenarios {request.MaxScenarios:N0}).",
    };

    private static string Text(Difference? d) => d is null
        ? "-"
        : $"{Figures.Signed(d.Estimate)} [{Figures.Whole(d.Low)} .. {Figures.Whole(d.High)}] (p {d.AdjustedP.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}){(d.Shown ? " *" : "")}";
}
