using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Allocator.Kernels.Tests;

/// <summary>
/// Every scoring kernel compiles to PTX for a Hopper GPU on a machine with no GPU: a kernel that ILGPU cannot lower
/// (an unsupported construct, a shared-memory misuse) fails here, not on the lent device.
/// </summary>
public sealed class PtxCompileTests
{
    public static TheoryData<string, Type?, bool> Kernels => new()
    {
        { "SharedStateKernel", typeof(DoubleArithmetic), true },
        { "SharedStateKernel", typeof(MixedArithmetic), true },
        { "LocalStateKernel", typeof(DoubleArithmetic), false },
        { "LocalStateKernel", typeof(MixedArithmetic), false },
        { "GlobalStateKernel", typeof(DoubleArithmetic), false },
        { "GlobalStateKernel", typeof(MixedArithmetic), false },
        { "ResidentGlobalStateKernel", typeof(DoubleArithmetic), true },
        { "ResidentGlobalStateKernel", typeof(MixedArithmetic), true },
        { "DrawKernel", null, false },
        { "SummaryKernel", null, true },
    };

    [Theory]
    [MemberData(nameof(Kernels))]
    public void The_kernel_compiles_to_ptx_with_the_code_it_needs(string name, Type? arithmetic, bool explicitlyGrouped)
    {
        using var context = DeviceCatalog.CreateContext();
        using var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null!);
        var method = typeof(BulkScorer).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;
        if (arithmetic is not null)
        {
            method = method.MakeGenericMethod(arithmetic);
        }

        var entry = explicitlyGrouped ? EntryPointDescription.FromExplicitlyGroupedKernel(method) : EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var kernel = (PTXCompiledKernel)backend.Compile(entry, default(KernelSpecialization));

        Assert.Contains(".entry", kernel.PTXAssembly, StringComparison.Ordinal);
        Assert.Equal(name == "SharedStateKernel", kernel.PTXAssembly.Contains(".extern .shared", StringComparison.Ordinal));
        if (name == "LocalStateKernel")
        {
            Assert.Contains(".local", kernel.PTXAssembly, StringComparison.Ordinal);
        }

        // The mixed kernel multiplies money in float32; the double kernel never does.
        Assert.Equal(arithmetic == typeof(MixedArithmetic), kernel.PTXAssembly.Contains("mul.rn.f32", StringComparison.Ordinal) || kernel.PTXAssembly.Contains("mul.f32", StringComparison.Ordinal));
    }

    [Fact]
    public void A_residency_compiles_the_global_state_kernel_with_launch_bounds()
    {
        using var context = DeviceCatalog.CreateContext();
        using var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null!);
        var method = typeof(BulkScorer).GetMethod("ResidentGlobalStateKernel", BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(typeof(DoubleArithmetic));

        var kernel = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(method), new KernelSpecialization(256, 6));

        // 6 groups of 256 threads per multiprocessor: ptxas must fit 1,536 threads' registers in the register file.
        Assert.Contains(".maxntid 256, 1, 1", kernel.PTXAssembly, StringComparison.Ordinal);
        Assert.Contains(".minnctapersm 6", kernel.PTXAssembly, StringComparison.Ordinal);
    }
}
