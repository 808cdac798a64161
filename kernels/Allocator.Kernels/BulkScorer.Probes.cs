using System.Diagnostics;
using System.Numerics;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ILGPU;
using ILGPU.Runtime;

namespace Allocator.Kernels;

/// <summary>Short probes of the device a scorer runs on: its memory bandwidth and its floating-point rates, for the bounds.</summary>
public sealed partial class BulkScorer
{
    /// <summary>
    /// A short probe of the memory bandwidth this scorer's device reaches (GB/s, read plus write) streaming one array
    /// into another: the CPU's threads on the fast path, a copy kernel on an accelerator. Best of five copies.
    /// </summary>
    public double MemoryBandwidthGBps()
    {
        // 512 MiB per array: larger than the last-level caches of the machines this runs on, so the copy measures memory.
        var elements = 1 << 26;
        var bytes = 2.0 * elements * sizeof(double);
        var best = double.MaxValue;
        if (_fastPath || _accelerator.AcceleratorType == AcceleratorType.CPU)
        {
            // Filled first: untouched pages all map the one zero page, which sits in cache and would flatter the figure.
            var (from, to) = (new double[elements], new double[elements]);
            Array.Fill(from, 1.5);
            Array.Fill(to, 2.5);
            AfterBackgroundCompilation();
            var slices = Environment.ProcessorCount;
            for (var run = 0; run < 6; run++)
            {
                var seconds = OnEveryCore(s =>
                {
                    var (first, last) = (elements * s / slices, elements * (s + 1) / slices);
                    Array.Copy(from, first, to, first, last - first);
                });
                best = run == 0 ? double.MaxValue : Math.Min(best, seconds);
            }

            return bytes / best / 1e9;
        }

        using var a = _accelerator.Allocate1D<double>(elements);
        using var b = _accelerator.Allocate1D<double>(elements);
        a.MemSetToZero();
        var copy = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<double, Stride1D.Dense>, ArrayView1D<double, Stride1D.Dense>>(ProbeKernels.CopyKernel);
        for (var run = 0; run < 6; run++)
        {
            var clock = Stopwatch.StartNew();
            copy(elements, a.View, b.View);
            _accelerator.Synchronize();
            best = run == 0 ? double.MaxValue : Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return bytes / best / 1e9;
    }

    /// <summary>
    /// A short probe of the floating-point rates this scorer's device reaches: independent fused multiply-add chains in
    /// float64 and float32 (a fused multiply-add counts two operations), on every thread of the CPU fast path in its
    /// widest SIMD lanes (512 bits where the runtime computes them fast, as the lanes do), or in a kernel on an
    /// accelerator. Best of five.
    /// </summary>
    public ArithmeticPeak ArithmeticPeak()
    {
        if (_fastPath || _accelerator.AcceleratorType == AcceleratorType.CPU)
        {
            AfterBackgroundCompilation();
            return new ArithmeticPeak(CpuRate<double>(), CpuRate<float>());
        }

        return new ArithmeticPeak(DeviceRate<double>(ProbeKernels.FmaKernel), DeviceRate<float>(ProbeKernels.Fma32Kernel));
    }

    /// <summary>
    /// Waits (two seconds at most) until the runtime has compiled no method for a while. It recompiles the methods that
    /// got hot, optimised, on a background thread some time after they did; on a machine with few cores that thread takes
    /// a core from a probe run right after scoring (on 2 cores the float64 peak halved in the row after a short mixed run:
    /// benchmarks/RESULTS.md).
    /// </summary>
    private static void AfterBackgroundCompilation()
    {
        var waited = Stopwatch.StartNew();
        var compiled = JitInfo.GetCompiledMethodCount();
        while (waited.Elapsed < TimeSpan.FromSeconds(2))
        {
            Thread.Sleep(150);
            var now = JitInfo.GetCompiledMethodCount();
            if (now == compiled)
            {
                return;
            }

            compiled = now;
        }
    }

    private static double CpuRate<T>()
        where T : struct, IFloatingPointIeee754<T>
    {
        // A debug build runs the chains unoptimised, far slower: there the probe takes fewer rounds so that the tests'
        // bench stays quick (a debug build's figures mean nothing). Calibrating the rounds by time was tried: the last
        // row's float32 peak then read low in 3 runs of 14 (0 of 14 with the fixed count), so optimised builds keep it.
        var rounds = Unoptimised ? 1 << 16 : 1 << 22;
        const int Chains = 8;
        var threads = Environment.ProcessorCount;
        var wide = Vector512.IsHardwareAccelerated;
        var best = double.MaxValue;
        for (var run = 0; run < 6; run++)
        {
            // Runs spread over a quarter of a second: a background compilation that outlasts the wait before the probe
            // then spoils some runs, not all (each is a few milliseconds).
            Thread.Sleep(run == 0 ? 0 : 50);
            var seconds = OnEveryCore(_ => GC.KeepAlive(wide ? FmaChains512<T>(rounds) : FmaChains<T>(rounds)));
            best = run == 0 ? double.MaxValue : Math.Min(best, seconds);
        }

        return 2.0 * Chains * (wide ? Vector512<T>.Count : Vector<T>.Count) * rounds * threads / best;
    }

    /// <summary>Whether this assembly's code runs unoptimised (a debug build).</summary>
    private static readonly bool Unoptimised =
        typeof(BulkScorer).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false).OfType<DebuggableAttribute>().Any(d => d.IsJITOptimizerDisabled);

