using System.Text.Json;

namespace Allocator.Core.Json;

/// <summary>The shapes the writers of instance and plan files repeat: an array of objects, an object of numbers.</summary>
internal static class JsonSections
{
    /// <summary>An array of objects, each written by <paramref name="write"/> between its braces.</summary>
    public static void WriteItems<T>(this Utf8JsonWriter w, string name, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        w.WriteStartArray(name);
        foreach (var item in items)
        {
            w.WriteStartObject();
            write(w, item);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>An object of numbers, in the order given.</summary>
    public static void WriteSection(this Utf8JsonWriter w, string name, params (string Name, double Value)[] numbers)
    {
        w.WriteStartObject(name);
        foreach (var (field, value) in numbers)
        {
            w.WriteNumber(field, value);
        }

        w.WriteEndObject();
    }
}
