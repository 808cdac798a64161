using Allocator.Core.Evaluation;
using Allocator.Core.Json;

namespace Allocator.Planning.Tests;

/// <summary>The repository's seed instances, and a scratch folder per test class.</summary>
internal static class Seeds
{
    public static string Root { get; } = FindRoot();

    public static string Path(string name) => System.IO.Path.Combine(Root, "seeds", name);

    public static CompiledInstance Tiny() => new(InstanceReader.ReadFile(Path("tiny.json")));

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "Allocator.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Allocator.sln not found above the test folder.");
    }
}
