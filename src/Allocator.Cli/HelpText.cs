using System.CommandLine;

namespace Allocator.Cli;

/// <summary>A command's help text: what it does, then examples a planner can copy.</summary>
internal static class HelpText
{
    /// <summary><paramref name="what"/> followed by an "Examples:" paragraph, one command a line.</summary>
    public static string With(string what, params string[] examples) =>
        $"{what}{Environment.NewLine}{Environment.NewLine}Examples:{Environment.NewLine}{string.Join(Environment.NewLine, examples.Select(e => $"  {e}"))}";

    /// <summary>Whether <paramref name="args"/> ask for the top-level help (nothing, or only a help flag).</summary>
    public static bool AsksForOverview(string[] args) => args.Length == 0 || (args.Length == 1 && args[0] is "--help" or "-h" or "-?" or "help");

    /// <summary>
    /// The top-level help: each command by the first paragraph of its description (its own help, <c>allocator plan
    /// --help</c>, has the whole text with the examples).
    /// </summary>
    public static void WriteOverview(RootCommand root, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine("Description:");
        output.WriteLine($"  {root.Description}");
        output.WriteLine();
        output.WriteLine("Usage:");
        output.WriteLine("  allocator [command] [options]");
        output.WriteLine();
        output.WriteLine("Options:");
        output.WriteLine("  --verbose       On an unexpected failure, print its details (the stack trace) too.");
        output.WriteLine("  -?, -h, --help  Show help and usage information (allocator COMMAND --help: the command's options and examples)");
        output.WriteLine("  --version       Show version information");
        output.WriteLine();
        output.WriteLine("Commands:");
        var width = root.Subcommands.Max(c => c.Name.Length) + 2;
        foreach (var command in root.Subcommands)
        {
            output.WriteLine($"  {command.Name.PadRight(width)}{(command.Description ?? "").Split(Environment.NewLine + Environment.NewLine)[0]}");
        }
    }
}
