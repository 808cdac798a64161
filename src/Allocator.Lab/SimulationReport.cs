using System.Globalization;
using System.Text;
using Allocator.Core.Policies;
using Allocator.Core.Text;
using ScottPlot;

namespace Allocator.Lab;

/// <summary>
/// report.html of a simulation: the lab's table and intervals (mean, CVaR, the value of adapting against the static
/// plan, the regret against the clairvoyant value), the mean value over time, and the timeline of each policy's
/// decisions in the shown scenario.
/// </summary>
public static class SimulationReport
{
    /// <summary>
    /// The charts of <paramref name="result"/>: value over time, and the decisions timeline of the shown scenario, from
    /// the runs or (a merge) from <paramref name="decisions"/>, the decisions.json of the task that ran it.
    /// </summary>
    public static IReadOnlyList<Chart> Charts(SimulationResult result, string? decisions = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var name = result.Request.Instance.Source.Name;
        var charts = new List<Chart> { new("value-over-time", $"{name}: mean money made by the end of each period", SimulationFiles.ValueOverTime(result)) };
        var rows = result.Policies.All(p => p.Shown is not null)
            ? [.. result.Policies.Select(p => new TimelineRow(p.Name, [.. p.Shown!.Epochs.Select(e => (e.Epoch, e.Accepted.Length, e.Declined.Length, e.Outcome == PolicyOutcome.Planned))]))]
            : decisions is null ? null : Rows(decisions);
        if (rows is not null)
        {
            charts.Add(new("decisions", $"{name}: decisions in scenario {result.Request.ShownScenario} (offers accepted / declined at each epoch)", Timeline(rows, result.Request.Instance.Periods)));
        }

        foreach (var chart in charts)
        {
            chart.Plot.Title(chart.Title);
        }

        return charts;
    }

