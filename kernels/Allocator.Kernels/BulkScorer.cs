using System.Diagnostics;
using System.Numerics;
using Allocator.Core.Evaluation;
using Allocator.Core.Scenarios;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.OpenCL;

namespace Allocator.Kernels;

using DeviceFleet = FleetData<ViewColumn<int>, ViewColumn<double>>;
using DevicePlans = PlanData<ViewColumn<int>, ViewColumn<double>>;

/// <summary>Where scoring runs.</summary>
public enum ScoringDevice
{
    /// <summary>CUDA, else an OpenCL GPU, else the CPU fast path.</summary>
    Auto,

    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend.</summary>
    Cuda,

    /// <summary>An OpenCL GPU (OpenCL devices that are CPUs are not used: ILGPU's algorithms fail on them).</summary>
    OpenCL,

    /// <summary>The multi-threaded C# fast path over the same per-pair logic.</summary>
    Cpu,

    /// <summary>ILGPU's CPU accelerator: runs the real kernel in emulation (for tests: far slower than the C# fast path).</summary>
    IlgpuCpu,
}

/// <summary>How each device is named on the command line, in <c>allocator devices</c> and in the docs: one list.</summary>
public static class ScoringDevices
{
    /// <summary>Every device choice with its word.</summary>
    public static IReadOnlyList<(string Word, ScoringDevice Device)> Words { get; } =
    [
        ("auto", ScoringDevice.Auto),
        ("cuda", ScoringDevice.Cuda),
        ("opencl", ScoringDevice.OpenCL),
        ("cpu", ScoringDevice.Cpu),
        ("ilgpu-cpu", ScoringDevice.IlgpuCpu),
    ];

    /// <summary>The word for <paramref name="device"/>.</summary>
    public static string Word(ScoringDevice device) => Words.First(w => w.Device == device).Word;
}

/// <summary>
/// Scores many candidate plans against many scenarios in one call, on a GPU through ILGPU or on the CPU fast path.
/// The kernel is compiled once per scorer; create one and reuse it.
/// </summary>
public sealed partial class BulkScorer : IPlanScorer, IDisposable
{
    // Threads per plan in the summary kernel: enough to keep each step of the sort short, few enough that a group of
    // 1,000 scenarios is not mostly idle.
    private const int SummaryGroupSize = 256;

    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly ScorerOptions _options;
    private readonly Action<Index1D, DeviceFleet, ViewColumn<double>, ScoreParams>? _drawKernel;
    private readonly Action<KernelConfig, OutcomeData<ViewColumn<double>>, ViewColumn<double>, ViewColumn<double>, int, double>? _summaryKernel;
    private readonly DeviceWorkspace? _workspace;
    private readonly bool _fastPath;
    private readonly Lock _cpuTablesLock = new();
    private ((CompiledInstance Instance, ulong Seed, long Offset, int Scenarios, int Lanes) Key, double[] Tables)? _cpuTables;

    private BulkScorer(Context context, Accelerator accelerator, bool fastPath, string description, ScorerOptions options)
    {
        _context = context;
        _accelerator = accelerator;
        _fastPath = fastPath;
        _options = options;
        Description = options.Precision == ScoringPrecision.Double ? description : $"{description}, {ScoringArithmetic.Word(options.Precision)} precision";
        if (!fastPath)
        {
            _workspace = new DeviceWorkspace(accelerator);
            _drawKernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, DeviceFleet, ViewColumn<double>, ScoreParams>(DrawKernel);
            _summaryKernel = accelerator.LoadStreamKernel<OutcomeData<ViewColumn<double>>, ViewColumn<double>, ViewColumn<double>, int, double>(SummaryKernel);
        }
    }

    /// <summary>The precision this scorer computes in.</summary>
    public ScoringPrecision Precision => _options.Precision;

    /// <summary>What scores: backend and device name.</summary>
    public string Description { get; }

