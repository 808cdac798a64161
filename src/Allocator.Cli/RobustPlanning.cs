using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Allocator.Core.Evaluation;
using Allocator.Core.IO;
using Allocator.Core.Json;
using Allocator.Core.Scenarios;
using Allocator.Kernels;
using Allocator.Search;
using Allocator.Solver;
using Spectre.Console;

namespace Allocator.Cli;

/// <summary>
/// <c>allocator plan INSTANCE --robust</c>: the exact plan first, then a search from it (and from buffered copies of it)
/// for the plan that does best across random scenarios under a risk measure, then both plans compared on fresh
/// scenarios. Writes the robust plan as plan.json/plan.csv, the exact one as exact-plan.json, and risk.json.
/// </summary>
internal static class RobustPlanning
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The options <c>--robust</c> adds to <c>plan</c>.</summary>
    internal sealed record RobustOptions(
        Option<bool> Robust,
        Option<string> Risk,
        Option<int> Scenarios,
        Option<ulong> ScenarioSeed,
        Option<ScoringDevice> Device,
        Option<long?> Evaluations,
        Option<int> Batch,
        Option<int> OutOfSampleScenarios,
        Option<double?> ExactTimeLimit)
    {
        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Robust, Risk, Scenarios, ScenarioSeed, Device, Evaluations, Batch, OutOfSampleScenarios, ExactTimeLimit })
            {
                command.Options.Add(option);
            }
        }
    }

    public static RobustOptions Options() => new(
        new Option<bool>("--robust") { Description = "Search for the plan that does best across random scenarios, starting from the exact plan." },
        new Option<string>("--risk") { Description = "With --robust: expected | cvar:ALPHA:LAMBDA (mean - LAMBDA x (mean - CVaR_ALPHA)) | chance:EPS (best mean with P(any lease short) <= EPS).", DefaultValueFactory = _ => "expected" },
        new Option<int>("--scenarios") { Description = "With --robust: scenarios every candidate is scored on.", DefaultValueFactory = _ => 1000 },
        new Option<ulong>("--scenario-seed") { Description = "With --robust: seed of the search's scenarios and moves (out-of-sample scenarios use an independent seed derived from it).", DefaultValueFactory = _ => 1 },
        new Option<ScoringDevice>("--device") { Description = "With --robust: auto (CUDA, else an OpenCL GPU, else CPU), cuda, opencl, cpu, or ilgpucpu.", DefaultValueFactory = _ => ScoringDevice.Auto },
        new Option<long?>("--evaluations") { Description = "With --robust: most candidate plans to score; with a seed and batch size this makes the run reproducible." },
        new Option<int>("--batch") { Description = "With --robust: candidates scored together per step.", DefaultValueFactory = _ => 1024 },
        new Option<int>("--oos-scenarios") { Description = "With --robust: fresh scenarios for the out-of-sample comparison of the robust and exact plans.", DefaultValueFactory = _ => 10000 },
        new Option<double?>("--exact-time-limit") { Description = "With --robust: seconds for the exact solve (default: half of --time-limit; the search gets the rest)." });

    public static int Run(
        ParseResult parse, RobustOptions o, string instancePath, string outputFolder, double timeLimit, PlannerOptions exactOptions, string? previousPath, bool quiet, CancellationToken cancellation)
    {
        if (RiskMeasure.Parse(parse.GetValue(o.Risk)!, out var riskError) is not { } risk)
        {
            Console.Error.WriteLine($"error: {riskError} Nothing was written.");
            return ExitCodes.InvalidInput;
        }

        var scenarios = parse.GetValue(o.Scenarios);
        var oosScenarios = parse.GetValue(o.OutOfSampleScenarios);
        var batch = parse.GetValue(o.Batch);
        var evaluations = parse.GetValue(o.Evaluations);
        var total = Math.Max(0.2, timeLimit);
        var exactLimit = parse.GetValue(o.ExactTimeLimit) ?? total / 2;
        if (scenarios < 1 || oosScenarios < 2 || batch < 1 || evaluations is < 0 || exactLimit <= 0)
        {
            Console.Error.WriteLine("error: --scenarios and --batch must be at least 1, --oos-scenarios at least 2, --evaluations not negative and --exact-time-limit positive. Nothing was written.");
            return ExitCodes.InvalidInput;
        }

        if (PlanCommand.ReadInputs(instancePath, previousPath, exactOptions with { TimeLimit = TimeSpan.FromSeconds(exactLimit) }) is not var (compiled, options))
        {
            return ExitCodes.InvalidInput;
        }

        if (PlanCommand.HoldOutputFolder(outputFolder) is not { } held)
        {
            return ExitCodes.OutputFolderHeld;
        }

        using var runLock = held;

        if (compiled.Source.Uncertainty is null)
        {
            Console.Error.WriteLine("warning: the instance has no uncertainty section: every scenario is the deterministic objective, so the exact plan is already the robust one.");
        }

        var exact = PlanCommand.SolveExact(compiled, options, quiet, cancellation);
        if (exact.Assignment is null)
        {
            return PlanCommand.NoPlanExitCode(exact);
        }

        var searchSeconds = Math.Max(0.1, total - exact.Elapsed.TotalSeconds);
        var searchOptions = new SearchOptions
        {
            Risk = risk,
            Scenarios = scenarios,
            Seed = parse.GetValue(o.ScenarioSeed),
            BatchSize = batch,
            EvaluationBudget = evaluations,
            // A budget makes the run reproducible; the time limit still applies as a safety net unless the user set a budget.
            TimeLimit = evaluations is null ? TimeSpan.FromSeconds(searchSeconds) : null,
        };

        var seeds = SeedPlan.ExactAndPrevious(compiled, exact.Assignment, options.Hint, "previous");

        using var scorer = BulkScorer.Create(parse.GetValue(o.Device), w => Console.Error.WriteLine($"warning: {w}"));
        var errors = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (!quiet)
        {
            errors.MarkupLine(Markup.Escape($"robust search under {risk.Text}: {scenarios:N0} scenarios x {batch:N0} candidates per step on {scorer.Description}"));
        }

        var result = Search(compiled, scorer, seeds, searchOptions, errors, quiet, cancellation);
        var exactScore = result.Seeds[0];
        var oosSeed = OutOfSample.FreshSeed(searchOptions.Seed);
        var comparison = OutOfSample.Compare(compiled, scorer, risk, exact.Assignment, result.Best.Assignment, oosSeed, oosScenarios);

        var evaluation = PlanEvaluator.Evaluate(compiled, result.Best.Assignment);
        var report = new PlanReport(
            cancellation.IsCancellationRequested ? "interrupted" : "robust", $"robust search ({scorer.Description}) from {exact.Solver} ({exact.Status.ToString().ToLowerInvariant()})", null, null,
            exact.Elapsed.TotalSeconds + result.Elapsed.TotalSeconds,
            new Dictionary<string, string>
            {
                ["risk"] = risk.Text,
                ["outOfSample"] = comparison.Sentence,
            });
        var exactReport = exact.Report(exact.Status.ToString().ToLowerInvariant());
        Directory.CreateDirectory(outputFolder);
        AtomicFile.WriteAllText(Path.Combine(outputFolder, "exact-plan.json"), PlanWriter.Write(exact.Assignment.ToPlan(compiled), exact.Evaluation, exactReport, compiled));
        AtomicFile.WriteAllText(Path.Combine(outputFolder, "risk.json"), RiskJson(risk, searchOptions, result, comparison));
        AtomicFile.WriteAllText(Path.Combine(outputFolder, "plan.csv"), PlanWriter.WriteCsv(compiled, result.Best.Assignment));
        // plan.json last: a reader that sees it sees the whole run.
        AtomicFile.WriteAllText(Path.Combine(outputFolder, "plan.json"), PlanWriter.Write(result.Best.Assignment.ToPlan(compiled), evaluation, report, compiled));

        Summary.Print(compiled, evaluation, report);
        PrintSideBySide(risk, exact, evaluation, exactScore, result, comparison);
        Console.WriteLine(comparison.Sentence);
        Console.WriteLine($"Wrote {Path.Combine(outputFolder, "plan.json")}, plan.csv, exact-plan.json and risk.json.");
        return ExitCodes.Success;
    }

    private static SearchResult Search(
        CompiledInstance compiled, BulkScorer scorer, IReadOnlyList<SeedPlan> seeds, SearchOptions options, IAnsiConsole errors, bool quiet, CancellationToken cancellation)
    {
        if (quiet)
        {
            return RobustSearch.Run(compiled, scorer, seeds, options, null, cancellation);
        }

        if (!errors.Profile.Capabilities.Interactive)
        {
            // Logs and pipes get a line every few seconds instead of a redrawn bar.
            var next = TimeSpan.Zero;
            var lines = new PlanCommand.SynchronousProgress<SearchProgress>(p =>
            {
                if (p.Elapsed >= next)
                {
                    next = p.Elapsed + TimeSpan.FromSeconds(5);
                    errors.WriteLine(Line(p));
                }
            });
            return RobustSearch.Run(compiled, scorer, seeds, options, lines, cancellation);
        }

        SearchResult? result = null;
        errors.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("scoring seeds", maxValue: 1);
                var bar = new PlanCommand.SynchronousProgress<SearchProgress>(p =>
                {
                    task.Value = p.FractionDone;
                    task.Description = Markup.Escape(Line(p));
                });
                result = RobustSearch.Run(compiled, scorer, seeds, options, bar, cancellation);
                task.Value = 1;
            });
        return result!;
    }

    private static string Line(SearchProgress p) => string.Create(
        CultureInfo.InvariantCulture,
        $"[{p.Elapsed.TotalSeconds,6:0.0}s] step {p.Step}, {p.Evaluations:N0} plans scored, best {p.Best.Fitness.Value:N0} USD ({p.Best.Name}){(p.Best.Fitness.Admissible ? "" : ", over the chance limit")}");

    private static void PrintSideBySide(RiskMeasure risk, PlannerResult exact, PlanEvaluation robust, ScoredPlan exactScore, SearchResult result, PairedComparison oos)
    {
        var best = result.Best;
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"Exact vs robust under {risk.Text}"))
            .AddColumn("")
            .AddColumn(new TableColumn("Exact").RightAligned())
            .AddColumn(new TableColumn("Robust").RightAligned());
        table.AddRow("Deterministic objective", Usd(exact.Objective!.Value), Usd(robust.Objective.Total));
        Add(table, $"Search scenarios ({exactScore.Risk.Scenarios:N0})", exactScore.Risk, best.Risk, risk);
        Add(table, $"Fresh scenarios ({oos.Scenarios:N0})", oos.Baseline, oos.Candidate, risk);
        table.AddRow("Difference (robust - exact), 95% CI", "", Markup.Escape($"{Usd(oos.MeasureDifference.Estimate)} [{Usd(oos.MeasureDifference.Low)} .. {Usd(oos.MeasureDifference.High)}]"));
        table.AddRow("Search", "", Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{result.Evaluations:N0} plans in {result.Elapsed.TotalSeconds:0.0} s ({result.CandidatesPerSecond:N0}/s), {result.Steps} steps, stopped: {result.Stopped}")));
        AnsiConsole.Write(table);
    }

    private static void Add(Table table, string heading, RiskSummary exact, RiskSummary robust, RiskMeasure risk)
    {
        table.AddRow($"[bold]{Markup.Escape(heading)}[/]", "", "");
        table.AddRow($"  {Markup.Escape(risk.Text)} value", Usd(risk.ValueOf(exact)), Usd(risk.ValueOf(robust)));
        table.AddRow("  Mean", Usd(exact.Mean), Usd(robust.Mean));
        table.AddRow($"  CVaR (worst {exact.Alpha:P0})", Usd(exact.CVaR), Usd(robust.CVaR));
        table.AddRow("  P(any lease short)", exact.ProbabilityAnyLeaseShort.ToString("P1", CultureInfo.InvariantCulture), robust.ProbabilityAnyLeaseShort.ToString("P1", CultureInfo.InvariantCulture));
        table.AddRow("  SLA penalties", Usd(exact.MeanPenalty), Usd(robust.MeanPenalty));
    }

    private static string Usd(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string RiskJson(RiskMeasure risk, SearchOptions options, SearchResult result, PairedComparison oos)
    {
        var document = new
        {
            risk = risk.Text,
            device = result.Device,
            search = new
            {
                seed = options.Seed,
                scenarios = options.Scenarios,
                batchSize = options.BatchSize,
                evaluationBudget = options.EvaluationBudget,
                evaluations = result.Evaluations,
                steps = result.Steps,
                seconds = Math.Round(result.Elapsed.TotalSeconds, 3),
                scoringSeconds = Math.Round(result.ScoringTime.TotalSeconds, 3),
                candidatesPerSecond = Math.Round(result.CandidatesPerSecond, 1),
                stopped = result.Stopped.ToString(),
                improvingMoves = result.ImprovingMoves.ToDictionary(m => m.Key.ToString(), m => m.Value),
                seeds = result.Seeds.Select(s => new { name = s.Name, value = risk.ValueOf(s.Risk), admissible = s.Fitness.Admissible, risk = s.Risk }),
                exact = result.Seeds[0].Risk,
                robust = result.Best.Risk,
                robustFrom = result.Best.Name,
            },
            outOfSample = new
            {
                seed = oos.Seed,
                scenarios = oos.Scenarios,
                exact = oos.Baseline,
                robust = oos.Candidate,
                meanDifference = oos.MeanDifference,
                measureDifference = oos.MeasureDifference,
                shortProbabilityDifference = oos.ShortProbabilityDifference,
                verdict = oos.Verdict.ToString().ToLowerInvariant(),
                sentence = oos.Sentence,
            },
        };
        return JsonSerializer.Serialize(document, JsonOptions) + "\n";
    }
}
