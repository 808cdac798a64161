using System.CommandLine;

namespace Allocator.Cli;

/// <summary>
/// <c>--first K</c>: where a range of scenarios starts. Scenario k of a seed is the same draw in every range, so a
/// large run can be done in parts, and its parts joined on the scenario number.
/// </summary>
internal static class FirstScenario
{
    /// <summary>The option, 0 unless given.</summary>
    public static Option<long> Create() => new("--first")
    {
        Description = "The first scenario's number (scenario k is the same draw in every range: work in parts with it).",
        DefaultValueFactory = _ => 0,
    };

    /// <summary>What is wrong with starting <paramref name="count"/> scenarios at <paramref name="first"/> (null: nothing).</summary>
    public static string? Problem(long first, int count) =>
        first < 0 ? $"must be 0 or more (it is {first})"
        : count > 0 && first > long.MaxValue - count ? $"leaves no room for {count} scenarios after it (at most {long.MaxValue - count})"
        : null;
}
