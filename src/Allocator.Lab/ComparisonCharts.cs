using Allocator.Core.Evaluation;
using ScottPlot;

namespace Allocator.Lab;

/// <summary>A chart of a comparison, drawn once and saved as PNG and SVG.</summary>
public sealed record Chart(string Name, string Title, Plot Plot)
{
    /// <summary>Width and height in pixels.</summary>
    public const int Width = 1000, Height = 560;

    private byte[]? _png;

    /// <summary>The chart as PNG, rendered on first use (the file and the report share it).</summary>
    public byte[] Png => _png ??= Plot.GetImageBytes(Width, Height, ImageFormat.Png);
}

/// <summary>
/// The comparison's charts (ScottPlot): the value distribution per policy, mean against CVaR (the risk frontier), the
/// paired differences with the baseline as a forest plot, and a chosen policy's GPUs per pool over time, stacked as
/// leases, training, spot and idle (one chart per pool).
/// </summary>
public static class ComparisonCharts
{
    /// <summary>Every chart of one instance's comparison; <paramref name="chosen"/> is the policy whose GPUs are drawn over time.</summary>
    public static IReadOnlyList<Chart> Of(InstanceComparison comparison, string chosen)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var instance = comparison.Instance;
        var scored = comparison.Policies.Where(p => p.Risk is not null).ToList();
        if (scored.Count == 0)
        {
            return []; // no policy found a plan (the instance's commitments cannot all be met): nothing to draw
        }

        var charts = new List<Chart>
        {
            new("distribution", $"{comparison.Name}: value per scenario", Distribution(scored)),
            new("frontier", $"{comparison.Name}: mean against CVaR", Frontier(scored)),
            new("differences", $"{comparison.Name}: difference from the baseline, 95% intervals", Forest(scored)),
        };
        if (scored.FirstOrDefault(p => p.Policy == chosen) is { } policy)
        {
            for (var pool = 0; pool < instance.PoolCount; pool++)
            {
                var id = instance.Source.Pools[pool].Id;
                charts.Add(new($"gpus-{id}", $"{comparison.Name}: pool {id} under {policy.Policy}", Fleet(policy, instance, pool)));
            }
        }

        foreach (var chart in charts)
        {
            chart.Plot.Title(chart.Title);
        }

