using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Allocator.Core.Text;
using ScottPlot;

namespace Allocator.Lab;

/// <summary>
/// report.html: one self-contained page (styles inline, charts embedded as PNG) with each instance's table and charts,
/// and what reproduces it: the seed, the scenarios, the versions and the machine.
/// </summary>
public static class ComparisonReport
{
    /// <summary>The page for <paramref name="comparisons"/>, with each instance's charts.</summary>
    public static string Html(ComparisonRequest request, IReadOnlyList<(InstanceComparison Comparison, IReadOnlyList<Chart> Charts)> comparisons, string device)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(comparisons);
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Allocator policy comparison</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin: 1em 0; font-size: 14px; }
            th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            th { background: #f0f0f0; }
            td { white-space: nowrap; }
            td.shown { font-weight: bold; }
            img { max-width: 100%; border: 1px solid #eee; margin: 0.5em 0; }
            .note { color: #555; font-size: 13px; }
            </style></head><body>
            <h1>Policy comparison</h1>
            """);
        html.Append(CultureInfo.InvariantCulture,
            $"<p>Every policy is scored on the same scenarios (seed {request.Seed}; scenario k is the same draw for every plan), against <b>{Encode(request.Baseline)}</b>. ");
        html.Append("Differences are policy - baseline with 95% intervals: paired t for the mean, paired bootstrap for CVaR; p-values are Holm-adjusted across each instance's comparisons, and <b>bold</b> marks p &lt; 0.05 after the adjustment. Costs and penalties are positive amounts.</p>");
        foreach (var (comparison, charts) in comparisons)
        {
            Instance(html, comparison, charts, request);
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            <h2>Reproduce</h2>
            <p class="note">Seed {request.Seed}; {request.Scenarios:N0} scenarios per batch{(request.Precision is { } p ? $", until every interval is narrower than {Figures.Percent(p)} of the baseline's mean" : "")}; CVaR of the worst {Figures.Percent(request.Alpha)}; scored on {Encode(device)}.
            Allocator {Encode(typeof(ComparisonReport).Assembly.GetName().Version?.ToString() ?? "?")}, .NET {Environment.Version}, ScottPlot {Encode(typeof(Plot).Assembly.GetName().Version?.ToString() ?? "?")};
            {Encode(RuntimeInformation.OSDescription)}, {Environment.ProcessorCount} cores; written {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.</p>
            </body></html>
            """);
        return html.ToString();
    }

    private static void Instance(StringBuilder html, InstanceComparison comparison, IReadOnlyList<Chart> charts, ComparisonRequest request)
    {
        html.Append(CultureInfo.InvariantCulture, $"<h2>{Encode(comparison.Name)}</h2><p class=\"note\">{comparison.Scenarios:N0} scenarios; solving {comparison.Policies.Sum(p => p.SolveSeconds):0.0} s, scoring {comparison.ScoringSeconds:0.0} s.</p>");
        html.Append(CultureInfo.InvariantCulture, $"<table><tr><th>policy</th><th>mean</th><th>stdev</th><th>CVaR {Figures.Percent(request.Alpha)}</th><th>P(any lease short)</th><th>utilisation</th><th>lease revenue</th><th>less penalties</th><th>job value</th><th>spot</th><th>less power</th><th>solve</th></tr>");
        foreach (var p in comparison.Policies)
        {
            if (p.Risk is not { } r)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Encode(p.Policy)}</td><td colspan=\"13\">no plan: {Encode(p.Plan.Problem ?? "")}</td></tr>");
                continue;
            }

            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{Encode(p.Policy)}</td><td>{Figures.Whole(r.Mean)}</td><td>{Figures.Whole(r.StandardDeviation)}</td><td>{Figures.Whole(r.CVaR)}</td><td>{Figures.Percent(r.ProbabilityAnyLeaseShort)}</td>"
                + $"<td>{Figures.Percent(p.Plan.Evaluation!.Kpis.Utilisation)}</td><td>{Figures.Whole(r.MeanLeaseRevenue)}</td><td>{Figures.Whole(r.MeanPenalty)}</td><td>{Figures.Whole(r.MeanJobValue)}</td>"
                + $"<td>{Figures.Whole(r.MeanSpotRevenue)}</td><td>{Figures.Whole(r.MeanPowerCost)}</td><td>{Figures.Seconds(p.SolveSeconds)}</td></tr>");
        }

        html.Append("</table>");
        html.Append(CultureInfo.InvariantCulture, $"<table><tr><th>policy - {Encode(request.Baseline)}</th><th>mean</th><th>95% interval</th><th>p (Holm)</th><th>CVaR</th><th>95% interval</th><th>p (Holm)</th></tr>");
        foreach (var p in comparison.Policies.Where(p => p.MeanDifference is not null))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Encode(p.Policy)}</td>{Cells(p.MeanDifference!)}{Cells(p.CvarDifference!)}</tr>");
        }

        html.Append("</table>");
        foreach (var chart in charts)
        {
            var png = Convert.ToBase64String(chart.Png);
            html.Append(CultureInfo.InvariantCulture, $"<div><img alt=\"{Encode(chart.Title)}\" src=\"data:image/png;base64,{png}\"></div>");
        }
    }

    private static string Cells(Difference d)
    {
        var shown = d.Shown ? " class=\"shown\"" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"<td{shown}>{(Math.Round(d.Estimate) > 0 ? "+" : "")}{Figures.Whole(d.Estimate)}</td><td>{Figures.Whole(d.Low)} .. {Figures.Whole(d.High)}</td><td{shown}>{(d.AdjustedP < 0.0001 ? "&lt;0.0001" : d.AdjustedP.ToString("0.####", CultureInfo.InvariantCulture))}</td>");
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
