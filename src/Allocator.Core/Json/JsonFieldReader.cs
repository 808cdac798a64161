using System.Globalization;
using System.Text.Json;
using Allocator.Core.Contract;

namespace Allocator.Core.Json;

/// <summary>
/// Reads the fields of one JSON object, recording a <see cref="ContractProblem"/> (with its JSON path) for every
/// missing, mistyped, out-of-range or unknown field instead of stopping at the first, so a planner sees all of them.
/// A getter that finds a problem returns null; callers substitute a harmless default and keep reading. Every input file
/// Allocator reads (instances, plans, sweeps) is read with it, so a problem is worded the same way in each.
/// </summary>
public sealed class JsonFieldReader
{
    private readonly JsonElement _element;
    private readonly List<ContractProblem> _problems;

    public JsonFieldReader(JsonElement element, string path, List<ContractProblem> problems, bool rejectUnknown, params string[] fields)
    {
        _element = element;
        Path = path;
        _problems = problems;
        if (rejectUnknown)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (!fields.Contains(property.Name, StringComparer.Ordinal))
                {
                    var suggestion = ClosestName(property.Name, fields);
                    var hint = suggestion is null ? "" : $" Did you mean '{suggestion}'?";
                    Problem($"{path}.{property.Name}", $"unknown field.{hint} Allowed here: {string.Join(", ", fields)}.");
                }
            }
        }
    }

    public string Path { get; }

    /// <summary>
    /// Parses an input file's text and reads its top-level object with <paramref name="read"/>: broken JSON, or a top
    /// level that is not an object (<paramref name="holds"/> says what it must hold), is one problem at <c>$</c> and
    /// nothing is read. Comments are skipped, so planners may annotate their files. Every reader parses this way.
    /// </summary>
    public static T? ReadObject<T>(string json, List<ContractProblem> problems, string holds, Func<JsonElement, T?> read)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(read);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            problems.Add(new ContractProblem("$", $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): fix the syntax first."));
            return null;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new ContractProblem("$", $"must be a JSON object with {holds}."));
                return null;
            }

            return read(document.RootElement);
        }
    }

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip };

    public void Problem(string path, string message) => _problems.Add(new ContractProblem(path, message));

    public bool Has(string name) => _element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>The raw value of a field, or null when absent.</summary>
    public JsonElement? Raw(string name) => _element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public string? String(string name, bool required)
    {
        if (!TryGet(name, required, out var value, out var path))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Problem(path, $"must be a text value in quotes, got {Describe(value)}.");
            return null;
        }

        var text = value.GetString()!;
        if (required && text.Trim().Length == 0)
        {
            Problem(path, "must not be empty.");
            return null;
        }

        return text;
    }

    public bool? Boolean(string name)
    {
        if (!TryGet(name, required: false, out var value, out var path))
        {
            return null;
        }

        return BooleanValue(value, path);
    }

    /// <summary>A finite number within [min, max]; <paramref name="what"/> names the quantity in the message.</summary>
    public double? Number(string name, bool required, string what, double min = 0, double max = double.PositiveInfinity)
    {
        if (!TryGet(name, required, out var value, out var path))
        {
            return null;
        }

        return NumberValue(value, path, what, min, max);
    }

    public double? NumberValue(JsonElement value, string path, string what, double min, double max)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number))
        {
            Problem(path, $"must be a number ({what}), got {Describe(value)}.");
            return null;
        }

        if (!double.IsFinite(number))
        {
            Problem(path, $"must be a finite number ({what}); {value.GetRawText()} is out of range.");
            return null;
        }

        if (number < min || number > max)
        {
            Problem(path, RangeMessage(number, what, min, max));
            return null;
        }

        return number;
    }

    /// <summary>A whole number within [min, max].</summary>
    public int? Integer(string name, bool required, string what, int min = 0, int max = int.MaxValue)
    {
        if (!TryGet(name, required, out var value, out var path))
        {
            return null;
        }

        return IntegerValue(value, path, what, min, max);
    }

    public int? IntegerValue(JsonElement value, string path, string what, int min, int max)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            Problem(path, $"must be a whole number ({what}), got {Describe(value)}.");
            return null;
        }

        if (number != Math.Floor(number))
        {
            Problem(path, $"must be a whole number ({what}), got {Format(number)}.");
            return null;
        }

        if (number < min || number > max)
        {
            Problem(path, RangeMessage(number, what, min, max));
            return null;
        }

        return (int)number;
    }

    /// <summary>A whole number from 0 to 2^64 - 1 (a seed), or null with a problem recorded.</summary>
    public ulong? UnsignedValue(JsonElement value, string path, string what)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number))
        {
            return number;
        }

        Problem(path, $"must be a whole number from 0 to {ulong.MaxValue} ({what}), got {Describe(value)}.");
        return null;
    }

    /// <summary>True or false, or null with a problem recorded.</summary>
    public bool? BooleanValue(JsonElement value, string path)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Problem(path, $"must be true or false, got {Describe(value)}.");
        return null;
    }

    public JsonElement? Object(string name, bool required)
    {
        if (!TryGet(name, required, out var value, out var path))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            Problem(path, $"must be an object {{ ... }}, got {Describe(value)}.");
            return null;
        }

        return value;
    }

    /// <summary>The items of an array field with their paths; empty when absent or mistyped (a problem is recorded).</summary>
    public IReadOnlyList<(JsonElement Item, string Path)>? Array(string name, bool required)
    {
        if (!TryGet(name, required, out var value, out var path))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Problem(path, $"must be an array [ ... ], got {Describe(value)}.");
            return null;
        }

        return value.EnumerateArray().Select((item, i) => (item, $"{path}[{i}]")).ToList();
    }

    /// <summary>A list of text ids; null when absent.</summary>
    public List<(string Id, string Path)>? IdList(string name)
    {
        var items = Array(name, required: false);
        if (items is null)
        {
            return null;
        }

        var ids = new List<(string, string)>();
        foreach (var (item, path) in items)
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString()!.Length > 0)
            {
                ids.Add((item.GetString()!, path));
            }
            else
            {
                Problem(path, $"must be an id in quotes, got {Describe(item)}.");
            }
        }

        return ids;
    }

    private bool TryGet(string name, bool required, out JsonElement value, out string path)
    {
        path = $"{Path}.{name}";
        if (_element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        if (required)
        {
            Problem(path, "is required but missing.");
        }

        return false;
    }

    private static string RangeMessage(double number, string what, double min, double max)
    {
        if (number < 0 && min >= 0)
        {
            return $"{Format(number)} is negative; {what} must be {Format(min)} or more.";
        }

        if (number > max && max >= int.MaxValue)
        {
            return $"{Format(number)} is too large; {what} must be at most {Format(max)}.";
        }

        return double.IsPositiveInfinity(max) || max >= int.MaxValue
            ? $"{Format(number)} is too small; {what} must be {Format(min)} or more."
            : $"{Format(number)} is outside [{Format(min)}, {Format(max)}]; {what} must lie in that range.";
    }

    public static string Format(double number) => number.ToString("G", CultureInfo.InvariantCulture);

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the text \"{value.GetString()}\"",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    private static string? ClosestName(string name, string[] candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = EditDistance(name.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // Only suggest when the typo is small relative to the name; otherwise the list of allowed fields says enough.
        return bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
