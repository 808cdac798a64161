using System.Globalization;
using System.Text;
using Allocator.Core.Text;

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
        html.Append(ReportPage.Head("Allocator policy comparison", "Policy comparison"));
        html.Append(CultureInfo.InvariantCulture,
            $"<p>Every policy is scored on the same scenarios (seed {request.Seed}; scenario k is the same draw for every plan), against <b>{Encode(request.Baseline)}</b>. ");
        html.Append("Differences are policy - baseline with 95% intervals: paired t for the mean, paired bootstrap for CVaR; p-values are Holm-adjusted across each instance's comparisons, and <b>bold</b> marks p &lt; 0.05 after the adjustment. Costs and penalties are positive amounts.</p>");
        if (comparisons.Count < request.Instances.Count)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<p><b>Stopped</b> (SIGTERM or Ctrl-C) after {comparisons.Count} of {request.Instances.Count} instances; not compared: {Encode(string.Join(", ", request.Instances.Skip(comparisons.Count).Select(Path.GetFileNameWithoutExtension)))}.</p>");
        }

        foreach (var (comparison, charts) in comparisons)
        {
            Instance(html, comparison, charts, request);
        }

        html.Append(ReportPage.Reproduce(
            $"Seed {request.Seed}; {request.Scenarios:N0} scenarios per batch{(request.Precision is { } p ? $", until every interval is narrower than {Figures.Percent(p)} of the baseline's mean" : "")}; CVaR of the worst {Figures.Percent(request.Alpha)}; scored on {device}."));
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
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Encode(p.Policy)}</td><td class=\"problem\" colspan=\"10\">no plan: {Encode(p.Plan.Problem ?? "")}</td><td>{Encode(p.Solve)}</td></tr>");
                continue;
            }

            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{Encode(p.Policy)}</td><td>{Figures.Whole(r.Mean)}</td><td>{Figures.Whole(r.StandardDeviation)}</td><td>{Figures.Whole(r.CVaR)}</td><td>{Figures.Percent(r.ProbabilityAnyLeaseShort)}</td>"
                + $"<td>{Figures.Percent(p.Plan.Evaluation!.Kpis.Utilisation)}</td><td>{Figures.Whole(r.MeanLeaseRevenue)}</td><td>{Figures.Whole(r.MeanPenalty)}</td><td>{Figures.Whole(r.MeanJobValue)}</td>"
                + $"<td>{Figures.Whole(r.MeanSpotRevenue)}</td><td>{Figures.Whole(r.MeanPowerCost)}</td><td>{Encode(p.Solve)}</td></tr>");
        }

        html.Append("</table>");
        // No differences where no policy beside the baseline has a plan, or the baseline has none.
        if (comparison.HasDifferences)
        {
            html.Append(CultureInfo.InvariantCulture, $"<table><tr><th>policy - {Encode(request.Baseline)}</th><th>mean</th><th>95% interval</th><th>p (Holm)</th><th>CVaR</th><th>95% interval</th><th>p (Holm)</th></tr>");
            foreach (var p in comparison.Policies.Where(p => p.MeanDifference is not null))
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Encode(p.Policy)}</td>{Cells(p.MeanDifference!)}{Cells(p.CvarDifference!)}</tr>");
            }

            html.Append("</table>");
        }

        foreach (var chart in charts)
        {
            html.Append(ReportPage.Image(chart));
        }
    }

    private static string Cells(Difference d)
    {
        var shown = d.Shown ? " class=\"shown\"" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"<td{shown}>{Figures.Signed(d.Estimate)}</td><td>{Figures.Whole(d.Low)} .. {Figures.Whole(d.High)}</td><td{shown}>{(d.AdjustedP < 0.0001 ? "&lt;0.0001" : d.AdjustedP.ToString("0.####", CultureInfo.InvariantCulture))}</td>");
    }

    private static string Encode(string text) => ReportPage.Encode(text);
}