    /// <summary>
    /// Opens the requested device. <see cref="ScoringDevice.Auto"/> takes CUDA, then an OpenCL GPU, else the CPU fast
    /// path. A GPU that fails to start is reported to <paramref name="warn"/> and the CPU fast path is used instead.
    /// </summary>
    public static BulkScorer Create(ScoringDevice device, Action<string>? warn = null, ScorerOptions? options = null) =>
        Open(device, warn, options ?? ScorerOptions.Default, fallBack: true)!;

    /// <summary>
    /// Opens exactly the requested device, for measuring it (<c>allocator bench</c>): where a GPU asked for is absent or
    /// fails to start, <paramref name="warn"/> is told why and there is no scorer (null), rather than the CPU in its place.
    /// </summary>
    public static BulkScorer? OpenExactly(ScoringDevice device, Action<string>? warn = null, ScorerOptions? options = null) =>
        Open(device, warn, options ?? ScorerOptions.Default, fallBack: false);

    private static BulkScorer? Open(ScoringDevice device, Action<string>? warn, ScorerOptions options, bool fallBack)
    {
        var instead = fallBack ? "scoring on the CPU fast path instead" : "skipped";
        var context = device is ScoringDevice.Cpu or ScoringDevice.IlgpuCpu ? DeviceCatalog.CreateCpuContext() : DeviceCatalog.CreateContext();
        try
        {
            foreach (var gpu in GpuKinds.Where(g => device == ScoringDevice.Auto || device == g.Device))
            {
                if (gpu.Find(context) is { } found && TryOpen(context, found, warn, options, instead) is { } scorer)
                {
                    return scorer;
                }

                if (device == gpu.Device)
                {
                    warn?.Invoke($"{gpu.Absent(context)}; {instead}.");
                    if (!fallBack)
                    {
                        context.Dispose();
                        return null;
                    }
                }
            }

            var cpu = context.CreateCPUAccelerator(0);
            return device == ScoringDevice.IlgpuCpu
                ? new BulkScorer(context, cpu, fastPath: false, $"{ScoringDevices.Word(ScoringDevice.IlgpuCpu)} (ILGPU's CPU accelerator, emulated kernel)", options)
                : new BulkScorer(context, cpu, fastPath: true, $"{ScoringDevices.Word(ScoringDevice.Cpu)} (C# fast path, {Environment.ProcessorCount} threads, {CpuWidth(options)})", options);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The GPUs a scorer may run on, in the order <see cref="ScoringDevice.Auto"/> tries them: how each is found in a
    /// context, and what is said when the one asked for is not there. OpenCL devices that are CPUs are not used.
    /// </summary>
    private static readonly (ScoringDevice Device, Func<Context, Device?> Find, Func<Context, string> Absent)[] GpuKinds =
    [
        (ScoringDevice.Cuda, c => c.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.Cuda), _ => "no usable CUDA device"),
        (ScoringDevice.OpenCL,
            c => c.Devices.OfType<CLDevice>().FirstOrDefault(d => d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU),
            c => $"no usable OpenCL GPU{string.Concat(DeviceCatalog.Unusable(c).Select(u => $" ('{u.Device.Name}': {u.Why})"))}"),
    ];

    private static string CpuWidth(ScorerOptions options) =>
        Layout(CpuLanes(options)) is var (lanes, vectors) && lanes > 1 ? $"{lanes} SIMD lanes of {vectors} bits" : "scalar";

    /// <summary>
    /// How the CPU fast path lays its lanes: as the options ask or, by default, two vectors side by side, 512-bit ones
    /// (16 doubles) where the runtime computes them in hardware (it does not where they slow the clock), else two of
    /// <see cref="Vector{T}"/> (8 doubles with AVX2): the fastest layouts measured (RESULTS.md, "Wider blocks of lanes").
    /// Null: the scalar path (mixed precision, no SIMD, or not asked for).
    /// </summary>
    private static LaneWidth? CpuLanes(ScorerOptions options) =>
        !options.CpuLanes || options.Precision != ScoringPrecision.Double || !Vector.IsHardwareAccelerated ? null
        : options.CpuLaneWidth != LaneWidth.Auto ? options.CpuLaneWidth
        : Vector512Lanes.IsHardwareAccelerated ? LaneWidth.TwinVector512
        : LaneWidth.TwinVector;

    /// <summary>Scenarios per block of lanes, and the vectors they are computed in (one lane: the scalar path).</summary>
    private static (int Lanes, string Vectors) Layout(LaneWidth? width) => width switch
    {
        LaneWidth.Vector512 => (Vector512Lanes.Count, $"{Vector512Lanes.Bits}"),
        LaneWidth.Vector => (VectorLanes.Count, $"{VectorLanes.Bits}"),
        LaneWidth.TwinVector => (TwinLanes<VectorLanes>.Count, $"2 x {VectorLanes.Bits}"),
        LaneWidth.TwinVector512 => (TwinLanes<Vector512Lanes>.Count, $"2 x {Vector512Lanes.Bits}"),
        _ => (1, "64"),
    };

    private static BulkScorer? TryOpen(Context context, Device device, Action<string>? warn, ScorerOptions options, string instead)
    {
        Accelerator? accelerator = null;
        try
        {
            accelerator = device.CreateAccelerator(context);
            var kind = ScoringDevices.Word(device.AcceleratorType == AcceleratorType.Cuda ? ScoringDevice.Cuda : ScoringDevice.OpenCL);
            return new BulkScorer(context, accelerator, fastPath: false, $"{kind} ({device.Name})", options);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            accelerator?.Dispose();
            warn?.Invoke($"{device.Name} failed to start ({e.GetType().Name}: {e.Message}); {instead}.");
            return null;
        }
    }

    /// <summary>
    /// Scores every plan in scenarios <paramref name="scenarioOffset"/> .. + <paramref name="scenarios"/> - 1 of
    /// <paramref name="seed"/>. Scenario k is the same draw whatever the offset, batch or device.
    /// </summary>
    public ScoreMatrix Score(CompiledInstance instance, IReadOnlyList<Assignment> plans, ulong seed, int scenarios, long scenarioOffset = 0)
    {
        var laid = Lay(instance, plans);
        var batch = ScenariosPerCall(instance, plans.Count);
        if (scenarios > batch && plans.Count > 0)
        {
            var (joined, time) = InBatches(laid, seed, scenarios, scenarioOffset, batch);
            return new ScoreMatrix(plans.Count, scenarios, joined, time);
        }

        var (parts, _, elapsed) = Execute(laid, seed, scenarios, scenarioOffset, alpha: null);
        return new ScoreMatrix(plans.Count, scenarios, parts!, elapsed);
    }

    /// <summary>
    /// Scores like <see cref="Score"/> but returns only each plan's <see cref="RiskSummary"/>, computed where the
    /// outcomes are (on the device for GPU runs), so a dozen numbers per plan come back instead of every pair.
    /// </summary>
    public RiskReport Summarize(CompiledInstance instance, IReadOnlyList<Assignment> plans, ulong seed, int scenarios, double alpha, long scenarioOffset = 0) =>
        Summarize(Lay(instance, plans), seed, scenarios, alpha, scenarioOffset);

    /// <summary>
    /// Lays <paramref name="plans"/> out as the scorer reads them. Pure and thread-safe: a search prepares its next
    /// batch on the host while this scorer works on the current one.
    /// </summary>
    public PreparedPlans Prepare(CompiledInstance instance, IReadOnlyList<Assignment> plans) => Lay(instance, plans);

    private static PreparedPlans Lay(CompiledInstance instance, IReadOnlyList<Assignment> plans)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(plans);
        return new PreparedPlans(instance, plans, plans.Count == 0 ? null : HostData.Plans(instance, plans));
    }

