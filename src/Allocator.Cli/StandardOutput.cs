using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Allocator.Cli;

/// <summary>
/// Standard output carries only what the command writes (a plan with --json, scenarios, a schema, a table). The
/// solvers' native code writes to the process's descriptor 1 now and then whatever its log settings: HiGHS prints a line
/// each time it repairs a solution mapped back from its presolved model, though its output is off (HiGHS issue 2783),
/// which broke `plan --solver highs --json`. So the console writes to a copy of standard output, and descriptor 1 is
/// pointed at standard error, where such lines belong, for the rest of the process (Linux and macOS).
/// </summary>
internal static partial class StandardOutput
{
    private const int OutputDescriptor = 1;
    private const int ErrorDescriptor = 2;

    private static int _command = OutputDescriptor;

    /// <summary>Before anything is written: the console's output goes to standard output, native writes to standard error.</summary>
    public static void Separate()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        // Asked before descriptor 1 moves (the runtime keeps the answers): a terminal is standard output's own.
        _ = Console.IsOutputRedirected;
        _ = Console.IsErrorRedirected;
        if (Separate(OutputDescriptor, ErrorDescriptor) is { } command)
        {
            _command = command;
            Console.SetOut(new StreamWriter(Open(), new UTF8Encoding(false)) { AutoFlush = true });
        }
    }

    /// <summary>
    /// Copies <paramref name="output"/> to a new descriptor, which it returns, and points <paramref name="output"/> at
    /// <paramref name="errors"/>; null, and nothing changed, where either step fails.
    /// </summary>
    internal static int? Separate(int output, int errors)
    {
        var copy = Dup(output);
        if (copy < 0)
        {
            return null;
        }

        if (Dup2(errors, output) < 0)
        {
            _ = Close(copy);
            return null;
        }

        return copy;
    }

    /// <summary>A stream to standard output as the command's (its own descriptor: disposing it closes nothing else).</summary>
    public static Stream Open() => Open(_command);

    internal static Stream Open(int descriptor) => descriptor == OutputDescriptor
        ? Console.OpenStandardOutput()
        : new FileStream(new SafeFileHandle(Dup(descriptor), ownsHandle: true), FileAccess.Write, bufferSize: 0);

    [LibraryImport("libc", EntryPoint = "dup")]
    private static partial int Dup(int descriptor);

    [LibraryImport("libc", EntryPoint = "dup2")]
    private static partial int Dup2(int from, int to);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);
}
