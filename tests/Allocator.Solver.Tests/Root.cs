namespace Allocator.Solver.Tests;

/// <summary>The repository's root folder (where Allocator.sln is), for the seed instances.</summary>
internal static class Root
{
    public static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Allocator.sln")))
        {
            directory = directory.Parent;
        }

        return directory!.FullName;
    }
}
