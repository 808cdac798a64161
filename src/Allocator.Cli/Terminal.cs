using Spectre.Console;

namespace Allocator.Cli;

/// <summary>
/// The two consoles the commands write to. On a terminal, text and tables fit its width; piped or logged, nothing is
/// wrapped (a log line or a violation stays one line that grep finds whole), and tables take the width their content
/// needs.
/// </summary>
internal static class Terminal
{
    // Wide enough for any line this tool writes; Spectre needs some width, and a redirected stream has none.
    private const int Unwrapped = 100_000;

    /// <summary>Sets standard output's console (<see cref="AnsiConsole.Console"/>) to the rule above.</summary>
    public static void ConfigureOutput()
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = Unwrapped;
        }
    }

    /// <summary>A console on standard error, under the same rule.</summary>
    public static IAnsiConsole Errors()
    {
        var errors = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (Console.IsErrorRedirected)
        {
            errors.Profile.Width = Unwrapped;
        }

        return errors;
    }
}
