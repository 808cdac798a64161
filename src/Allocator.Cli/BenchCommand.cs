using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.IO;
using Allocator.Core.Text;
using Allocator.Kernels;
using Spectre.Console;

namespace Allocator.Cli;

/// <summary>
/// <c>allocator bench</c>: what this machine's scorers do, for engineers comparing their own machines. Every device
/// found (CUDA, an OpenCL GPU, the CPU fast path) and the plain reference scorer score the same plans; each row gives
/// pairs per second with and without the summaries on the device, and its agreement with the reference.
/// </summary>
internal static class BenchCommand
{
    private static readonly string[] GpuWords = ["cuda", "opencl"];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create()
    {
        var devices = new Option<string>("--device") { Description = $"Comma-separated devices to measure: {string.Join(", ", ScoringDevices.Words.Select(w => w.Word))}, reference, or all (every device found, the emulator and the reference on a small slice).", DefaultValueFactory = _ => "all" };
        var instancePath = new Option<string?>("--instance") { Description = "Instance to score (default: generated, 6 pools x 120 leases x 20 jobs x 26 weeks with uncertainty, seed 1)." };
        var plans = new Option<int>("--plans") { Description = "Plans scored on a GPU (the CPU fast path takes a quarter, the reference a 16th, the emulator a 64th).", DefaultValueFactory = _ => 1024 };
        var scenarios = new Option<int>("--scenarios") { Description = "Scenarios per plan on a GPU (the CPU fast path takes a quarter, the reference a 16th, the emulator a 64th).", DefaultValueFactory = _ => 1024 };
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this file, to compare machines (default: none)." };
        var command = new Command("bench", HelpText.With(
            "Measure this machine's scorers: pairs per second, with and without summaries on the device, each checked against the reference scorer on a sample of pairs.",
            "allocator bench",
            "allocator bench --device cuda,cpu --plans 4096 --scenarios 4096 --json bench-h100.json"))
        {
            devices, instancePath, plans, scenarios, json,
        };
        command.SetAction(parse => Run(parse.GetValue(devices)!, parse.GetValue(instancePath), parse.GetValue(plans), parse.GetValue(scenarios), parse.GetValue(json)));
        return command;
    }