        return charts;
    }

    /// <summary>Writes each chart as NAME.png and NAME.svg into <paramref name="folder"/> (each file atomically); returns the PNG paths.</summary>
    public static IReadOnlyList<string> Save(IEnumerable<Chart> charts, string folder, string prefix)
    {
        ArgumentNullException.ThrowIfNull(charts);
        var written = new List<string>();
        foreach (var chart in charts)
        {
            var png = Path.Combine(folder, $"{prefix}{chart.Name}.png");
            Core.IO.AtomicFile.WriteAllBytes(png, chart.Png);
            Core.IO.AtomicFile.WriteAllText(Path.ChangeExtension(png, ".svg"), chart.Plot.GetSvgXml(Chart.Width, Chart.Height));
            written.Add(png);
        }

        return written;
    }

    /// <summary>Each policy's histogram of scenario totals over common bins, as a line.</summary>
    private static Plot Distribution(List<PolicyResult> policies)
    {
        var plot = new Plot();
        var all = policies.SelectMany(p => p.Totals).ToList();
        var (low, high) = (all.Min(), all.Max());
        const int bins = 40;
        var width = Math.Max((high - low) / bins, 1);
        foreach (var policy in policies)
        {
            var counts = new double[bins];
            foreach (var total in policy.Totals)
            {
                counts[Math.Clamp((int)((total - low) / width), 0, bins - 1)] += 1.0 / policy.Totals.Count;
            }

            var centres = Enumerable.Range(0, bins).Select(b => (low + (b + 0.5) * width) / 1e6).ToArray();
            var line = plot.Add.ScatterLine(centres, counts);
            line.LegendText = policy.Policy;
            line.LineWidth = 2;
        }

        plot.XLabel("value in a scenario (million USD)");
        plot.YLabel("share of scenarios");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Each policy as a point: mean across, CVaR up; up and to the right is better on both.</summary>
    private static Plot Frontier(List<PolicyResult> policies)
    {
        var plot = new Plot();
        // Named in the legend, each with its own colour and shape, so that points that nearly coincide stay readable.
        MarkerShape[] shapes = [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledDiamond, MarkerShape.FilledTriangleUp, MarkerShape.FilledTriangleDown, MarkerShape.Cross, MarkerShape.Eks, MarkerShape.Asterisk];
        for (var i = 0; i < policies.Count; i++)
        {
            var marker = plot.Add.Marker(policies[i].Risk!.Mean / 1e6, policies[i].Risk!.CVaR / 1e6);
            marker.MarkerSize = 13;
            marker.MarkerShape = shapes[i % shapes.Length];
            marker.LegendText = policies[i].Policy;
        }

        plot.ShowLegend(Edge.Right);
        plot.XLabel("mean (million USD)");
        plot.YLabel($"CVaR {Core.Text.Figures.Percent(policies[0].Risk!.Alpha)} (million USD)");
        plot.Axes.Margins(0.15, 0.15);
        return plot;
    }

    /// <summary>Each policy's mean and CVaR difference from the baseline with its 95% interval, one row each, zero marked.</summary>
    private static Plot Forest(List<PolicyResult> policies)
    {
        var plot = new Plot();
        var rows = policies.Where(p => p.MeanDifference is not null).ToList();
        var ticks = new List<(double Position, string Label)>();
        for (var i = 0; i < rows.Count; i++)
        {
            var y = rows.Count - i;
            Interval(plot, rows[i].MeanDifference!, y + 0.15, Colors.Blue, i == 0 ? "mean" : null);
            Interval(plot, rows[i].CvarDifference!, y - 0.15, Colors.OrangeRed, i == 0 ? "CVaR" : null);
            ticks.Add((y, rows[i].Policy));
        }

        plot.Add.VerticalLine(0, 1, Colors.Gray);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks.Select(t => t.Position)], [.. ticks.Select(t => t.Label)]);
        plot.Axes.SetLimitsY(0.3, rows.Count + 0.7);
        plot.XLabel("policy - baseline (million USD)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static void Interval(Plot plot, Difference d, double y, Color color, string? legend)
    {
        var line = plot.Add.Line(d.Low / 1e6, y, d.High / 1e6, y);
        line.Color = color;
        line.LineWidth = 3;
        var marker = plot.Add.Marker(d.Estimate / 1e6, y);
        marker.Color = color;
        marker.MarkerSize = 10;
        if (legend is not null)
        {
            marker.LegendText = legend;
        }
    }

    /// <summary>The policy's plan on one pool, period by period: GPUs leased, training, sold on spot, and idle.</summary>
    private static Plot Fleet(PolicyResult policy, CompiledInstance instance, int onPool)
    {
        var plot = new Plot();
        var evaluation = policy.Plan.Evaluation!;
        var T = instance.Periods;
        var lease = new double[T];
        var training = new double[T];
        foreach (var block in instance.Blocks())
        {
            var (pool, start) = evaluation.Assignment.Placement(block);
            for (var t = start; pool == onPool && t < Math.Min(T, start + instance.Periods(block)); t++)
            {
                (block.IsJob ? training : lease)[t] += instance.Gpus(block);
            }
        }

        var spot = Enumerable.Range(0, T).Select(t => evaluation.Spot[onPool * T + t]).ToArray();
        var capacity = Enumerable.Range(0, T).Select(t => (double)instance.CapacityAt(onPool, t)).ToArray();
        var idle = capacity.Select((c, t) => Math.Max(0, c - lease[t] - training[t] - spot[t])).ToArray();
        var layers = new (string Name, double[] Gpus, Color Color)[]
        {
            ("leases", lease, Colors.SteelBlue), ("training", training, Colors.SeaGreen), ("spot", spot, Colors.Orange), ("idle", idle, Colors.LightGray),
        };
        var below = new double[T];
        foreach (var (name, gpus, color) in layers)
        {
            var bars = Enumerable.Range(0, T).Select(t => new Bar { Position = t, ValueBase = below[t] / 1e3, Value = (below[t] + gpus[t]) / 1e3, FillColor = color }).ToList();
            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = name, FillColor = color });
            for (var t = 0; t < T; t++)
            {
                below[t] += gpus[t];
            }
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.XLabel($"period ({instance.PeriodHours:0} h each)");
        plot.YLabel("thousand GPUs");
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
