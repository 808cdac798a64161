using System.Diagnostics;
using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Runtime;
using ILGPU.Runtime.OpenCL;

namespace Allocator.Kernels.Tests;

/// <summary>
/// Every scoring kernel compiles to OpenCL C 2.0 (what ILGPU writes for an OpenCL GPU: AMD's and Intel's drivers) and
/// clang accepts that source, on a machine with no such GPU: no OpenCL device here can run ILGPU's kernels (PoCL 3 lacks
/// the generic address space), so a kernel the OpenCL backend cannot lower, or lowers to code a driver's compiler
/// rejects, fails here rather than on a user's card.
/// </summary>
public sealed class OpenClCompileTests
{
    [Theory]
    [MemberData(nameof(PtxCompileTests.Kernels), MemberType = typeof(PtxCompileTests))]
    public void The_kernel_compiles_to_opencl_c_that_clang_accepts(string name, Type? arithmetic, bool explicitlyGrouped)
    {
        using var context = DeviceCatalog.CreateContext();
        using var backend = new CLBackend(context, GpuCapabilities(), CLDeviceVendor.Other, CLCVersion.CL20);
        var method = typeof(BulkScorer).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;
        if (arithmetic is not null)
        {
            method = method.MakeGenericMethod(arithmetic);
        }

        var entry = explicitlyGrouped ? EntryPointDescription.FromExplicitlyGroupedKernel(method) : EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var kernel = (CLCompiledKernel)backend.Compile(entry, default(KernelSpecialization));

        Assert.Contains($"kernel void Kernel_{name}(", kernel.Source, StringComparison.Ordinal);
        Assert.Equal(name == "SharedStateKernel", kernel.Source.Contains("local char* dynamic_shared_memory", StringComparison.Ordinal));
        var (exit, errors) = ClangSyntaxCheck(kernel.Source);
        Assert.True(exit == 0, $"clang rejects the OpenCL C of {name}:\n{errors}");
    }

    /// <summary>
    /// What an OpenCL 2.0 GPU offers ILGPU: float64, int64 atomics and the generic address space (no float16, no
    /// subgroups). ILGPU builds this from a device; its constructor from flags is not public.
    /// </summary>
    private static CLCapabilityContext GpuCapabilities()
    {
        var flags = typeof(CLCapabilityContext).GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, [typeof(bool), typeof(bool), typeof(bool), typeof(bool), typeof(bool)]);
        Assert.True(flags is not null, "ILGPU's CLCapabilityContext(bool x 5) constructor is gone: update this test for the new ILGPU");
        var capabilities = (CLCapabilityContext)flags.Invoke([false, true, true, true, false]);
        Assert.True(capabilities is { Float16: false, Float64: true, Int64_Atomics: true, GenericAddressSpace: true, SubGroups: false }, "the flags' order changed");
        return capabilities;
    }

    private static (int Exit, string Errors) ClangSyntaxCheck(string source)
    {
        var clang = new[] { "clang-15", "clang-14", "clang" }.FirstOrDefault(OnPath);
        Assert.True(clang is not null, "no clang on PATH: install Debian's clang-15 (.ci/run does)");
        var file = Path.Combine(Path.GetTempPath(), $"allocator-kernel-{Guid.NewGuid():N}.cl");
        File.WriteAllText(file, source);
        try
        {
            using var process = Process.Start(new ProcessStartInfo(clang, ["-x", "cl", "-cl-std=CL2.0", "-target", "spir64", "-Xclang", "-finclude-default-header", "-fsyntax-only", file])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            var errors = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, errors);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(folder => File.Exists(Path.Combine(folder, program)));
}