    /// <summary>
    /// Seconds for <paramref name="work"/>(0 .. cores - 1), one call per core, on threads of their own released together.
    /// Not the thread pool: a parallel loop may run its iterations on fewer threads than cores while the pool grows,
    /// which halved the probed peak on 2 cores in some rows of a run.
    /// </summary>
    private static double OnEveryCore(Action<int> work)
    {
        var cores = Environment.ProcessorCount;
        using var ready = new CountdownEvent(cores);
        using var go = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, cores).Select(core => new Thread(() =>
        {
            ready.Signal();
            go.Wait();
            work(core);
        })).ToList();
        threads.ForEach(t => t.Start());
        ready.Wait();
        // The clock starts before the release: a late start would count work already done as not done.
        var clock = Stopwatch.StartNew();
        go.Set();
        threads.ForEach(t => t.Join());
        return clock.Elapsed.TotalSeconds;
    }

    // Eight chains: enough independent fused multiply-adds in flight to cover the unit's latency on two ports. Fully
    // optimised from the first call: a probe timed while the JIT still runs its first tier would understate the peak.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector<T> FmaChains<T>(int rounds)
        where T : struct, IFloatingPointIeee754<T>
    {
        var m = new Vector<T>(T.CreateTruncating(0.999999));
        var c = new Vector<T>(T.CreateTruncating(1e-7));
        Vector<T> a = Vector<T>.One, b = a + a, d = b + a, e = d + a, f = e + a, g = f + a, h = g + a, k = h + a;
        for (var r = 0; r < rounds; r++)
        {
            a = Fma(a, m, c);
            b = Fma(b, m, c);
            d = Fma(d, m, c);
            e = Fma(e, m, c);
            f = Fma(f, m, c);
            g = Fma(g, m, c);
            h = Fma(h, m, c);
            k = Fma(k, m, c);
        }

        return a + b + d + e + f + g + h + k;
    }

    // FmaChains in 512-bit vectors: Vector<T> stays 256 bits wide on AVX-512 machines unless an environment variable
    // says otherwise, and .NET's interface over both vector types is internal, so the chains are written for each.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector512<T> FmaChains512<T>(int rounds)
        where T : struct, IFloatingPointIeee754<T>
    {
        var m = Vector512.Create(T.CreateTruncating(0.999999));
        var c = Vector512.Create(T.CreateTruncating(1e-7));
        Vector512<T> a = Vector512<T>.One, b = a + a, d = b + a, e = d + a, f = e + a, g = f + a, h = g + a, k = h + a;
        for (var r = 0; r < rounds; r++)
        {
            a = Fma(a, m, c);
            b = Fma(b, m, c);
            d = Fma(d, m, c);
            e = Fma(e, m, c);
            f = Fma(f, m, c);
            g = Fma(g, m, c);
            h = Fma(h, m, c);
            k = Fma(k, m, c);
        }

        return a + b + d + e + f + g + h + k;
    }

    private static Vector512<T> Fma<T>(Vector512<T> a, Vector512<T> m, Vector512<T> c)
        where T : struct, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(double)
            ? Vector512.FusedMultiplyAdd(a.As<T, double>(), m.As<T, double>(), c.As<T, double>()).As<double, T>()
            : Vector512.FusedMultiplyAdd(a.As<T, float>(), m.As<T, float>(), c.As<T, float>()).As<float, T>();

    // One fused instruction in either width (the type test is resolved when the method is compiled for T).
    private static Vector<T> Fma<T>(Vector<T> a, Vector<T> m, Vector<T> c)
        where T : struct, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(double)
            ? Vector.As<double, T>(Vector.FusedMultiplyAdd(Vector.As<T, double>(a), Vector.As<T, double>(m), Vector.As<T, double>(c)))
            : Vector.As<float, T>(Vector.FusedMultiplyAdd(Vector.As<T, float>(a), Vector.As<T, float>(m), Vector.As<T, float>(c)));

    private double DeviceRate<T>(Action<Index1D, ArrayView1D<T, Stride1D.Dense>, int> chains)
        where T : unmanaged
    {
        const int Threads = 1 << 22;
        const int Rounds = 1024;
        using var output = _accelerator.Allocate1D<T>(Threads);
        var kernel = _accelerator.LoadAutoGroupedStreamKernel(chains);
        kernel(Threads, output.View, 16);
        _accelerator.Synchronize();
        var best = double.MaxValue;
        for (var run = 0; run < 5; run++)
        {
            var clock = Stopwatch.StartNew();
            kernel(Threads, output.View, Rounds);
            _accelerator.Synchronize();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return 2.0 * ProbeKernels.FmaChainsPerThread * Rounds * Threads / best;
    }
}
