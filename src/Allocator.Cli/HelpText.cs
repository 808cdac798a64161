namespace Allocator.Cli;

/// <summary>A command's help text: what it does, then examples a planner can copy.</summary>
internal static class HelpText
{
    /// <summary><paramref name="what"/> followed by an "Examples:" paragraph, one command a line.</summary>
    public static string With(string what, params string[] examples) =>
        $"{what}{Environment.NewLine}{Environment.NewLine}Examples:{Environment.NewLine}{string.Join(Environment.NewLine, examples.Select(e => $"  {e}"))}";
}
