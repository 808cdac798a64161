using System.Diagnostics;
using Allocator.Core.Evaluation;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.OpenCL;

namespace Allocator.Kernels;

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

    /// <summary>ILGPU's CPU accelerator: runs the real kernel in emulation (tests; about 30x slower than C#).</summary>
    IlgpuCpu,
}

/// <summary>
/// Scores many candidate plans against many scenarios in one call, on a GPU through ILGPU or on the CPU fast path.
/// The kernel is compiled once per scorer; create one and reuse it.
/// </summary>
public sealed class BulkScorer : IDisposable
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly Action<Index1D, FleetViews, ArrayView1D<double, Stride1D.Dense>, ScoreParams>? _drawKernel;
    private readonly Action<Index1D, FleetViews, PlanViews, ArrayView1D<double, Stride1D.Dense>, ArrayView1D<double, Stride1D.Dense>, OutcomeViews, ScoreParams, long>? _kernel;
    private readonly bool _fastPath;

    private BulkScorer(Context context, Accelerator accelerator, bool fastPath, string description)
    {
        _context = context;
        _accelerator = accelerator;
        _fastPath = fastPath;
        Description = description;
        if (!fastPath)
        {
            _drawKernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, FleetViews, ArrayView1D<double, Stride1D.Dense>, ScoreParams>(DrawKernel);
            _kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, FleetViews, PlanViews, ArrayView1D<double, Stride1D.Dense>, ArrayView1D<double, Stride1D.Dense>, OutcomeViews, ScoreParams, long>(ScoreKernel);
        }
    }

    /// <summary>What scores: backend and device name.</summary>
    public string Description { get; }

    /// <summary>
    /// Opens the requested device. <see cref="ScoringDevice.Auto"/> takes CUDA, then an OpenCL GPU, else the CPU fast
    /// path. A GPU that fails to start is reported to <paramref name="warn"/> and the CPU fast path is used instead.
    /// </summary>
    public static BulkScorer Create(ScoringDevice device, Action<string>? warn = null)
    {
        var context = DeviceCatalog.CreateContext();
        try
        {
            if (device is ScoringDevice.Auto or ScoringDevice.Cuda)
            {
                if (context.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.Cuda) is { } cuda && TryOpen(context, cuda, warn) is { } scorer)
                {
                    return scorer;
                }

                if (device == ScoringDevice.Cuda)
                {
                    warn?.Invoke("no usable CUDA device; scoring on the CPU fast path instead.");
                }
            }

            if (device is ScoringDevice.Auto or ScoringDevice.OpenCL)
            {
                var gpu = context.Devices.OfType<CLDevice>().FirstOrDefault(d => d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU);
                if (gpu is not null && TryOpen(context, gpu, warn) is { } scorer)
                {
                    return scorer;
                }

                if (device == ScoringDevice.OpenCL)
                {
                    warn?.Invoke("no usable OpenCL GPU; scoring on the CPU fast path instead.");
                }
            }

            var cpu = context.CreateCPUAccelerator(0);
            return device == ScoringDevice.IlgpuCpu
                ? new BulkScorer(context, cpu, fastPath: false, "ilgpu-cpu (ILGPU's CPU accelerator, emulated kernel)")
                : new BulkScorer(context, cpu, fastPath: true, $"cpu (C# fast path, {Environment.ProcessorCount} threads)");
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static BulkScorer? TryOpen(Context context, Device device, Action<string>? warn)
    {
        Accelerator? accelerator = null;
        try
        {
            accelerator = device.CreateAccelerator(context);
            var kind = device.AcceleratorType == AcceleratorType.Cuda ? "cuda" : "opencl";
            return new BulkScorer(context, accelerator, fastPath: false, $"{kind} ({device.Name})");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            accelerator?.Dispose();
            warn?.Invoke($"{device.Name} failed to start ({e.GetType().Name}: {e.Message}); scoring on the CPU fast path instead.");
            return null;
        }
    }

    /// <summary>
    /// Scores every plan in scenarios <paramref name="scenarioOffset"/> .. + <paramref name="scenarios"/> - 1 of
    /// <paramref name="seed"/>. Scenario k is the same draw whatever the offset, batch or device.
    /// </summary>
    public ScoreMatrix Score(CompiledInstance instance, IReadOnlyList<Assignment> plans, ulong seed, int scenarios, long scenarioOffset = 0)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentOutOfRangeException.ThrowIfLessThan(scenarios, 1);
        using var fleet = FleetBuffers.Upload(_accelerator, instance);
        using var planBuffers = PlanBuffers.Upload(_accelerator, instance, plans);
        var u = instance.Source.Uncertainty;
        var p = new ScoreParams(
            instance.Periods, instance.PoolCount, instance.SiteCount, instance.JobCount, instance.DeliveryPool.Length, plans.Count, scenarios,
            scenarioOffset, seed, instance.PeriodHours, instance.SellThrough, instance.SpotPricePerGpuHour,
            u?.DeliverySlip?.Probability ?? 0, u?.DeliverySlip?.MaxPeriods ?? 0, u?.Outage?.Mean ?? 0, u?.Outage?.Max ?? 0,
            u?.JobOverrun?.Probability ?? 0, u?.JobOverrun?.MaxFraction ?? 0, u is { JobSuccess: true } ? 1 : 0, u?.SpotVolatility ?? 0,
            Math.Max(1, PairScorer.ScratchStride(instance.JobCount, instance.PoolCount, instance.SiteCount)),
            ScenarioSampler.TableStride(instance.Periods, instance.PoolCount, instance.SiteCount, instance.JobCount));

        var parts = Enumerable.Range(0, 6).Select(_ => _accelerator.Allocate1D<double>(Math.Max(1, p.Pairs))).ToArray();
        try
        {
            var outcomes = new OutcomeViews(parts[0].View, parts[1].View, parts[2].View, parts[3].View, parts[4].View, parts[5].View);
            using var tables = _accelerator.Allocate1D<double>((long)scenarios * p.TableStride);
            var clock = Stopwatch.StartNew();
            if (_fastPath)
            {
                ScoreOnCpu(fleet.Views, planBuffers.Views, tables.View, outcomes, p);
            }
            else
            {
                // Scenarios are drawn on the device, once each, then every pair reads its scenario's table.
                _drawKernel!(scenarios, fleet.Views, tables.View, p);

                // Grid-stride: as many threads as the device runs at once, each with its own scratch slice.
                var threads = Math.Max(1, Math.Min(p.Pairs, (long)_accelerator.MaxNumThreads));
                using var scratch = _accelerator.Allocate1D<double>(threads * p.ScratchStride);
                _kernel!((int)threads, fleet.Views, planBuffers.Views, tables.View, scratch.View, outcomes, p, threads);
                _accelerator.Synchronize();
            }

            var elapsed = clock.Elapsed;
            return new ScoreMatrix(plans.Count, scenarios, [.. parts.Select(b => b.GetAsArray1D())], elapsed, Description);
        }
        finally
        {
            foreach (var buffer in parts)
            {
                buffer.Dispose();
            }
        }
    }

    /// <summary>Draws scenario <c>ScenarioOffset + k</c> into table k (interleaved: value v of scenario k at v * S + k).</summary>
    private static void DrawKernel(Index1D k, FleetViews fleet, ArrayView1D<double, Stride1D.Dense> tables, ScoreParams p) =>
        ScenarioSampler.Draw(p.ScenarioOffset + k.X, fleet, new Strided(tables, k.X, p.Scenarios), p);

    /// <summary>The pair kernel: maps threads to pairs; all scoring logic is in <see cref="PairScorer.Score"/>.</summary>
    private static void ScoreKernel(
        Index1D thread, FleetViews fleet, PlanViews plans, ArrayView1D<double, Stride1D.Dense> tables, ArrayView1D<double, Stride1D.Dense> scratch, OutcomeViews outcomes, ScoreParams p, long threads)
    {
        int index = thread;
        var slice = new Strided(scratch, index, threads);
        for (long pair = index; pair < p.Pairs; pair += threads)
        {
            Write(outcomes, pair, PairScorer.Score(pair, fleet, plans, new Strided(tables, pair % p.Scenarios, p.Scenarios), slice, p));
        }
    }

    private static void Write(in OutcomeViews outcomes, long pair, Core.Scenarios.ScenarioOutcome o)
    {
        outcomes.LeaseRevenue[pair] = o.LeaseRevenue;
        outcomes.Penalty[pair] = o.Penalty;
        outcomes.JobValue[pair] = o.JobValue;
        outcomes.SpotRevenue[pair] = o.SpotRevenue;
        outcomes.PowerCost[pair] = o.PowerCost;
        outcomes.ShortGpuHours[pair] = o.ShortGpuHours;
    }

    /// <summary>
    /// The CPU fast path: scenario tables drawn in parallel, then plain threads over contiguous ranges of pairs, calling
    /// the same per-pair method on views of
    /// host memory (allocated through ILGPU's CPU accelerator, never launched through its emulator).
    /// </summary>
    private void ScoreOnCpu(FleetViews fleet, PlanViews plans, ArrayView1D<double, Stride1D.Dense> tables, OutcomeViews outcomes, ScoreParams p)
    {
        Parallel.For(0, p.Scenarios, k => ScenarioSampler.Draw(p.ScenarioOffset + k, fleet, new Strided(tables, (long)k * p.TableStride, 1), p));
        var workers = (int)Math.Max(1, Math.Min(Environment.ProcessorCount, p.Pairs));
        using var scratch = _accelerator.Allocate1D<double>((long)workers * p.ScratchStride);
        var scratchView = scratch.View;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
        {
            var slice = new Strided(scratchView, (long)worker * p.ScratchStride, 1);
            var first = p.Pairs * worker / workers;
            var last = p.Pairs * (worker + 1) / workers;
            for (var pair = first; pair < last; pair++)
            {
                Write(outcomes, pair, PairScorer.Score(pair, fleet, plans, new Strided(tables, pair % p.Scenarios * p.TableStride, 1), slice, p));
            }
        });
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _accelerator.Dispose();
        _context.Dispose();
    }
}
