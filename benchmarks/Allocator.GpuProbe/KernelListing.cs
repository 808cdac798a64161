using System.Reflection;
using Allocator.Kernels;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Allocator.GpuProbe;

/// <summary>
/// Writes the PTX that ILGPU compiles for the pair kernels (double and mixed, each place the state lives) for a Hopper
/// GPU, on any machine: `Allocator.GpuProbe ptx DIR [--bounds THREADS,GROUPS]`. With a PTX assembler
/// (benchmarks/gpu/sass-offline.sh) the registers and instructions of a change can be read before a GPU is lent.
/// --bounds compiles the shared-state kernel (the one launched in explicit groups) with launch bounds: THREADS per group,
/// GROUPS per multiprocessor.
/// </summary>
public static class KernelListing
{
    private static readonly (string Name, bool ExplicitlyGrouped)[] PairKernels =
    [
        ("SharedStateKernel", true),
        ("LocalStateKernel", false),
        ("GlobalStateKernel", false),
    ];

    public static int Run(string[] args)
    {
        if (args.Length is not (1 or 3) || (args.Length == 3 && args[1] != "--bounds"))
        {
            Console.Error.WriteLine("usage: Allocator.GpuProbe ptx DIR [--bounds THREADS,GROUPS]");
            return 2;
        }

        var bounds = default(KernelSpecialization);
        if (args.Length == 3)
        {
            var parts = args[2].Split(',');
            if (parts.Length != 2 || !int.TryParse(parts[0], out var threads) || !int.TryParse(parts[1], out var groups) || threads < 1 || groups < 1)
            {
                Console.Error.WriteLine($"--bounds: '{args[2]}' is not THREADS,GROUPS (two positive integers, e.g. 128,6)");
                return 2;
            }

            bounds = new KernelSpecialization(threads, groups);
        }

        Directory.CreateDirectory(args[0]);
        using var context = DeviceCatalog.CreateContext();
        using var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null!);
        foreach (var (name, explicitlyGrouped) in PairKernels)
        {
            foreach (var arithmetic in new[] { typeof(DoubleArithmetic), typeof(MixedArithmetic) })
            {
                var method = typeof(BulkScorer).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(arithmetic);
                var entry = explicitlyGrouped ? EntryPointDescription.FromExplicitlyGroupedKernel(method) : EntryPointDescription.FromImplicitlyGroupedKernel(method);
                var kernel = (PTXCompiledKernel)backend.Compile(entry, explicitlyGrouped ? bounds : default);
                var file = Path.Combine(args[0], $"{name}-{(arithmetic == typeof(DoubleArithmetic) ? "double" : "mixed")}.ptx");
                File.WriteAllText(file, kernel.PTXAssembly);
                Console.WriteLine(file);
            }
        }

        return 0;
    }
}
