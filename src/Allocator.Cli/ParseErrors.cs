using System.Text.RegularExpressions;

namespace Allocator.Cli;

/// <summary>
/// The command line parser's errors in the planner's words: a value of the wrong kind is named with the option and
/// what it takes ("a number"), never with a .NET type name.
/// </summary>
internal static partial class ParseErrors
{
    /// <summary><paramref name="message"/> as a planner reads it.</summary>
    public static string Readable(string message)
    {
        var match = WrongType().Match(message);
        if (!match.Success)
        {
            return message;
        }

        var (value, option, type) = (match.Groups["value"].Value, match.Groups["option"].Value, match.Groups["type"].Value);
        return $"{option} '{value}' is not {Kind(type)}.";
    }

    private static string Kind(string type) => type switch
    {
        _ when type.Contains("System.Double", StringComparison.Ordinal) => "a number (use a point for decimals, e.g. 0.5)",
        _ when type.Contains("System.UInt64", StringComparison.Ordinal) => "a whole number, 0 or more",
        _ when type.Contains("System.Int32", StringComparison.Ordinal) || type.Contains("System.Int64", StringComparison.Ordinal) => "a whole number",
        _ when type.Contains("System.Boolean", StringComparison.Ordinal) => "true or false",
        _ => "a value this option takes (see --help)",
    };

    [GeneratedRegex("^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'\\.?$")]
    private static partial Regex WrongType();
}
