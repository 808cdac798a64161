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
        var precisions = new Option<string>("--precision") { Description = "Comma-separated precisions to measure on each device: double, mixed (money multiplied in float32; see docs/scoring.md).", DefaultValueFactory = _ => "double,mixed" };
        var state = new Option<string>("--kernel-state") { Description = "Comma-separated places a GPU kernel keeps each pair's state, to compare: auto (the default placement), shared, local, global, or all.", DefaultValueFactory = _ => "auto" };
        var cpuPaths = new Option<string>("--cpu-path") { Description = $"Comma-separated CPU fast paths to measure: lanes (a block of scenarios in SIMD lanes, as wide as this machine computes fast), {string.Join(", ", CpuPathWords.Where(w => w.Width is not (null or LaneWidth.Auto)).Select(w => w.Word))} (one vector of that many bits, or two side by side, to compare widths), scalar (one pair at a time).", DefaultValueFactory = _ => "lanes" };
        var residency = new Option<string>("--threads-per-sm") { Description = "Comma-separated residencies to compare on CUDA with the state in global memory: auto (the compiler's registers, the driver's occupancy), or the threads each multiprocessor must hold at once (a multiple of 256: the kernel is compiled with launch bounds, which cap its registers).", DefaultValueFactory = _ => "auto" };
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this file, to compare machines (default: none)." };
        var command = new Command("bench", HelpText.With(
            "Measure this machine's scorers: pairs per second, with and without summaries on the device, each checked against the reference scorer on a sample of pairs.",
            "allocator bench",
            "allocator bench --device cuda,cpu --plans 4096 --scenarios 4096 --json bench-h100.json",
            "allocator bench --device cuda --precision double --kernel-state all",
            "allocator bench --device cuda --precision double --threads-per-sm auto,1024,1536"))
        {
            devices, instancePath, plans, scenarios, precisions, state, cpuPaths, residency, json,
        };
        command.SetAction((parse, cancellation) => Task.Run(() => Run(
            parse.GetValue(devices)!, parse.GetValue(instancePath), parse.GetValue(plans), parse.GetValue(scenarios), parse.GetValue(precisions)!, parse.GetValue(state)!,
            parse.GetValue(cpuPaths)!, parse.GetValue(residency)!, parse.GetValue(json), cancellation), CancellationToken.None));
        return command;
    }

    internal static readonly (string Word, KernelState State)[] StateWords =
        [("auto", KernelState.Auto), ("shared", KernelState.Shared), ("local", KernelState.Local), ("global", KernelState.Global)];

    // The CPU fast paths by word: SIMD lanes laid out as this machine computes fastest (auto) or as named, or scalar (null).
    internal static readonly (string Word, LaneWidth? Width)[] CpuPathWords =
    [
        ("lanes", LaneWidth.Auto), ("lanes-512", LaneWidth.Vector512), ($"lanes-{VectorLanes.Bits}", LaneWidth.Vector),
        ($"lanes-2x{VectorLanes.Bits}", LaneWidth.TwinVector), ("lanes-2x512", LaneWidth.TwinVector512), ("scalar", null),
    ];

    private static int Run(string devices, string? instancePath, int plans, int scenarios, string precisionList, string stateList, string cpuPathList, string residencyList, string? jsonPath, CancellationToken stop)
    {
        var words = devices.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var precisionWords = precisionList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var stateWords = stateList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var cpuPathWords = cpuPathList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var residencyWords = residencyList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var residencies = residencyWords.Select(w => w == "auto" ? 0 : int.TryParse(w, out var n) && n >= 256 && n % 256 == 0 ? n : -1).ToList();
        if (!PlanCommand.OptionsAreValid(
            ("--device", Unknown(words, [.. ScoringDevices.Words.Select(w => w.Word), "reference", "all"], allowNone: true)),
            ("--precision", Unknown(precisionWords, [.. ScoringArithmetic.Words.Select(w => w.Word)])),
            ("--cpu-path", Unknown(cpuPathWords, [.. CpuPathWords.Select(w => w.Word)])),
            ("--kernel-state", Unknown(stateWords, [.. StateWords.Select(w => w.Word), "all"])),
            ("--threads-per-sm", residencyWords.Length == 0 ? "name at least one: auto, or a multiple of 256 such as 1536"
                : residencies.IndexOf(-1) is var bad and >= 0 ? $"'{residencyWords[bad]}' is neither auto nor a multiple of 256 (at least 256)" : null),
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

        // Double before mixed on each device: the mixed rows are compared with the double path's scores, pair by pair.
        var precisions = ScoringArithmetic.Words.Where(w => precisionWords.Contains(w.Word)).Select(w => w.Precision).ToList();
        var machine = Devices();
        var steps = Steps(Expand(words, machine.Found), precisions, stateWords, cpuPathWords, [.. residencies.Distinct().Select(r => r == 0 ? (int?)null : r)]).ToList();
        var bench = new BenchRun(instance, ScoringBenchmark.Candidates(instance, plans), plans, scenarios, stop);
        bench.MeasureAll(steps);
        if (bench.Rows.Count == 0)
        {
            bench.Errors.MarkupLine(Markup.Escape(bench.Interrupted.Count > 0
                ? "error: interrupted before anything was measured; nothing was written."
                : $"error: nothing was measured: {string.Join(", ", bench.Skipped.Select(s => s.Asked))} not usable on this machine. `allocator devices` lists what is."));
            return ExitCodes.Failed;
        }

        Print(instance, bench.Rows, machine.Found);
        if (jsonPath is not null)
        {
            AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(Document(instance, bench, machine), Json) + "\n");
            Console.Error.WriteLine($"Wrote {jsonPath}.");
        }

        return bench.Rows.All(r => r.Agrees) && bench.Failed.Count == 0 ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>Why a comma-separated option's words are refused (none named, or one not known), or null.</summary>
    private static string? Unknown(string[] words, List<string> known, bool allowNone = false) =>
        words.Length == 0 && !allowNone ? $"name at least one of: {string.Join(", ", known)}"
        : words.FirstOrDefault(w => !known.Contains(w)) is { } unknown ? $"'{unknown}' is not one of: {string.Join(", ", known)}"
        : null;

    /// <summary>The JSON people compare across machines: the machine, its devices, the instance, each row, and what was not measured.</summary>
    private static object Document(CompiledInstance instance, BenchRun bench, (List<DeviceInfo> Found, List<(DeviceInfo Device, string Why)> Unusable) devices) => new
    {
        date = DateTime.UtcNow,
        machine = new { cpu = CpuModel(), os = RuntimeInformation.OSDescription, cores = Environment.ProcessorCount, dotnet = Environment.Version.ToString() },
        devices = devices.Found,
        unusableDevices = devices.Unusable.Select(u => new { u.Device.Kind, u.Device.Name, why = u.Why }),
        instance = new { name = instance.Source.Name, pools = instance.PoolCount, leases = instance.LeaseCount, jobs = instance.JobCount, periods = instance.Periods },
        scorers = bench.Rows.Select(r => new
        {
            r.Device, r.Plans, r.Scenarios, r.ScoringSeconds, r.PairsPerSecond, r.SummarySeconds, r.SummaryPairsPerSecond, r.CheckedPairs, r.WorstDifference, r.Agrees,
            precision = ScoringArithmetic.Word(r.Precision), r.StatePlacement, r.Tolerance, r.WorstAgainstDouble,
            r.CompulsoryBytesPerPair, r.TouchedBytesPerPair, r.BandwidthGBps, r.MemoryBoundPairsPerSecond, r.ShareOfMemoryBound,
            float64OperationsPerPair = r.Work?.Float64PerPair, moneyProductsPerPair = r.Work?.MoneyProductsPerPair, operationsPerPair = r.Work?.OperationsPerPair,
            float64PeakPerSecond = r.Peak?.Float64PerSecond, float32PeakPerSecond = r.Peak?.Float32PerSecond,
            r.ArithmeticBoundPairsPerSecond, r.ShareOfArithmeticBound,
        }),
        interrupted = bench.Interrupted.Count > 0,
        skipped = bench.Skipped.Select(s => new { asked = s.Asked, reason = s.Reason }),
    };

    /// <summary>"all" is every device found (a GPU that is not there is skipped), the emulator and the reference.</summary>
    private static IEnumerable<string> Expand(string[] words, List<DeviceInfo> found)
    {
        if (!words.Contains("all"))
        {
            return words.Distinct();
        }

        var kinds = found.Select(d => d.Kind).ToHashSet();
        return GpuWords.Where(kinds.Contains).Concat(["cpu", "ilgpu-cpu", "reference"]);
    }

    /// <summary>Every measurement in order: per device, double before mixed (the mixed rows are compared with the first double row's scores).</summary>
    private static IEnumerable<BenchStep> Steps(
        IEnumerable<string> devices, List<ScoringPrecision> precisions, string[] stateWords, string[] cpuPathWords, List<int?> residencies)
    {
        foreach (var word in devices)
        {
            if (word == "reference")
            {
                yield return new BenchStep(word, ScoringPrecision.Double, KernelState.Auto, LaneWidth.Auto, null);
                continue;
            }

            foreach (var precision in precisions)
            {
                foreach (var (state, lanes) in Variants(word, precision, stateWords, cpuPathWords))
                {
                    // A residency is a launch bound of the global-state kernel on CUDA: elsewhere it has no meaning.
                    var bounded = word == "cuda" && state is KernelState.Auto or KernelState.Global;
                    foreach (var residency in bounded ? residencies : [null])
                    {
                        yield return new BenchStep(word, precision, state, lanes, residency);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The variants to run on a device: kernel states where there is a kernel (GPUs, the emulator), SIMD lanes or the
    /// scalar path on the CPU fast path (mixed precision: the scalar path only).
    /// </summary>
    private static IEnumerable<(KernelState State, LaneWidth? Lanes)> Variants(string word, ScoringPrecision precision, string[] stateWords, string[] cpuPathWords)
    {
        if (word == "cpu")
        {
            // The lanes are double precision only: mixed precision runs the scalar path, once.
            return precision == ScoringPrecision.Mixed ? [(KernelState.Auto, null)] : CpuPathWords.Where(w => cpuPathWords.Contains(w.Word)).Select(w => (KernelState.Auto, w.Width));
        }

        var states = stateWords.Contains("all") ? StateWords.Select(w => w.State) : StateWords.Where(w => stateWords.Contains(w.Word)).Select(w => w.State);
        return GpuWords.Contains(word) || word == "ilgpu-cpu" ? states.Select(s => (s, (LaneWidth?)LaneWidth.Auto)) : [(KernelState.Auto, LaneWidth.Auto)];
    }

    /// <summary>The device's figures, or null where it is absent or fails to start (said on the error stream): nothing in its place.</summary>
    internal static (ScorerSpeed Speed, ScoreMatrix Scores)? Measure(
        string word, ScorerOptions options, CompiledInstance instance, List<Assignment> candidates, int plans, int scenarios, ScoreMatrix? doublePath, Action<string> warn, CancellationToken stop)
    {
        var device = ScoringDevices.Words.First(w => w.Word == word).Device;
        using var scorer = BulkScorer.OpenExactly(device, warn, options);
        if (scorer is null)
        {
            return null;
        }

        // GPUs at full size; the CPU paths on a slice with as many pairs per plan, so that each takes seconds, not hours.
        var divisor = scorer.Description.StartsWith("ilgpu-cpu", StringComparison.Ordinal) ? 64 : scorer.Description.StartsWith("cpu", StringComparison.Ordinal) ? 4 : 1;
        return ScoringBenchmark.Measure(scorer, instance, candidates[..Math.Max(1, plans / divisor)], Math.Max(16, scenarios / divisor), doublePath, stop);
    }

    /// <summary>The processor's model as the system names it (Linux: /proc/cpuinfo), else its architecture.</summary>
    private static string CpuModel()
    {
        if (OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo"))
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
                {
                    return line[(colon + 1)..].Trim();
                }
            }
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>
    /// The devices ILGPU finds, and those it sees and cannot run its kernels on with why (what a machine has that no row
    /// measures): read once, for "all", the table and the JSON.
    /// </summary>
    private static (List<DeviceInfo> Found, List<(DeviceInfo Device, string Why)> Unusable) Devices()
    {
        using var context = DeviceCatalog.CreateContext();
        return ([.. DeviceCatalog.List(context)], [.. DeviceCatalog.Unusable(context)]);
    }

    private static void Print(CompiledInstance instance, List<ScorerSpeed> rows, List<DeviceInfo> devices)
    {
        var speed = Table($"Scoring on this machine: {instance.Source.Name} ({instance.PoolCount} pools, {instance.LeaseCount} leases, {instance.JobCount} jobs, {instance.Periods} periods)",
            "plans x scenarios", "pairs/s", "pairs/s with summaries", "kernel state", "agreement");
        foreach (var r in rows)
        {
            speed.AddRow(
                Markup.Escape(r.Device), $"{r.Plans:N0} x {r.Scenarios:N0}", Figures.Whole(r.PairsPerSecond), Figures.Whole(r.SummaryPairsPerSecond),
                Markup.Escape(r.StatePlacement ?? "-"), Markup.Escape(AgreementText(r)));
        }

        var bounds = Table("Bounds: what the device's probed memory and arithmetic allow",
            "bytes/pair: compulsory / touched", "memory GB/s", "memory bound, pairs/s", "share", "operations/pair (money)", "peak GFLOP/s fp64 / fp32", "arithmetic bound, pairs/s", "share");
        foreach (var r in rows.Where(r => r.Peak is not null))
        {
            bounds.AddRow(
                Markup.Escape(r.Device), $"{Figures.Whole(r.CompulsoryBytesPerPair ?? 0)} / {Figures.Whole(r.TouchedBytesPerPair ?? 0)}", Figures.Whole(r.BandwidthGBps ?? 0),
                Figures.Whole(r.MemoryBoundPairsPerSecond ?? 0), Percent(r.ShareOfMemoryBound),
                $"{Figures.Whole(r.Work!.OperationsPerPair)} ({Figures.Whole(2 * r.Work.MoneyProductsPerPair)})", $"{Figures.Whole(r.Peak!.Float64PerSecond / 1e9)} / {Figures.Whole(r.Peak.Float32PerSecond / 1e9)}",
                Figures.Whole(r.ArithmeticBoundPairsPerSecond ?? 0), Percent(r.ShareOfArithmeticBound));
        }

        foreach (var d in devices.Where(d => d.Kind != "ilgpu-cpu"))
        {
            Console.WriteLine($"{d.Kind}: {d.Name}, {d.MemoryBytes / (1L << 30):N0} GiB, {d.ComputeUnits} compute units{(d.Architecture is { } a ? $", {a}" : string.Empty)}{(d.Driver is { } v ? $", driver {v}" : string.Empty)}");
        }

        Console.WriteLine($"cpu: {CpuModel()}, {Environment.ProcessorCount} threads, {RuntimeInformation.OSDescription}");
        AnsiConsole.Write(speed);
        AnsiConsole.Write(bounds);
        Console.WriteLine("Memory bound: the probed bandwidth over the bytes a pair must move whatever the caches do (its outcomes, and its share of the scenario table and plan columns). Touched: every byte the scoring code reads or writes, counted by running it: its traffic if nothing were cached.");
        Console.WriteLine("Arithmetic bound: the probed peak (fused multiply-add chains, two operations each) over the floating-point operations a pair does, counted by running it; on the mixed path the money multiplications count at the float32 peak. Integer and address arithmetic are not counted.");
    }

    private static Table Table(string title, params string[] headings)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title)).AddColumn("scorer");
        foreach (var heading in headings)
        {
            table.AddColumn(new TableColumn(heading).RightAligned());
        }

        return table;
    }

    private static string Percent(double? share) => share is { } s ? Figures.Percent(s) : "-";

    private static string AgreementText(ScorerSpeed r) =>
        r.CheckedPairs == 0 ? "(is the reference)"
        : $"{(r.Agrees ? "yes" : "NO")}: {r.CheckedPairs} pairs with the reference, max relative difference {r.WorstDifference:0.0E+0}"
          + (r.WorstAgainstDouble is { } d ? $"; all pairs with the double path, {d:0.0E+0} (bound {r.Tolerance:0.0E+0})" : string.Empty);
}