    /// <summary><see cref="Summarize(CompiledInstance, IReadOnlyList{Assignment}, ulong, int, double, long)"/> of plans laid out ahead.</summary>
    public RiskReport Summarize(PreparedPlans plans, ulong seed, int scenarios, double alpha, long scenarioOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(plans);
        if (alpha is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha is the share of worst scenarios CVaR averages: in (0, 1].");
        }

        var batch = ScenariosPerCall(plans.Instance, plans.Count);
        var (_, summary, elapsed) = scenarios > batch && plans.Count > 0 ? SummaryInBatches(plans, seed, scenarios, scenarioOffset, batch, alpha) : Execute(plans, seed, scenarios, scenarioOffset, alpha);
        var risks = Enumerable.Range(0, plans.Count).Select(n =>
        {
            var f = summary!.AsSpan(n * RiskKernels.Fields, RiskKernels.Fields);
            return new RiskSummary(scenarios, f[0], f[1], alpha, f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9]);
        }).ToList();
        return new RiskReport(risks, elapsed);
    }

    private (double[][]? Parts, double[]? Summary, TimeSpan Elapsed) Execute(
        PreparedPlans plans, ulong seed, int scenarios, long scenarioOffset, double? alpha)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scenarios, 1);
        if (plans.Data is not { } candidates)
        {
            // Nothing to score; devices reject an empty launch grid.
            return ([.. Enumerable.Range(0, 6).Select(_ => Array.Empty<double>())], [], TimeSpan.Zero);
        }

        var instance = plans.Instance;
        var p = ScoreParams.For(instance, plans.Count, scenarios, scenarioOffset, seed) with { WindowCapacity = candidates.LongestWindow(instance.Periods) };
        if ((long)scenarios * p.TableStride > int.MaxValue)
        {
            // The scenario tables are addressed with 32-bit offsets (Strided).
            throw new ArgumentOutOfRangeException(nameof(scenarios), scenarios, $"At most {int.MaxValue / p.TableStride:N0} scenarios per call for this instance: score in batches with scenario offsets (scenario k is the same draw in any batch).");
        }

        var pairs = Math.Max(1, p.Pairs);
        if (_fastPath)
        {
            double[][] parts = [.. Enumerable.Range(0, 6).Select(_ => new double[pairs])];
            var clock = Stopwatch.StartNew();
            var outcomes = Outcomes(parts);
            var (fleet, planColumns) = (HostData.Fleet(instance).FleetOnHost(), candidates.PlansOnHost());
            if (_options.Precision == ScoringPrecision.Mixed)
            {
                ScoreOnCpu<MixedArithmetic>(fleet, planColumns, CpuTables(instance, fleet, p, lanes: 1), outcomes, p);
            }
            else if (UsesLanes(p) is { } width)
            {
                var tables = CpuTables(instance, fleet, p, Layout(width).Lanes);
                switch (width)
                {
                    case LaneWidth.Vector512:
                        ScoreInLanes<Vector512Lanes>(fleet, planColumns, tables, outcomes, p);
                        break;
                    case LaneWidth.TwinVector:
                        ScoreInLanes<TwinLanes<VectorLanes>>(fleet, planColumns, tables, outcomes, p);
                        break;
                    case LaneWidth.TwinVector512:
                        ScoreInLanes<TwinLanes<Vector512Lanes>>(fleet, planColumns, tables, outcomes, p);
                        break;
                    default:
                        ScoreInLanes<VectorLanes>(fleet, planColumns, tables, outcomes, p);
                        break;
                }
            }
            else
            {
                ScoreOnCpu<DoubleArithmetic>(fleet, planColumns, CpuTables(instance, fleet, p, lanes: 1), outcomes, p);
            }

            if (alpha is { } a)
            {
                return (null, SummaryOnHost(parts, plans.Count, scenarios, a), clock.Elapsed);
            }

            return (parts, null, clock.Elapsed);
        }

        // One call at a time per device: the workspace's buffers are shared between calls.
        lock (_workspace!)
        {
            var deviceFleet = _workspace.Fleet(instance);
            var devicePlans = _workspace.Plans(candidates);
            var outcomes = _workspace.Outcomes(pairs);
            var (tables, drawn) = _workspace.Tables(instance, seed, scenarioOffset, scenarios, p.TableStride);
            var placement = Placement(p);
            // Grid-stride: one wave of threads, each scoring pair after pair.
            var threads = PairThreads(placement, p);
            var scratch = placement.State == KernelState.Global ? _workspace.Scratch(threads * p.ScratchStride) : default;
            var jobScratch = placement.State == KernelState.Global ? _workspace.JobScratch(threads * PairScorer.JobSlots(p.Jobs)) : default;
            _accelerator.Synchronize();
            var clock = Stopwatch.StartNew();

            // Scenarios are drawn on the device once per (instance, seed, range), since a search scores batch
            // after batch against the same scenarios; then every pair reads its scenario's table.
            if (!drawn)
            {
                _drawKernel!(scenarios, deviceFleet, tables, p);
                _workspace.MarkDrawn(instance, seed, scenarioOffset, scenarios);
            }

            LaunchPairKernel(placement, threads, deviceFleet, devicePlans, tables, scratch, jobScratch, outcomes, p);

            if (alpha is { } a)
            {
                var (totals, summary) = _workspace.Summaries(pairs, plans.Count * RiskKernels.Fields);
                var group = Math.Min(SummaryGroupSize, _accelerator.MaxNumThreadsPerGroup);
                _summaryKernel!(new KernelConfig(plans.Count, group), outcomes, totals, summary, scenarios, a);
                _accelerator.Synchronize();
                return (null, _workspace.DownloadSummary(plans.Count * RiskKernels.Fields), clock.Elapsed);
            }

            _accelerator.Synchronize();
            var elapsed = clock.Elapsed;
            return (_workspace.DownloadOutcomes(pairs), null, elapsed);
        }
    }

    private static OutcomeData<ArrayColumn<double>> Outcomes(double[][] parts) =>
        new(new(parts[0]), new(parts[1]), new(parts[2]), new(parts[3]), new(parts[4]), new(parts[5]));

    /// <summary>Draws scenario <c>ScenarioOffset + k</c> into table k (interleaved: value v of scenario k at v * S + k).</summary>
    private static void DrawKernel(Index1D k, DeviceFleet fleet, ViewColumn<double> tables, ScoreParams p) =>
        ScenarioSampler.Draw(p.ScenarioOffset + k.X, fleet, new Strided<ViewColumn<double>, double>(tables, k.X, p.Scenarios), p);

    /// <summary>The summary kernel: one thread group per plan (<see cref="RiskKernels.SummarizeInGroup"/>).</summary>
    private static void SummaryKernel(OutcomeData<ViewColumn<double>> outcomes, ViewColumn<double> totals, ViewColumn<double> output, int scenarios, double alpha) =>
        RiskKernels.SummarizeInGroup(outcomes, totals, output, scenarios, alpha);

    internal static void Write<TDouble>(in OutcomeData<TDouble> outcomes, long pair, Core.Scenarios.ScenarioOutcome o)
        where TDouble : struct, IColumn<double>
    {
        var (lease, penalty, job, spot, power, shortHours) = outcomes;
        lease[pair] = o.LeaseRevenue;
        penalty[pair] = o.Penalty;
        job[pair] = o.JobValue;
        spot[pair] = o.SpotRevenue;
        power[pair] = o.PowerCost;
        shortHours[pair] = o.ShortGpuHours;
    }

    /// <summary>
    /// The scenario tables of this call on the CPU fast path, drawn in parallel (lane-blocked and padded to whole blocks
    /// for the SIMD path, one contiguous table per scenario for the scalar one, <paramref name="lanes"/> 1); kept for the
    /// next call, since a search scores batch after batch against the same scenarios (as the device workspace keeps them
    /// on a GPU).
    /// </summary>
    private double[] CpuTables(CompiledInstance instance, FleetData<ArrayColumn<int>, ArrayColumn<double>> fleet, ScoreParams p, int lanes)
    {
        var key = (instance, p.Seed, p.ScenarioOffset, p.Scenarios, lanes);
        lock (_cpuTablesLock)
        {
            if (_cpuTables is { } kept && kept.Key == key)
            {
                return kept.Tables;
            }
        }

        var scenarios = LaneBlocks.Padded(p.Scenarios, lanes);
        var tables = new double[scenarios * p.TableStride];
        var column = new ArrayColumn<double>(tables);
        Parallel.For(0, scenarios, k => ScenarioSampler.Draw(
            p.ScenarioOffset + k, fleet, LaneBlocks.TableOf(column, k, p.TableStride, lanes), p));
        lock (_cpuTablesLock)
        {
            _cpuTables = (key, tables);
        }

        return tables;
    }

    /// <summary>
    /// The lanes the CPU fast path scores this call in (<see cref="CpuLanes(ScorerOptions)"/>); null (the scalar path)
    /// where the padded lane-blocked tables would pass 2^31 elements.
    /// </summary>
    private LaneWidth? UsesLanes(ScoreParams p) =>
        CpuLanes(_options) is { } width && (long)LaneBlocks.Padded(p.Scenarios, Layout(width).Lanes) * p.TableStride <= int.MaxValue ? width : null;

    /// <summary>
    /// The CPU fast path in SIMD lanes: scenario tables drawn in parallel, lane-blocked (padded to whole blocks with the
    /// next scenarios' draws, scored and dropped), then plain threads over contiguous ranges of (block, plan): each block
    /// of scenarios is scored against every plan while its tables sit in the core's cache.
    /// </summary>
    private static void ScoreInLanes<TLanes>(FleetData<ArrayColumn<int>, ArrayColumn<double>> fleet, PlanData<ArrayColumn<int>, ArrayColumn<double>> plans, double[] tables, OutcomeData<ArrayColumn<double>> outcomes, ScoreParams p)
        where TLanes : struct, ILaneVector<TLanes>
    {
        var W = TLanes.Count;
        var blocks = LaneBlocks.Padded(p.Scenarios, W) / W;
        var units = (long)p.Plans * blocks;
        var tile = LaneBlocks.PlansPerTile(p);
        var workers = (int)Math.Max(1, Math.Min(Environment.ProcessorCount, units));
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
        {
            var state = new LaneState<TLanes>(p.Jobs, p.Pools, p.Sites, p.Periods);
            for (var unit = units * worker / workers; unit < units * (worker + 1) / workers; unit++)
            {
                var (block, plan) = LaneBlocks.Unit(unit, tile, blocks, p.Plans);
                LanePairScorer<TLanes>.Score(plan, block * W, Math.Min(W, p.Scenarios - block * W), fleet, plans, tables, state, outcomes, p);
            }
        });
    }

    /// <summary>
    /// The CPU fast path: scenario tables drawn in parallel, then plain threads over contiguous ranges of pairs, calling
    /// the same per-pair method on plain arrays (never through ILGPU's emulator or views).
    /// </summary>
    private static void ScoreOnCpu<TArithmetic>(FleetData<ArrayColumn<int>, ArrayColumn<double>> fleet, PlanData<ArrayColumn<int>, ArrayColumn<double>> plans, double[] drawn, OutcomeData<ArrayColumn<double>> outcomes, ScoreParams p)
        where TArithmetic : struct, IScoringArithmetic
    {
        var tables = new ArrayColumn<double>(drawn);
        var workers = (int)Math.Max(1, Math.Min(Environment.ProcessorCount, p.Pairs));
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
        {
            var slice = new Strided<ArrayColumn<double>, double>(new ArrayColumn<double>(new double[p.ScratchStride]), 0, 1);
            var jobs = new Strided<ArrayColumn<int>, int>(new ArrayColumn<int>(new int[PairScorer.JobSlots(p.Jobs)]), 0, 1);
            var first = p.Pairs * worker / workers;
            var last = p.Pairs * (worker + 1) / workers;
            for (var pair = first; pair < last; pair++)
            {
                Write(outcomes, pair, PairScorer.Score((int)(pair / p.Scenarios), fleet, plans, new Strided<ArrayColumn<double>, double>(tables, (int)(pair % p.Scenarios) * p.TableStride, 1), slice, jobs, p, default(TArithmetic)));
            }
        });
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _workspace?.Dispose();
        _accelerator.Dispose();
        _context.Dispose();
    }
}

