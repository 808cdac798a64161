using ILGPU.Runtime;

namespace Allocator.Kernels.Tests;

public sealed class DeviceChoiceTests
{
    [Fact]
    public void Asking_for_cuda_scores_on_cuda_where_there_is_one_and_otherwise_warns_and_falls_back_to_the_cpu()
    {
        using var context = DeviceCatalog.CreateContext();
        var hasCuda = context.Devices.Any(d => d.AcceleratorType == AcceleratorType.Cuda);
        var warnings = new List<string>();

        using var scorer = BulkScorer.Create(ScoringDevice.Cuda, warnings.Add);

        if (hasCuda)
        {
            Assert.StartsWith("cuda", scorer.Description, StringComparison.Ordinal);
            Assert.Empty(warnings);
        }
        else
        {
            Assert.StartsWith("cpu", scorer.Description, StringComparison.Ordinal);
            Assert.Contains(warnings, w => w.Contains("CPU fast path", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_cpu_choice_never_uses_the_emulator_and_ilgpucpu_always_does()
    {
        using var cpu = BulkScorer.Create(ScoringDevice.Cpu);
        using var emulator = BulkScorer.Create(ScoringDevice.IlgpuCpu);

        Assert.StartsWith("cpu (C# fast path", cpu.Description, StringComparison.Ordinal);
        Assert.StartsWith("ilgpu-cpu", emulator.Description, StringComparison.Ordinal);
    }
}

public sealed class DriverLibraryTests
{
    private const string OpenClLoader = "/usr/lib/x86_64-linux-gnu/libOpenCL.so.1";

    private static void RequirePoCL() =>
        Assert.True(File.Exists("/etc/OpenCL/vendors/pocl.icd"), "PoCL's OpenCL CPU device is missing: install Debian's pocl-opencl-icd (.ci/run does)");

    /// <summary>
    /// ILGPU asks for "OpenCL", which Linux finds only as libOpenCL.so (a development link); Debian's OpenCL loader
    /// installs libOpenCL.so.1. Without the catalog's lookup ILGPU never loads it, and an OpenCL GPU goes unseen.
    /// </summary>
    [Fact]
    public void The_opencl_loader_is_found_under_the_name_its_package_installs()
    {
        Assert.True(File.Exists(OpenClLoader), $"{OpenClLoader} is missing: install Debian's ocl-icd-libopencl1 (.ci/run does)");

        using var context = DeviceCatalog.CreateContext();

        var mapped = File.ReadAllLines("/proc/self/maps").Where(l => l.Contains("libOpenCL.so", StringComparison.Ordinal)).ToList();
        Assert.True(mapped.Count > 0, "ILGPU looked for OpenCL and did not load libOpenCL.so.1");
    }

    /// <summary>PoCL 3's CPU device: OpenCL C 1.2, no generic address space, so ILGPU leaves it out; the catalog says so.</summary>
    [Fact]
    public void An_opencl_device_ilgpu_leaves_out_is_named_with_why()
    {
        RequirePoCL();

        using var context = DeviceCatalog.CreateContext();

        Assert.DoesNotContain(context.Devices, d => d.AcceleratorType == ILGPU.Runtime.AcceleratorType.OpenCL);
        var (device, why) = Assert.Single(DeviceCatalog.Unusable(context));
        Assert.Equal("opencl", device.Kind);
        Assert.Equal("OpenCL C 1.2 without the generic address space ILGPU's kernels need", why);
        // What an engineer compares machines by: the OpenCL C version and vendor, the platform and its OpenCL version.
        Assert.Equal("OpenCL C 1.2, The pocl project", device.Architecture);
        Assert.StartsWith("Portable Computing Language, OpenCL 3.", device.Driver, StringComparison.Ordinal);
    }

    [Fact]
    public void Asking_for_opencl_where_ilgpu_can_use_none_says_which_it_found_and_why()
    {
        RequirePoCL();
        var warnings = new List<string>();

        using var scorer = BulkScorer.OpenExactly(ScoringDevice.OpenCL, warnings.Add);

        Assert.Null(scorer);
        var warning = Assert.Single(warnings);
        Assert.Matches(@"^no usable OpenCL GPU \('[^']+': OpenCL C 1\.2 without the generic address space ILGPU's kernels need\); skipped\.$", warning);
    }
}