    private static int Run(string devices, string? instancePath, int plans, int scenarios, string? jsonPath)
    {
        var words = devices.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var known = ScoringDevices.Words.Select(w => w.Word).Append("reference").Append("all").ToList();
        if (!PlanCommand.OptionsAreValid(
            ("--device", words.FirstOrDefault(w => !known.Contains(w)) is { } unknown ? $"'{unknown}' is not one of: {string.Join(", ", known)}" : null),
            ("--plans", plans < 8 ? $"must be at least 8 (it is {plans})" : null),
            ("--scenarios", scenarios < 64 ? $"must be at least 64 (it is {scenarios})" : null),
            ("--json", jsonPath is null ? null : OutputFolder.FileProblem(jsonPath))))
        {
            return ExitCodes.InvalidInput;
        }

        var instance = instancePath is null
            ? new CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(6, 120, 20, 26, 1, Uncertainty: true)))
            : InputFiles.ReadInstance(instancePath) is { } read ? new CompiledInstance(read) : null;
        if (instance is null)
        {
            return ExitCodes.InvalidInput;
        }

        var candidates = ScoringBenchmark.Candidates(instance, plans);
        var rows = new List<ScorerSpeed>();
        var errors = Terminal.Errors();
        foreach (var word in Expand(words))
        {
            errors.MarkupLine(Markup.Escape($"measuring {word} ..."));
            rows.Add(word == "reference"
                ? ScoringBenchmark.MeasureReference(instance, candidates[..Math.Max(1, plans / 16)], Math.Max(16, scenarios / 16))
                : Measure(word, instance, candidates, plans, scenarios, errors));
        }

        Print(instance, rows);
        if (jsonPath is not null)
        {
            AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(new
            {
                date = DateTime.UtcNow,
                machine = new { os = RuntimeInformation.OSDescription, cores = Environment.ProcessorCount, dotnet = Environment.Version.ToString() },
                devices = DeviceList(),
                instance = new { name = instance.Source.Name, pools = instance.PoolCount, leases = instance.LeaseCount, jobs = instance.JobCount, periods = instance.Periods },
                scorers = rows.Select(r => new
                {
                    r.Device, r.Plans, r.Scenarios, r.ScoringSeconds, r.PairsPerSecond, r.SummarySeconds, r.SummaryPairsPerSecond, r.CheckedPairs, r.WorstDifference, r.Agrees,
                    r.CompulsoryBytesPerPair, r.TouchedBytesPerPair, r.BandwidthGBps, r.MemoryBoundPairsPerSecond, r.ShareOfMemoryBound,
                }),
            }, Json) + "\n");
            Console.Error.WriteLine($"Wrote {jsonPath}.");
        }

        return rows.All(r => r.Agrees) ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>"all" is every device found (a GPU that is not there is skipped), the emulator and the reference.</summary>
    private static IEnumerable<string> Expand(string[] words)
    {
        if (!words.Contains("all"))
        {
            return words.Distinct();
        }

        var found = DeviceList().Select(d => d.Kind).ToHashSet();
        return GpuWords.Where(found.Contains).Concat(["cpu", "ilgpu-cpu", "reference"]);
    }

    private static ScorerSpeed Measure(string word, CompiledInstance instance, List<Assignment> candidates, int plans, int scenarios, IAnsiConsole errors)
    {
        var device = ScoringDevices.Words.First(w => w.Word == word).Device;
        using var scorer = BulkScorer.Create(device, w => errors.MarkupLine(Markup.Escape($"warning: {w}")));
        // GPUs at full size; the CPU paths on a slice with as many pairs per plan, so that each takes seconds, not hours.
        var divisor = scorer.Description.StartsWith("ilgpu-cpu", StringComparison.Ordinal) ? 64 : scorer.Description.StartsWith("cpu", StringComparison.Ordinal) ? 4 : 1;
        return ScoringBenchmark.Measure(scorer, instance, candidates[..Math.Max(1, plans / divisor)], Math.Max(16, scenarios / divisor));
    }

    private static List<DeviceInfo> DeviceList()
    {
        using var context = DeviceCatalog.CreateContext();
        return [.. DeviceCatalog.List(context)];
    }

    private static void Print(CompiledInstance instance, List<ScorerSpeed> rows)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"Scoring on this machine: {instance.Source.Name} ({instance.PoolCount} pools, {instance.LeaseCount} leases, {instance.JobCount} jobs, {instance.Periods} periods)"))
            .AddColumn("scorer");
        foreach (var heading in new[] { "plans x scenarios", "pairs/s", "pairs/s with summaries", "bytes/pair: compulsory / touched", "memory GB/s", "memory bound, pairs/s", "share of bound", "agreement with the reference" })
        {
            table.AddColumn(new TableColumn(heading).RightAligned());
        }

        foreach (var r in rows)
        {
            table.AddRow(
                Markup.Escape(r.Device), $"{r.Plans:N0} x {r.Scenarios:N0}", Figures.Whole(r.PairsPerSecond), Figures.Whole(r.SummaryPairsPerSecond),
                r.CompulsoryBytesPerPair is { } c && r.TouchedBytesPerPair is { } t ? $"{Figures.Whole(c)} / {Figures.Whole(t)}" : "-", r.BandwidthGBps is { } g ? Figures.Whole(g) : "-",
                r.MemoryBoundPairsPerSecond is { } bound ? Figures.Whole(bound) : "-", r.ShareOfMemoryBound is { } share ? Figures.Percent(share) : "-",
                r.CheckedPairs == 0 ? "(is the reference)" : Markup.Escape($"{(r.Agrees ? "yes" : "NO")}: {r.CheckedPairs} pairs, max relative difference {r.WorstDifference:0.0E+0}"));
        }

        AnsiConsole.Write(table);
        Console.WriteLine("Memory bound: the probed bandwidth over the bytes a pair must move whatever the caches do (its outcomes, and its share of the scenario table and plan columns). Touched: every byte the scoring code reads or writes, counted by running it: its traffic if nothing were cached. Not measured yet: the arithmetic bound (issue 18).");
    }
}