/// <summary>How a scorer computes: its precision, and (for comparisons) whether the kernel keeps its state in global memory.</summary>
/// <param name="Precision">Double (the default) or mixed (<see cref="ScoringPrecision.Mixed"/>).</param>
/// <param name="State">Where a GPU kernel keeps each pair's state: <see cref="KernelState.Auto"/> unless comparing placements.</param>
/// <param name="CpuLanes">
/// The CPU fast path scores a block of scenarios in SIMD lanes (double precision); false: one pair at a time, the
/// scalar path, for comparisons.
/// </param>
/// <param name="CpuLaneWidth">How those lanes are laid out: <see cref="LaneWidth.Auto"/> unless comparing widths.</param>
/// <param name="ThreadsPerMultiprocessor">
/// On CUDA with the state in global memory: the threads each multiprocessor must be able to hold at once. The kernel is
/// then compiled with launch bounds, so the compiler caps each thread's registers to fit (spilling if it must), and one
/// wave runs that many threads per multiprocessor. Null: the compiler's own register count and the driver's occupancy.
/// </param>
public sealed record ScorerOptions(ScoringPrecision Precision = ScoringPrecision.Double, KernelState State = KernelState.Auto, bool CpuLanes = true, int? ThreadsPerMultiprocessor = null, LaneWidth CpuLaneWidth = LaneWidth.Auto)
{
    /// <summary>Double precision, the kernel's state where it scores fastest.</summary>
    public static ScorerOptions Default { get; } = new();

