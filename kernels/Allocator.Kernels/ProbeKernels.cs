using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace Allocator.Kernels;

/// <summary>
/// Small kernels that check, on a real device, the features the scenario scorer relies on: float64 arithmetic,
/// XMath, float64 atomics and ILGPU.Algorithms reductions, plus memory bandwidth and FP64 rate for the roofline.
/// </summary>
public static class ProbeKernels
{
    /// <summary>out[i] = exp(-x[i]) * log1p(x[i]) + sqrt(x[i]): float64 XMath, compared element-wise with the BCL.</summary>
    public static void MathKernel(Index1D i, ArrayView1D<double, Stride1D.Dense> x, ArrayView1D<double, Stride1D.Dense> result) =>
        result[i] = XMath.Exp(-x[i]) * XMath.Log(1 + x[i]) + XMath.Sqrt(x[i]);

    /// <summary>Sums x into total[0] with float64 atomics.</summary>
    public static void AtomicSumKernel(Index1D i, ArrayView1D<double, Stride1D.Dense> x, ArrayView1D<double, Stride1D.Dense> total) =>
        Atomic.Add(ref total[0], x[i]);

    /// <summary>Streams x into y (one read, one write per element): achieved memory bandwidth.</summary>
    public static void CopyKernel(Index1D i, ArrayView1D<double, Stride1D.Dense> x, ArrayView1D<double, Stride1D.Dense> y) => y[i] = x[i];

    /// <summary>Independent multiply-add chains per thread in <see cref="FmaKernel"/> and <see cref="Fma32Kernel"/>.</summary>
    public const int FmaChainsPerThread = 4;

    /// <summary><paramref name="rounds"/> dependent float64 FMAs per thread, four independent chains: FP64 rate.</summary>
    public static void FmaKernel(Index1D i, ArrayView1D<double, Stride1D.Dense> y, int rounds)
    {
        double a = i, b = i + 1, c = i + 2, d = i + 3;
        for (var r = 0; r < rounds; r++)
        {
            a = a * 0.999999 + 1e-7;
            b = b * 0.999999 + 1e-7;
            c = c * 0.999999 + 1e-7;
            d = d * 0.999999 + 1e-7;
        }

        y[i] = a + b + c + d;
    }

    /// <summary><see cref="FmaKernel"/> in float32: FP32 rate.</summary>
    public static void Fma32Kernel(Index1D i, ArrayView1D<float, Stride1D.Dense> y, int rounds)
    {
        float a = i, b = i + 1, c = i + 2, d = i + 3;
        for (var r = 0; r < rounds; r++)
        {
            a = a * 0.999999f + 1e-7f;
            b = b * 0.999999f + 1e-7f;
            c = c * 0.999999f + 1e-7f;
            d = d * 0.999999f + 1e-7f;
        }

        y[i] = a + b + c + d;
    }
}
