namespace Allocator.Core.Text;

/// <summary>How text goes into a CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break.</summary>
public static class CsvField
{
    /// <summary><paramref name="text"/> as one CSV cell.</summary>
    public static string Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
    }
}