    /// <summary>
    /// Bytes of scenario tables one call may hold (the fast path on the host, a GPU on the device): a call of more
    /// scenarios is scored in batches (<see cref="BulkScorer.ScenariosPerCall"/>). 64 MiB: colossus, 6,792 scenarios a
    /// call; as fast as 256 MiB on a large `score` and 2.4 times less memory (RESULTS.md, "A large score").
    /// </summary>
    public long TableBytesPerCall { get; init; } = 1L << 26;
}

/// <summary>How the CPU fast path lays out its SIMD lanes (one scenario per lane).</summary>
public enum LaneWidth
{
    /// <summary>Two 512-bit vectors side by side where the runtime computes them fast, else two of Vector's width.</summary>
    Auto,

    /// <summary>One 512-bit vector: 8 doubles (emulated, slowly, without AVX-512).</summary>
    Vector512,

    /// <summary>One <see cref="System.Numerics.Vector{T}"/>: 4 doubles with AVX2 or AVX-512, 2 with NEON.</summary>
    Vector,

    /// <summary>Two <see cref="System.Numerics.Vector{T}"/> side by side: 8 doubles with AVX2, 4 with NEON.</summary>
    TwinVector,

    /// <summary>Two 512-bit vectors side by side: 16 doubles.</summary>
    TwinVector512,
}

