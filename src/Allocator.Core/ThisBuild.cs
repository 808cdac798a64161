using System.Reflection;

namespace Allocator.Core;

/// <summary>The build of Allocator that is running, as results record it so that researchers know what produced them.</summary>
public static class ThisBuild
{
    /// <summary>
    /// The version and the commit it was built from (<c>1.0.0+COMMIT</c>: the SDK adds the commit when it builds from a git
    /// checkout; uncommitted changes are not told apart).
    /// </summary>
    public static string Version { get; } =
        typeof(ThisBuild).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
