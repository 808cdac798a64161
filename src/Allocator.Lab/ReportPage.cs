using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using ScottPlot;

namespace Allocator.Lab;

/// <summary>The frame every report page shares: one self-contained HTML page (styles inline, charts embedded as PNG) and what reproduces it.</summary>
internal static class ReportPage
{
    /// <summary>The page's head, its styles and its heading.</summary>
    public static string Head(string title, string heading) => $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{{Encode(title)}}</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 14px; }
        th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
        th:first-child, td:first-child { text-align: left; }
        th { background: #f0f0f0; }
        td { white-space: nowrap; }
        td.shown { font-weight: bold; }
        td.problem { text-align: left; white-space: pre-line; }
        img { max-width: 100%; border: 1px solid #eee; margin: 0.5em 0; }
        .note { color: #555; font-size: 13px; }
        .warning { color: #8a4b00; background: #fff4e0; border-left: 4px solid #e0a030; padding: 6px 10px; }
        </style></head><body>
        <h1>{{Encode(heading)}}</h1>

        """;

    /// <summary>A chart, embedded.</summary>
    public static string Image(Chart chart) =>
        $"<div><img alt=\"{Encode(chart.Title)}\" src=\"data:image/png;base64,{Convert.ToBase64String(chart.Png)}\"></div>";

    /// <summary>The closing section: <paramref name="settings"/>, the versions and the machine; and the end of the page.</summary>
    public static string Reproduce(string settings) => string.Create(CultureInfo.InvariantCulture, $"""
        <h2>Reproduce</h2>
        <p class="note">{Encode(settings)}
        Allocator {Encode(Core.ThisBuild.Version)}, .NET {Environment.Version}, ScottPlot {Encode(typeof(Plot).Assembly.GetName().Version?.ToString() ?? "?")};
        {Encode(RuntimeInformation.OSDescription)}, {Environment.ProcessorCount} cores; written {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.</p>
        </body></html>

        """);

    public static string Encode(string text) => WebUtility.HtmlEncode(text);
}
