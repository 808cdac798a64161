using System.CommandLine;
using System.CommandLine.Parsing;

namespace Allocator.Cli;

/// <summary>
/// Options that take one word from a fixed list (a solver, a device): the words are the ones the README, the help and
/// <c>allocator devices</c> print, matched without regard to case, and a word not in the list is refused with the list,
/// never with a C# type name.
/// </summary>
internal static class Choice
{
    /// <summary>An option with a default, one of <paramref name="words"/> (the help shows the default as its word).</summary>
    public static Option<Chosen<T>> Of<T>(string name, string description, IReadOnlyList<(string Word, T Value)> words, T defaultValue)
        where T : struct
    {
        Chosen<T> As(T value) => new(words.First(w => EqualityComparer<T>.Default.Equals(w.Value, value)).Word, value);
        return new Option<Chosen<T>>(name)
        {
            Description = $"{description} One of: {List(words)}.",
            HelpName = string.Join('|', words.Select(w => w.Word)),
            DefaultValueFactory = _ => As(defaultValue),
            CustomParser = result => As(Parse(name, words, result) ?? defaultValue),
        };
    }

    /// <summary>An option with no value unless given (the service's flags: settings file and environment decide otherwise).</summary>
    public static Option<T?> Maybe<T>(string name, string description, IReadOnlyList<(string Word, T Value)> words)
        where T : struct => new(name)
        {
            Description = $"{description} One of: {List(words)}.",
            HelpName = string.Join('|', words.Select(w => w.Word)),
            CustomParser = result => Parse(name, words, result),
        };

    private static T? Parse<T>(string name, IReadOnlyList<(string Word, T Value)> words, ArgumentResult result)
        where T : struct
    {
        var given = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));
        foreach (var (word, value) in words)
        {
            if (string.Equals(word, given, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        result.AddError($"{name} '{given}' is not one of: {List(words)}.");
        return null;
    }

    private static string List<T>(IReadOnlyList<(string Word, T Value)> words) => string.Join(", ", words.Select(w => w.Word));
}

/// <summary>A word chosen from a <see cref="Choice"/> list, and what it stands for; written as the word.</summary>
internal sealed record Chosen<T>(string Word, T Value)
{
    /// <inheritdoc />
    public override string ToString() => Word;
}
