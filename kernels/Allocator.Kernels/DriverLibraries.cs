using System.Reflection;
using System.Runtime.InteropServices;
using ILGPU;

namespace Allocator.Kernels;

/// <summary>
/// Finds the GPU drivers under the names their packages install. ILGPU imports the CUDA driver as "cuda" and OpenCL as
/// "OpenCL", which Linux's loader finds only as <c>libcuda.so</c> and <c>libOpenCL.so</c>: links that development
/// packages add. A machine with only the driver, or only the OpenCL loader (Debian's ocl-icd-libopencl1), has
/// <c>libcuda.so.1</c> and <c>libOpenCL.so.1</c>, and ILGPU would find no device there and say nothing. ILGPU's own
/// name is tried first, then the installed one. It must be registered before the first context that looks for one: ILGPU
/// remembers a driver it failed to load. Every context that looks for a GPU is therefore made by
/// <see cref="DeviceCatalog.CreateContext"/> (<see cref="DeviceCatalog.CreateCpuContext"/> looks for none).
/// </summary>
internal static class DriverLibraries
{
    private static readonly Dictionary<string, string> Installed = new(StringComparer.Ordinal)
    {
        ["cuda"] = "libcuda.so.1",
        ["OpenCL"] = "libOpenCL.so.1",
    };

    private static int registered;

    /// <summary>Registers the lookup for ILGPU's imports, once per process; on Linux only (elsewhere the names match).</summary>
    public static void Register()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref registered, 1) == 1)
        {
            return;
        }

        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Context).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // The host already set a resolver for ILGPU: it decides, and the plain names stay as they are.
        }
    }

    /// <summary>The library the loader opens for ILGPU's import <paramref name="name"/> (zero: the runtime's own search).</summary>
    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        Installed.TryGetValue(name, out var installed)
        && (NativeLibrary.TryLoad(name, assembly, searchPath, out var handle) || NativeLibrary.TryLoad(installed, out handle))
            ? handle
            : IntPtr.Zero;
}