/// <summary>Where a GPU kernel keeps each pair's working state (job progress, free GPUs, power left).</summary>
public enum KernelState
{
    /// <summary>Where it measured fastest (benchmarks/RESULTS.md): see <see cref="BulkScorer"/>.</summary>
    Auto,

    /// <summary>The group's shared memory, interleaved by thread; needs a warp's state to fit in 48 KiB.</summary>
    Shared,

    /// <summary>Each thread's local memory (cached in L1, written back, 32-bit addressed), up to a compiled maximum.</summary>
    Local,

    /// <summary>A slice of one global scratch buffer per thread, interleaved: any size (the fallback).</summary>
    Global,
}

/// <summary>Candidate plans laid out for a scorer (by <see cref="IPlanScorer.Prepare"/>), with their instance.</summary>
public sealed class PreparedPlans
{
    internal PreparedPlans(CompiledInstance instance, IReadOnlyList<Assignment> plans, HostData? data)
    {
        Instance = instance;
        Plans = plans;
        Data = data;
    }

    /// <summary>The plans, as given.</summary>
    public IReadOnlyList<Assignment> Plans { get; }

    /// <summary>The instance the plans belong to.</summary>
    public CompiledInstance Instance { get; }

    /// <summary>How many plans.</summary>
    public int Count => Plans.Count;

    /// <summary>The flat arrays the scorer reads; null when there are no plans.</summary>
    internal HostData? Data { get; }
}
