using System.Reflection;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Kernels;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Allocator.GpuProbe;

/// <summary>
/// Writes the PTX that ILGPU compiles for the pair kernels (double and mixed, each place the state lives) for a Hopper
/// GPU, on any machine: `Allocator.GpuProbe ptx DIR [--bounds THREADS,GROUPS] [--shape INSTANCE.json]`. With a PTX
/// assembler (benchmarks/gpu/sass-offline.sh) the registers and instructions of a change can be read before a GPU is lent.
/// --bounds compiles the shared-state kernel (the one launched in explicit groups) with launch bounds: THREADS per group,
/// GROUPS per multiprocessor. --shape compiles them with that instance's sizes as constants, as a GPU does
/// (<see cref="ShapedKernels"/>); without it the sizes are parameters.
/// </summary>
public static class KernelListing
{
    private static readonly (string Name, bool ExplicitlyGrouped)[] PairKernels =
    [
        ("SharedStateKernel", true),
        ("LocalStateKernel", false),
        ("GlobalStateKernel", false),
    ];

    private const string Usage = "usage: Allocator.GpuProbe ptx DIR [--bounds THREADS,GROUPS] [--shape INSTANCE.json]";

    public static int Run(string[] args)
    {
        if (args.Length is not (1 or 3 or 5) || args.Skip(1).Where((_, i) => i % 2 == 0).Any(option => option is not ("--bounds" or "--shape")))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var bounds = default(KernelSpecialization);
        var owner = typeof(BulkScorer);
        for (var i = 1; i < args.Length; i += 2)
        {
            if (args[i] == "--shape")
            {
                // The kernels as a GPU compiles them for this instance: its sizes as constants (ShapedKernels).
                ShapeToList.Value = ScoreParams.For(new CompiledInstance(InstanceReader.ReadFile(args[i + 1])), 1, 1, 0, 0).Shape;
                owner = typeof(ShapedKernels);
                continue;
            }

            if (Bounds(args[i + 1]) is not { } asked)
            {
                Console.Error.WriteLine($"--bounds: '{args[i + 1]}' is not THREADS,GROUPS (two positive integers, e.g. 128,6)");
                return 2;
            }

            bounds = asked;
        }

        Directory.CreateDirectory(args[0]);
        using var context = DeviceCatalog.CreateContext();
        using var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null!);
        foreach (var (name, explicitlyGrouped) in PairKernels)
        {
            foreach (var arithmetic in new[] { typeof(DoubleArithmetic), typeof(MixedArithmetic) })
            {
                var method = owner.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(arithmetic);
                var entry = explicitlyGrouped ? EntryPointDescription.FromExplicitlyGroupedKernel(method) : EntryPointDescription.FromImplicitlyGroupedKernel(method);
                var kernel = (PTXCompiledKernel)backend.Compile(entry, explicitlyGrouped ? bounds : default);
                var file = Path.Combine(args[0], $"{name}-{(arithmetic == typeof(DoubleArithmetic) ? "double" : "mixed")}.ptx");
                File.WriteAllText(file, kernel.PTXAssembly);
                Console.WriteLine(file);
            }
        }

        return 0;
    }

    /// <summary>THREADS,GROUPS as launch bounds; null where it is not two positive integers.</summary>
    private static KernelSpecialization? Bounds(string text)
    {
        var parts = text.Split(',');
        return parts.Length == 2 && int.TryParse(parts[0], out var threads) && int.TryParse(parts[1], out var groups) && threads >= 1 && groups >= 1
            ? new KernelSpecialization(threads, groups)
            : null;
    }
}
