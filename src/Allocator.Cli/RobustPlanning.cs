using System.CommandLine;
using System.Globalization;
using Allocator.Core.Policies;
using Allocator.Core.Scenarios;
using Allocator.Core.Text;
using Allocator.Kernels;
using Allocator.Planning.Policies;
using Allocator.Search;
using Spectre.Console;

namespace Allocator.Cli;

/// <summary>
/// <c>allocator plan INSTANCE --robust</c>: the exact plan first, then a search from it (and from buffered copies of it)
/// for the plan that does best across random scenarios under a risk measure, then both plans compared on fresh
/// scenarios. Writes the robust plan as plan.json/plan.csv, the exact one as exact-plan.json, and risk.json.
/// </summary>
internal static class RobustPlanning
{
    /// <summary>The options <c>--robust</c> adds to <c>plan</c>.</summary>
    internal sealed record RobustOptions(
        Option<bool> Robust,
        Option<string> Risk,
        Option<int> Scenarios,
        Option<ulong> ScenarioSeed,
        Option<Chosen<ScoringDevice>> Device,
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
        Choice.Of("--device", "With --robust: where candidates are scored (auto: CUDA, else an OpenCL GPU, else the CPU).", ScoringDevices.Words, ScoringDevice.Auto),
        new Option<long?>("--evaluations") { Description = "With --robust: most candidate plans to score (default: until the time runs out); with a seed and batch size this makes the run reproducible." },
        new Option<int>("--batch") { Description = "With --robust: candidates scored together per step.", DefaultValueFactory = _ => 1024 },
        new Option<int>("--oos-scenarios") { Description = "With --robust: fresh scenarios for the out-of-sample comparison of the robust and exact plans.", DefaultValueFactory = _ => 10000 },
        new Option<double?>("--exact-time-limit") { Description = "With --robust: seconds for the exact solve (default: half of --time-limit; the search gets the rest)." });

    /// <summary>The robust settings the options give; null (each problem on stderr) when one is out of range.</summary>
    public static RobustSettings? Settings(ParseResult parse, RobustOptions o)
    {
        if (RiskMeasure.Parse(parse.GetValue(o.Risk)!, out var riskError) is not { } risk)
        {
            Console.Error.WriteLine($"error: {riskError} Nothing was written.");
            return null;
        }

        var settings = new RobustSettings
        {
            Risk = risk,
            Scenarios = parse.GetValue(o.Scenarios),
            Seed = parse.GetValue(o.ScenarioSeed),
            BatchSize = parse.GetValue(o.Batch),
            Evaluations = parse.GetValue(o.Evaluations),
            OutOfSampleScenarios = parse.GetValue(o.OutOfSampleScenarios),
            ExactSeconds = parse.GetValue(o.ExactTimeLimit),
        };
        // The service checks its settings by the same rules (RobustSettings.Validate), in the same words.
        var flags = new Dictionary<string, string>
        {
            [nameof(RobustSettings.Scenarios)] = "--scenarios",
            [nameof(RobustSettings.BatchSize)] = "--batch",
            [nameof(RobustSettings.Evaluations)] = "--evaluations",
            [nameof(RobustSettings.OutOfSampleScenarios)] = "--oos-scenarios",
            [nameof(RobustSettings.ExactSeconds)] = "--exact-time-limit",
        };
        if (settings.Validate() is { Count: > 0 } problems)
        {
            return PlanCommand.OptionsAreValid([.. problems.Select(p => (flags.GetValueOrDefault(p.Setting, p.Setting), (string?)p.Problem.TrimEnd('.')))]) ? settings : null;
        }

        return settings;
    }

    /// <summary>The search's progress as a line on stderr every few seconds (terminals, logs and pipes alike).</summary>
    public static IProgress<SearchProgress> SearchLines(IAnsiConsole errors)
    {
        var next = TimeSpan.Zero;
        return new PlanCommand.SynchronousProgress<SearchProgress>(p =>
        {
            if (p.Elapsed >= next)
            {
                next = p.Elapsed + TimeSpan.FromSeconds(5);
                errors.WriteLine(Line(p));
            }
        });
    }

    private static string Line(SearchProgress p) => string.Create(
        CultureInfo.InvariantCulture,
        $"[{p.Elapsed.TotalSeconds,6:0.0}s] step {p.Step}, {p.Evaluations:N0} plans scored, best {Figures.Usd(p.Best.Fitness.Value)} ({p.Best.Name}){(p.Best.Fitness.Admissible ? "" : ", over the chance limit")}");

    /// <summary>The exact and the robust plan side by side: deterministic value, search scenarios, fresh scenarios.</summary>
    public static void PrintSideBySide(PolicyPlan robust, PairedComparison oos)
    {
        ArgumentNullException.ThrowIfNull(robust);
        ArgumentNullException.ThrowIfNull(oos);
        if (robust.Details is not RobustDetails { Result: var result, Risk: var risk } || robust.Baseline is not { } exact)
        {
            return;
        }

        var best = result.Best;
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"Exact vs robust under {risk.Text}"))
            .AddColumn("")
            .AddColumn(new TableColumn("Exact").RightAligned())
            .AddColumn(new TableColumn("Robust").RightAligned());
        table.AddRow("Deterministic objective", Usd(exact.Evaluation.Objective.Total), Usd(robust.Evaluation!.Objective.Total));
        Add(table, $"Search scenarios ({result.Seeds[0].Risk.Scenarios:N0})", result.Seeds[0].Risk, best.Risk, risk);
        Add(table, $"Fresh scenarios ({oos.Scenarios:N0})", oos.Baseline, oos.Candidate, risk);
        table.AddRow("Difference (robust - exact), 95% CI", "", Markup.Escape($"{Usd(oos.MeasureDifference.Estimate)} [{Usd(oos.MeasureDifference.Low)} .. {Usd(oos.MeasureDifference.High)}]"));
        table.AddRow("Search", "", Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{result.Evaluations:N0} plans in {result.Elapsed.TotalSeconds:0.0} s ({result.CandidatesPerSecond:N0}/s), {result.Steps} steps, stopped: {Figures.Words(result.Stopped)}")));
        AnsiConsole.Write(table);
    }

    private static void Add(Table table, string heading, RiskSummary exact, RiskSummary robust, RiskMeasure risk)
    {
        table.AddRow($"[bold]{Markup.Escape(heading)}[/]", "", "");
        table.AddRow($"  {Markup.Escape(risk.Text)} value", Usd(risk.ValueOf(exact)), Usd(risk.ValueOf(robust)));
        table.AddRow("  Mean", Usd(exact.Mean), Usd(robust.Mean));
        table.AddRow($"  CVaR (worst {exact.Alpha:P0})", Usd(exact.CVaR), Usd(robust.CVaR));
        table.AddRow("  P(any lease short)", Figures.Percent(exact.ProbabilityAnyLeaseShort), Figures.Percent(robust.ProbabilityAnyLeaseShort));
        table.AddRow("  less SLA penalties", Usd(exact.MeanPenalty), Usd(robust.MeanPenalty));
    }

    private static string Usd(double value) => Figures.Whole(value);
}
