using System.Text.Json;

namespace Allocator.Core.Json;

/// <summary>
/// Which of the contract's files a JSON document is, told by the fields only that kind has: an instance has a horizon
/// and pools, a plan names its instance. Readers check it first, so a plan handed over as an instance (or arguments
/// given in the wrong order) gets one line saying so, not a list of every field the other kind does not have.
/// </summary>
public static class FileKind
{
    /// <summary>One problem when <paramref name="root"/> is clearly the other kind of file than <paramref name="expected"/>; else null.</summary>
    public static string? Mismatch(JsonElement root, Kind expected)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var isInstance = root.TryGetProperty("horizon", out _) && root.TryGetProperty("pools", out _);
        var isPlan = root.TryGetProperty("instance", out _) && !root.TryGetProperty("horizon", out _);
        return expected switch
        {
            Kind.Instance when isPlan && !isInstance =>
                "is a plan file (it names an 'instance' and has no 'horizon'), not an instance: give the instance file here (were the arguments swapped?).",
            Kind.Plan when isInstance && !isPlan =>
                "is an instance file (it has a 'horizon' and 'pools'), not a plan: give a plan file here, such as the plan.json that 'allocator plan' writes (were the arguments swapped?).",
            _ => null,
        };
    }

    /// <summary>The contract's two kinds of file.</summary>
    public enum Kind
    {
        /// <summary>An instance: the fleet, offers and jobs.</summary>
        Instance,

        /// <summary>A plan: a decision for every lease and job of one instance.</summary>
        Plan,
    }
}
