using Allocator.Core.Contract;
using Allocator.Core.Json;
using Spectre.Console;

namespace Allocator.Cli;

/// <summary>Reads input files for the commands, turning contract problems into a readable list on stderr.</summary>
internal static class InputFiles
{
    public static Instance? ReadInstance(string path) => Read(() => InstanceReader.ReadFile(path));

    public static Plan? ReadPlan(string path) => Read(() => PlanReader.ReadFile(path));

    private static T? Read<T>(Func<T> read)
        where T : class
    {
        try
        {
            return read();
        }
        catch (ContractException e)
        {
            ReportProblems(e);
            return null;
        }
    }

    public static void ReportProblems(ContractException e)
    {
        var error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        error.MarkupLine($"[red]error:[/] {Markup.Escape(e.Source ?? "input")} is not valid ({e.Problems.Count} problem{(e.Problems.Count == 1 ? "" : "s")}); nothing was written.");
        foreach (var problem in e.Problems)
        {
            error.MarkupLine($"  [yellow]{Markup.Escape(problem.Path)}[/]: {Markup.Escape(problem.Message)}");
        }
    }
}
