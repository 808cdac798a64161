using System.Diagnostics;
using System.Globalization;
using Allocator.Kernels;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.ScanReduceOperations;
using ILGPU.Runtime;

// Checks every ILGPU device on this machine with the probe kernels and prints what it measured.
// Usage: Allocator.GpuProbe [--cpu]          (--cpu also probes ILGPU's CPU emulator; slow)
//        Allocator.GpuProbe score [options]  (the bulk-scoring benchmark; see ScoringBenchmark.cs)
//        Allocator.GpuProbe ptx DIR [--bounds THREADS,GROUPS]  (the pair kernels' PTX; see KernelListing.cs)
if (args.Length > 0 && args[0] == "score")
{
    return Allocator.GpuProbe.ScoringBenchmark.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "ptx")
{
    return Allocator.GpuProbe.KernelListing.Run(args[1..]);
}

var includeCpu = args.Contains("--cpu");
using var context = DeviceCatalog.CreateContext();
Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} CPU cores, .NET {Environment.Version}");
var failures = 0;
foreach (var device in context.Devices)
{
    var info = DeviceCatalog.Describe(device);
    Console.WriteLine($"device: {info.Kind} '{info.Name}', {info.MemoryBytes / (1 << 20)} MiB, {info.ComputeUnits} compute units, {info.MaxThreadsPerGroup} threads/group{(info.Architecture is null ? "" : ", " + info.Architecture)}");
    if (device.AcceleratorType == AcceleratorType.CPU && !includeCpu)
    {
        continue;
    }

    try
    {
        failures += Probe(context, device) ? 0 : 1;
    }
    catch (Exception e)
    {
        failures++;
        Console.WriteLine($"  FAILED: {e.GetType().Name}: {e.Message}");
        Console.WriteLine(e.ToString());
    }
}

return failures == 0 ? 0 : 1;

static bool Probe(Context context, Device device)
{
    var clock = Stopwatch.StartNew();
    using var accelerator = device.CreateAccelerator(context);
    Console.WriteLine($"  accelerator created in {clock.Elapsed.TotalMilliseconds:0} ms");
    var ok = true;
    var n = device.AcceleratorType == AcceleratorType.CPU ? 1 << 16 : 1 << 24;
    var x = Enumerable.Range(0, n).Select(i => (i % 1000) / 37.0).ToArray();
    using var xs = accelerator.Allocate1D(x);
    using var ys = accelerator.Allocate1D<double>(n);

    clock.Restart();
    var math = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<double, Stride1D.Dense>, ArrayView1D<double, Stride1D.Dense>>(ProbeKernels.MathKernel);
    math((int)xs.Length, xs.View, ys.View);
    accelerator.Synchronize();
    Console.WriteLine($"  math kernel compiled and ran in {clock.Elapsed.TotalMilliseconds:0} ms");
    var gpu = ys.GetAsArray1D();
    var worst = 0.0;
    for (var i = 0; i < n; i++)
    {
        var expected = Math.Exp(-x[i]) * Math.Log(1 + x[i]) + Math.Sqrt(x[i]);
        // Relative error, absolute where the exact value is 0 (x = 0 gives exp(0) * log(1) + sqrt(0) = 0).
        worst = Math.Max(worst, Math.Abs(gpu[i] - expected) / Math.Max(1.0, Math.Abs(expected)));
    }

    Console.WriteLine($"  float64 XMath vs BCL: max error {worst:E2} (relative, absolute below 1)");
    ok &= worst < 1e-12;

    using var total = accelerator.Allocate1D<double>(1);
    total.MemSetToZero();
    var atomic = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<double, Stride1D.Dense>, ArrayView1D<double, Stride1D.Dense>>(ProbeKernels.AtomicSumKernel);
    atomic((int)xs.Length, xs.View, total.View);
    accelerator.Synchronize();
    var cpuSum = x.Sum();
    var atomicSum = total.GetAsArray1D()[0];
    Console.WriteLine($"  float64 atomic sum: {atomicSum:R} vs CPU {cpuSum:R} (relative {Math.Abs(atomicSum - cpuSum) / cpuSum:E2})");
    ok &= Math.Abs(atomicSum - cpuSum) / cpuSum < 1e-9;

    using var reduced = accelerator.Allocate1D<double>(1);
    accelerator.Reduce<double, AddDouble>(accelerator.DefaultStream, xs.View, reduced.View);
    accelerator.Synchronize();
    var reduceSum = reduced.GetAsArray1D()[0];
    Console.WriteLine($"  ILGPU.Algorithms Reduce<AddDouble>: {reduceSum:R} (relative {Math.Abs(reduceSum - cpuSum) / cpuSum:E2})");
    ok &= Math.Abs(reduceSum - cpuSum) / cpuSum < 1e-9;

    if (device.AcceleratorType != AcceleratorType.CPU)
    {
        var big = 1 << 27; // 1 GiB of doubles each way
        using var a = accelerator.Allocate1D<double>(big);
        using var b = accelerator.Allocate1D<double>(big);
        a.MemSetToZero();
        var copy = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<double, Stride1D.Dense>, ArrayView1D<double, Stride1D.Dense>>(ProbeKernels.CopyKernel);
        copy(big, a.View, b.View);
        accelerator.Synchronize();
        clock.Restart();
        const int copies = 20;
        for (var r = 0; r < copies; r++)
        {
            copy(big, a.View, b.View);
        }

        accelerator.Synchronize();
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  copy kernel: {2.0 * big * sizeof(double) * copies / seconds / 1e9:0} GB/s (read + write, {copies} x 1 GiB)"));

        var fma = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<double, Stride1D.Dense>, int>(ProbeKernels.FmaKernel);
        var threads = 1 << 22;
        const int rounds = 4096;
        fma(threads, b.View, 16);
        accelerator.Synchronize();
        clock.Restart();
        fma(threads, b.View, rounds);
        accelerator.Synchronize();
        seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  FP64 FMA: {2.0 * 4 * rounds * threads / seconds / 1e12:0.00} TFLOP/s"));
    }

    Console.WriteLine(ok ? "  probe: OK" : "  probe: MISMATCH");
    return ok;
}
