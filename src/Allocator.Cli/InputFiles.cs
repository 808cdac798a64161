using Allocator.Core.Contract;
using Allocator.Core.Json;

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

    /// <summary>One line per problem, never wrapped, so each names its JSON path whole (and scripts can grep it).</summary>
    public static void ReportProblems(ContractException e)
    {
        Console.Error.WriteLine($"error: {e.Source ?? "input"} is not valid ({e.Problems.Count} problem{(e.Problems.Count == 1 ? "" : "s")}); nothing was written.");
        foreach (var problem in e.Problems)
        {
            Console.Error.WriteLine($"  {problem.Path}: {problem.Message}");
        }
    }
}
