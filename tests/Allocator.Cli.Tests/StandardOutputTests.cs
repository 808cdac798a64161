using System.IO.Pipes;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Allocator.Cli.Tests;

public sealed class StandardOutputTests
{
    [Fact]
    public void What_native_code_writes_to_standard_output_goes_to_standard_error_and_the_commands_output_stays_whole()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // The separation is made on Linux and macOS only.
        }

        // Two pipes stand for the process's descriptors 1 and 2, so the test host's own are left alone.
        using var output = new AnonymousPipeServerStream(PipeDirection.In);
        using var errors = new AnonymousPipeServerStream(PipeDirection.In);
        var (outputDescriptor, errorDescriptor) = ((int)output.ClientSafePipeHandle.DangerousGetHandle(), (int)errors.ClientSafePipeHandle.DangerousGetHandle());

        var command = StandardOutput.Separate(outputDescriptor, errorDescriptor);

        Assert.NotNull(command);
        // A solver's line, written to "descriptor 1" as native code writes it, then the command's JSON.
        using (var native = new FileStream(new SafeFileHandle(outputDescriptor, ownsHandle: false), FileAccess.Write, bufferSize: 0))
        {
            native.Write("HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();\n"u8);
        }

        using (var json = StandardOutput.Open(command.Value))
        {
            json.Write("{\"status\": \"optimal\"}\n"u8);
        }

        new SafeFileHandle(command.Value, ownsHandle: true).Dispose();
        output.DisposeLocalCopyOfClientHandle();
        errors.DisposeLocalCopyOfClientHandle();
        Assert.Equal("{\"status\": \"optimal\"}\n", new StreamReader(output, Encoding.UTF8).ReadToEnd());
        Assert.Equal("HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();\n", new StreamReader(errors, Encoding.UTF8).ReadToEnd());
    }
}
