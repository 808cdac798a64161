using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Allocator.Core.Evaluation;
using Allocator.Core.IO;
using Allocator.Core.Scenarios;
using Allocator.Core.Text;
using Allocator.Lab;
using Spectre.Console;

namespace Allocator.Cli;

/// <summary>
/// <c>allocator scenarios INSTANCE</c>: what scenarios of a seed draw, the very draws every scorer and policy uses
/// (scenario k of a seed is the same everywhere), for a look, or as files a researcher's own tools read.
/// </summary>
internal static class ScenariosCommand
{
    // Rows of the table: the first scenarios, then their means over all of them.
    private const int Shown = 10;

    public static Command Create()
    {
        var instanceArgument = new Argument<string>("INSTANCE") { Description = "Instance file (JSON); its uncertainty section says what is drawn (without one, nothing varies)." };
        var scenarios = new Option<int>("--scenarios") { Description = "How many scenarios.", DefaultValueFactory = _ => 100 };
        var first = FirstScenario.Create();
        var seed = new Option<ulong>("--seed") { Description = "Scenario seed, as score, compare, simulate and plan --robust take it.", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = $"Folder for {string.Join(", ", ScenarioFiles.Names)} (default: none, a table of the first {Shown} and the means)." };
        var asJson = new Option<bool>("--json") { Description = "Print scenarios.json to standard output instead of the table." };
        var hindsight = new Option<bool>("--hindsight") { Description = "Also write each scenario's hindsight instance (closed-loop.md: the draws written into the instance, whose optimum less the signed leases' penalty is the clairvoyant value) as hindsight/scenario-K.json in --out." };
        var command = new Command("scenarios", HelpText.With(
            "Show or export the scenarios of a seed: each delivery's arrival, each pool's share down and GPUs working per period, each job's overrun and outcome, the offers made, the spot price per period. These are the draws score, compare, simulate and plan --robust use; scenarios.json keeps every number exact and the Parquet tables (one row per scenario and pool and period, and so on) open in pandas, polars or DuckDB.",
            "allocator scenarios seeds/mid-6x120x20x26.json --scenarios 20",
            "allocator scenarios seeds/colossus-2026.json --scenarios 10000 --seed 7 --out out/draws",
            "allocator scenarios seeds/tiny.json --first 500 --scenarios 5 --json",
            "allocator scenarios closed-loop.json --scenarios 20 --out out/draws --hindsight   # then: allocator plan out/draws/hindsight/scenario-3.json"))
        {
            instanceArgument, scenarios, first, seed, output, asJson, hindsight,
        };
        command.SetAction((parse, cancellation) => Task.Run(() =>
        {
            var n = parse.GetValue(scenarios);
            var start = parse.GetValue(first);
            if (!PlanCommand.OptionsAreValid(
                ("--scenarios", n < 1 ? $"must be at least 1 (it is {n})" : null),
                ("--first", FirstScenario.Problem(start, n)),
                ("--out", parse.GetValue(output) is { } destination ? OutputFolder.Problem(destination) : null),
                ("--hindsight", parse.GetValue(hindsight) && parse.GetValue(output) is null ? "needs --out, the folder its files go in" : null)))
            {
                return ExitCodes.InvalidInput;
            }

            if (InputFiles.ReadInstance(parse.GetValue(instanceArgument)!) is not { } instance)
            {
                return ExitCodes.InvalidInput;
            }

            var compiled = new CompiledInstance(instance);
            var range = new DrawRange(parse.GetValue(seed), start, n);
            if (parse.GetValue(asJson))
            {
                using var stdout = StandardOutput.Open();
                ScenarioFiles.WriteJson(stdout, compiled, range);
                return ExitCodes.Success;
            }

            if (parse.GetValue(output) is { } folder)
            {
                return Export(folder, compiled, range, parse.GetValue(hindsight), cancellation);
            }

            PrintTable(compiled, range);
            return ExitCodes.Success;
        }, CancellationToken.None));
        return command;
    }

