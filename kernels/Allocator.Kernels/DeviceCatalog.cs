using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace Allocator.Kernels;

/// <summary>One accelerator ILGPU can see, described in the words an engineer benchmarking it needs.</summary>
public sealed record DeviceInfo(string Kind, string Name, long MemoryBytes, int ComputeUnits, int MaxThreadsPerGroup, string? Architecture)
{
    /// <summary>The CUDA driver's version, or an OpenCL device's platform and OpenCL version (null for the emulator).</summary>
    public string? Driver { get; init; }
}

/// <summary>Lists the accelerators ILGPU finds on this machine (the CPU accelerator is ILGPU's emulator).</summary>
public static class DeviceCatalog
{
    /// <summary>
    /// Creates the ILGPU context every kernel runner shares: all backends, with ILGPU.Algorithms enabled, and the GPU
    /// drivers looked for under the names their packages install (<see cref="DriverLibraries"/>).
    /// </summary>
    public static Context CreateContext()
    {
        lock (Enumerating)
        {
            DriverLibraries.Register();
            return Context.Create(builder => builder.Default().EnableAlgorithms());
        }
    }

    /// <summary>
    /// A context with ILGPU's CPU accelerator alone, for the CPU paths (the fast path and the emulator): no GPU driver or
    /// OpenCL runtime is loaded, so a run on the CPU neither waits for one nor can fail in one. Otherwise as
    /// <see cref="CreateContext"/> (ILGPU's default modes, ILGPU.Algorithms).
    /// </summary>
    public static Context CreateCpuContext() =>
        Context.Create(builder => builder.DefaultCPU().AutoAssertions().AutoIOOperations().EnableAlgorithms());

    // One context is made at a time in a process: making one asks every OpenCL runtime for its devices, and on a fresh
    // machine PoCL 3.1 crashed the test process (a null string read in libc on a thread-pool thread, in the second its
    // first run created its kernel cache) while the tests made contexts on two threads. Not reproduced since; asked one
    // at a time, no runtime's start-up races with itself. A command makes one or two contexts, so nothing waits.
    private static readonly Lock Enumerating = new();

    /// <summary>The devices in <paramref name="context"/>, CUDA first, then OpenCL, then the CPU emulator.</summary>
    public static IReadOnlyList<DeviceInfo> List(Context context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return
        [
            .. context.Devices
                .OrderBy(d => d.AcceleratorType switch { AcceleratorType.Cuda => 0, AcceleratorType.OpenCL => 1, _ => 2 })
                .Select(Describe),
        ];
    }

    /// <summary>
    /// The OpenCL devices on this machine that ILGPU leaves out of <paramref name="context"/>, each with why: its OpenCL
    /// kernels need OpenCL C's generic address space, which some runtimes lack (PoCL 3's CPU device, for one).
    /// </summary>
    public static IReadOnlyList<(DeviceInfo Device, string Why)> Unusable(Context context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var everyOpenCl = EveryOpenClDevice();
        var usable = context.Devices.OfType<CLDevice>().Select(d => d.DeviceId).ToHashSet();
        return
        [
            .. everyOpenCl.Devices.OfType<CLDevice>()
                .Where(d => !usable.Contains(d.DeviceId))
                .Select(d => (Describe(d), d.Capabilities.GenericAddressSpace
                    ? $"OpenCL C {d.CLStdVersion.Major}.{d.CLStdVersion.Minor}, below what ILGPU takes"
                    : $"OpenCL C {d.CVersion.Major}.{d.CVersion.Minor} without the generic address space ILGPU's kernels need")),
        ];
    }

    private static Context EveryOpenClDevice()
    {
        lock (Enumerating)
        {
            return Context.Create(builder => builder.OpenCL(_ => true));
        }
    }

    /// <summary>Describes one device.</summary>
    public static DeviceInfo Describe(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var architecture = device switch
        {
            CudaDevice cuda => $"{cuda.Architecture}, PTX {cuda.InstructionSet}",
            CLDevice cl => $"OpenCL C {cl.CVersion.Major}.{cl.CVersion.Minor}, {cl.VendorName}",
            _ => null,
        };
        var kind = ScoringDevices.Word(device.AcceleratorType switch
        {
            AcceleratorType.Cuda => ScoringDevice.Cuda,
            AcceleratorType.OpenCL => ScoringDevice.OpenCL,
            _ => ScoringDevice.IlgpuCpu,
        });
        return new DeviceInfo(kind, device.Name, device.MemorySize, device.NumMultiprocessors, device.MaxNumThreadsPerGroup, architecture)
        {
            // OpenCL names no driver version through ILGPU: its platform and the OpenCL version it implements stand in.
            Driver = device switch
            {
                CudaDevice withDriver => withDriver.DriverVersion.ToString(),
                CLDevice cl => $"{cl.PlatformName}, OpenCL {cl.PlatformVersion}",
                _ => null,
            },
        };
    }
}
