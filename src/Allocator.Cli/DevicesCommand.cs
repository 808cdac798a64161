using System.CommandLine;
using System.Globalization;
using Allocator.Kernels;
using Spectre.Console;

namespace Allocator.Cli;

/// <summary><c>allocator devices</c>: the accelerators scoring can use, with memory and compute units.</summary>
internal static class DevicesCommand
{
    public static Command Create()
    {
        var command = new Command("devices", HelpText.With("List the devices ILGPU finds (CUDA, OpenCL, its CPU accelerator) and which one --device auto picks; the kind column is what --device takes.", "allocator devices"));
        command.SetAction(_ =>
        {
            using var context = DeviceCatalog.CreateContext();
            var table = new Table().Border(TableBorder.Rounded).AddColumns("kind", "name", "memory", "compute units", "threads/group", "architecture", "driver");
            foreach (var d in DeviceCatalog.List(context))
            {
                var memory = d.Kind == "ilgpu-cpu" ? "host" : string.Create(CultureInfo.InvariantCulture, $"{d.MemoryBytes / (1L << 20):N0} MiB");
                table.AddRow(d.Kind, Markup.Escape(d.Name), memory, d.ComputeUnits.ToString(CultureInfo.InvariantCulture),
                    d.MaxThreadsPerGroup.ToString(CultureInfo.InvariantCulture), Markup.Escape(d.Architecture ?? "-"), Markup.Escape(d.Driver ?? "-"));
            }

            table.AddRow("cpu", "C# fast path (the fallback)", "host", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), "-", "-", "-");
            AnsiConsole.Write(table);
            foreach (var (device, why) in DeviceCatalog.Unusable(context))
            {
                Console.WriteLine($"not usable: {device.Kind} '{device.Name}' ({why}).");
            }

            using var scorer = BulkScorer.Create(ScoringDevice.Auto, w => Console.Error.WriteLine($"warning: {w}"));
            Console.WriteLine($"--device auto uses: {scorer.Description}");
            return ExitCodes.Success;
        });
        return command;
    }
}
