using Allocator.Core.Contract;
using Allocator.Core.Json;

namespace Allocator.Core.Tests;

/// <summary>Paths to the shared seeds and small hand-built instances.</summary>
internal static class Fixtures
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Seed(string name) => Path.Combine(RepositoryRoot, "seeds", name);

    public static Instance Tiny() => InstanceReader.ReadFile(Seed("tiny.json"));

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Allocator.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Allocator.sln not found above the test folder.");
    }
}