    /// <summary>The page.</summary>
    public static string Html(SimulationResult result, IReadOnlyList<Chart> charts)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(charts);
        var request = result.Request;
        var html = new StringBuilder(ReportPage.Head("Allocator closed-loop simulation", $"Closed loop: {request.Instance.Source.Name}"));
        html.Append(CultureInfo.InvariantCulture,
            $"<p>{request.Scenarios:N0} scenarios (seed {request.Seed}; scenario k is the same draw for every policy). At each epoch (every {request.ReplanEvery} period(s)) a policy plans the residual instance of what it knows; the scenario runs its plan until the next epoch under the recourse rules. ");
        html.Append("Static policies plan once, at period 0. Differences are paired, with 95% t intervals: the value of adapting is the policy's mean minus the static plan's; the regret is the clairvoyant value (each scenario's hindsight instance solved exactly) minus the policy's. Costs and penalties are positive amounts.</p>");
        html.Append(CultureInfo.InvariantCulture, $"<table><tr><th>policy</th><th>mean</th><th>CVaR {Figures.Percent(request.Alpha)}</th><th>epochs without a plan</th><th>epochs stopped at the limit</th><th>value of adapting</th><th>95% interval</th><th>regret</th><th>95% interval</th><th>beat clairvoyant</th><th>seconds</th></tr>");
        foreach (var s in Simulation.Summarize(result))
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{ReportPage.Encode(s.Name)}</td><td>{Figures.Whole(s.Mean)}</td><td>{Figures.Whole(s.ConditionalValueAtRisk)}</td><td>{s.FailedEpochs}</td><td>{s.LimitedEpochs:N0} of {s.Epochs:N0}</td>{Cells(s.Adapting)}{Cells(s.Regret)}"
                + $"<td>{(s.BeatClairvoyant is { } b ? Figures.Percent(b) : "-")}</td><td>{Figures.Seconds(s.Seconds)}</td></tr>");
        }

        html.Append("</table>");
        if (result.Clairvoyant is { } c)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">Clairvoyant mean {Figures.Whole(c.Average())}: a benchmark, not a bound (recourse can pause jobs and sell fractional spot, which plans cannot).</p>");
            if (result.Shortfall is { } shortfall)
            {
                html.Append(CultureInfo.InvariantCulture, $"<p class=\"warning\">{ReportPage.Encode(shortfall.Sentence)}</p>");
            }
        }

        foreach (var chart in charts)
        {
            html.Append(ReportPage.Image(chart));
        }

        html.Append(ReportPage.Reproduce(
            $"Seed {request.Seed}; scenarios {request.FirstScenario} .. {request.FirstScenario + request.Scenarios - 1}; re-planning every {request.ReplanEvery} period(s); CVaR of the worst {Figures.Percent(request.Alpha)}."));
        return html.ToString();
    }

    private static string Cells(Difference? d) =>
        d is null ? "<td>-</td><td>-</td>" : string.Create(CultureInfo.InvariantCulture, $"<td>{Figures.Signed(d.Estimate)}</td><td>{Figures.Signed(d.Low)} .. {Figures.Signed(d.High)}</td>");

    /// <summary>The timeline rows of a decisions.json.</summary>
    private static List<TimelineRow> Rows(string decisions)
    {
        using var document = System.Text.Json.JsonDocument.Parse(decisions);
        return
        [
            .. document.RootElement.GetProperty("policies").EnumerateArray().Select(p => new TimelineRow(
                p.GetProperty("name").GetString()!,
                [.. p.GetProperty("epochs").EnumerateArray().Select(e => (
                    e.GetProperty("epoch").GetInt32(), e.GetProperty("accepted").GetArrayLength(), e.GetProperty("declined").GetArrayLength(),
                    e.GetProperty("outcome").GetString() == nameof(PolicyOutcome.Planned)))])),
        ];
    }

    /// <summary>One row per policy: at each epoch, the offers it accepted (green, above) and declined (red, below); a black cross where it had no plan.</summary>
    private static Plot Timeline(IReadOnlyList<TimelineRow> timeline, int periods)
    {
        var plot = new Plot();
        var rows = timeline.Count;
        for (var i = 0; i < rows; i++)
        {
            var y = rows - 1 - i;
            foreach (var (epoch, accepted, declined, planned) in timeline[i].Epochs)
            {
                if (accepted > 0)
                {
                    plot.Add.Marker(epoch, y + 0.15, MarkerShape.FilledTriangleUp, 10, Colors.SeaGreen);
                    plot.Add.Text($"+{accepted}", epoch + 0.15, y + 0.3).LabelFontSize = 11;
                }

                if (declined > 0)
                {
                    plot.Add.Marker(epoch, y - 0.15, MarkerShape.FilledTriangleDown, 10, Colors.FireBrick);
                    plot.Add.Text($"-{declined}", epoch + 0.15, y - 0.1).LabelFontSize = 11;
                }

                if (!planned)
                {
                    plot.Add.Marker(epoch, y, MarkerShape.Cross, 12, Colors.Black);
                }
            }
        }

        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, rows).Select(i => (double)(rows - 1 - i))], [.. timeline.Select(r => r.Policy)]);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.SetLimits(-0.5, periods - 0.5, -0.7, rows - 0.3);
        plot.XLabel("epoch (period)");
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "offers accepted", MarkerShape = MarkerShape.FilledTriangleUp, MarkerSize = 10, MarkerFillColor = Colors.SeaGreen, MarkerLineColor = Colors.SeaGreen });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "offers declined", MarkerShape = MarkerShape.FilledTriangleDown, MarkerSize = 10, MarkerFillColor = Colors.FireBrick, MarkerLineColor = Colors.FireBrick });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "no plan: the last one runs on", MarkerShape = MarkerShape.Cross, MarkerSize = 10, MarkerLineColor = Colors.Black, MarkerLineWidth = 2 });
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>A policy's decisions in the shown scenario: per epoch, offers accepted and declined, and whether it planned.</summary>
    private sealed record TimelineRow(string Policy, IReadOnlyList<(int Epoch, int Accepted, int Declined, bool Planned)> Epochs);
}