    private static int Export(string folder, CompiledInstance instance, DrawRange range, bool hindsight, CancellationToken cancellation)
    {
        using var held = PlanCommand.HoldOutputFolder(folder);
        if (held is null)
        {
            return ExitCodes.OutputFolderHeld;
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"drawing {range.Count:N0} scenarios (from {range.First}, seed {range.Seed}) into {folder}"));
        var clock = Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        void Progress(long done)
        {
            if (clock.Elapsed - reported > TimeSpan.FromSeconds(5))
            {
                reported = clock.Elapsed;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{done:N0} of {range.Count:N0} scenarios drawn"));
            }
        }

        if (ScenarioFiles.Write(folder, instance, range, cancellation, Progress, hindsight) is not { } files)
        {
            Console.Error.WriteLine("Stopped (SIGTERM or Ctrl-C) while drawing. Nothing was written.");
            return ExitCodes.Stopped;
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {range.Count:N0} scenarios (from {range.First}, seed {range.Seed}) in {clock.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", files.Select(Path.GetFileName))} in {folder}"));
        return ExitCodes.Success;
    }

    /// <summary>The first scenarios row by row, and the means over all of them.</summary>
    private static void PrintTable(CompiledInstance instance, DrawRange range)
    {
        var outcomes = instance.Source.Uncertainty is { JobSuccess: true };
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{instance.Source.Name}: scenarios {range.First}..{range.First + range.Count - 1} of seed {range.Seed}")))
            .AddColumn("scenario").AddColumn(new TableColumn("deliveries late").RightAligned()).AddColumn(new TableColumn("share of GPUs down").RightAligned())
            .AddColumn(new TableColumn("GPUs working (mean)").RightAligned()).AddColumn(new TableColumn("jobs overrun").RightAligned())
            .AddColumn(new TableColumn("jobs that fail").RightAligned()).AddColumn(new TableColumn("offers not made").RightAligned())
            .AddColumn(new TableColumn("spot price (mean)").RightAligned());
        var means = new double[7];
        foreach (var draws in ScenarioFiles.Batches(instance, range).SelectMany(b => b))
        {
            var figures = Glance(instance, draws);
            for (var i = 0; i < means.Length; i++)
            {
                means[i] += figures[i] / range.Count;
            }

            if (draws.Scenario - range.First < Shown)
            {
                table.AddRow([draws.Scenario.ToString(CultureInfo.InvariantCulture), .. Cells(figures, outcomes, whole: true)]);
            }
        }

        table.AddRow([$"[bold]mean of {range.Count:N0}[/]", .. Cells(means, outcomes, whole: false)]);
        AnsiConsole.Write(table);
    }

    /// <summary>Per scenario: deliveries late, share down, GPUs working, jobs overrun, jobs failing, offers not made, spot price.</summary>
    private static double[] Glance(CompiledInstance instance, ScenarioDraws draws) =>
    [
        Enumerable.Range(0, draws.DeliveryArrival.Length).Count(d => draws.DeliveryArrival[d] > instance.DeliveryPeriod[d]),
        draws.OutageShare.IsEmpty ? 0 : draws.OutageShare.Average(),
        draws.AvailableGpus.IsEmpty ? 0 : draws.AvailableGpus.Sum() / instance.Periods,
        draws.OverrunPeriods.Count(o => o > 0),
        draws.JobSucceeds.Count(s => !s),
        draws.OfferMade.Count(m => !m),
        draws.SpotPrice.Average(),
    ];

    private static string[] Cells(double[] f, bool outcomes, bool whole)
    {
        string Count(double value) => whole ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString("0.00", CultureInfo.InvariantCulture);
        return
        [
            Count(f[0]), f[1].ToString("0.00%", CultureInfo.InvariantCulture), Figures.Whole(f[2]), Count(f[3]), outcomes ? Count(f[4]) : "-", Count(f[5]),
            f[6].ToString("0.000", CultureInfo.InvariantCulture),
        ];
    }
}
