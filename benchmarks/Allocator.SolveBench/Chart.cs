using System.Globalization;
using ScottPlot;

/// <summary>Objective and bound against time, for the planner and the plain solve, in millions of USD.</summary>
internal static class Chart
{
    public static void Draw(string name, TimeSpan limit, Outcome planner, Outcome plain, string path)
    {
        var plot = new Plot();
        Steps(plot, planner.Points, p => p.Objective, limit, Colors.Blue, "planner: best plan", LinePattern.Solid);
        Steps(plot, planner.Points.Where(p => p.Bound is not null).ToList(), p => p.Bound!.Value, limit, Colors.Blue, "planner: bound", LinePattern.Dashed);
        Steps(plot, plain.Points, p => p.Objective, limit, Colors.OrangeRed, "plain SCIP: best plan", LinePattern.Solid);
        Steps(plot, plain.Points.Where(p => p.Bound is not null).ToList(), p => p.Bound!.Value, limit, Colors.OrangeRed, "plain SCIP: bound", LinePattern.Dashed);
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"{name}: objective and bound over time ({limit.TotalSeconds:0} s limit)"));
        plot.XLabel("seconds");
        plot.YLabel("million USD");
        plot.Axes.SetLimitsX(0, limit.TotalSeconds * 1.02);
        var all = planner.Points.Concat(plain.Points).ToList();
        if (all.Count > 0)
        {
            // From the worst plan either solve held (the planner's start plan shows from its first second) to a little
            // above the highest bound.
            var top = all.Select(p => p.Bound ?? p.Objective).Max() / 1e6;
            var low = all.Min(p => p.Objective) / 1e6;
            var margin = Math.Max((top - low) * 0.03, 1e-4 * top);
            plot.Axes.SetLimitsY(low - margin, top + margin);
        }

        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 1100, 650);
    }

    private static void Steps(Plot plot, IReadOnlyList<Point> points, Func<Point, double> value, TimeSpan limit, Color color, string label, LinePattern pattern)
    {
        if (points.Count == 0)
        {
            return;
        }

        var xs = points.Select(p => p.Seconds).Append(limit.TotalSeconds).ToArray();
        var ys = points.Select(p => value(p) / 1e6).Append(value(points[^1]) / 1e6).ToArray();
        var line = plot.Add.ScatterLine(xs, ys, color);
        line.ConnectStyle = ConnectStyle.StepHorizontal;
        line.LegendText = label;
        line.LinePattern = pattern;
        line.LineWidth = 2;
    }
}
