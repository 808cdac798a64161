using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Allocator.Core.IO;
using Allocator.Core.Text;
using Parquet.Serialization;
using ScottPlot;

namespace Allocator.Lab;

/// <summary>
/// What <c>allocator simulate</c> writes: summary.csv and summary.json (one line per policy), results.parquet (one row
/// per policy and scenario, for pandas, polars or DuckDB), decisions.json (each epoch's decisions in the shown scenario) and
/// each epoch's residual instance and plan in it (<see cref="ShownEpochs"/>),
/// the charts as PNG and SVG (value over time; the decisions timeline) and report.html. Each file atomically.
/// </summary>
public static class SimulationFiles
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// Writes every file into <paramref name="folder"/>; returns their paths. <paramref name="decisions"/>: decisions.json
    /// as a task wrote it, for a merge (whose runs hold no decisions of their own).
    /// </summary>
    public static IReadOnlyList<string> Write(string folder, SimulationResult result, string? decisions = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var summaries = Simulation.Summarize(result);
        var files = new List<string>();
        void Save(string name, Action<string> write)
        {
            var path = Path.Combine(folder, name);
            write(path);
            files.Add(path);
        }

        Save("results.parquet", path => AtomicFile.WriteAllBytes(path, Parquet(result)));
        Save("summary.csv", path => AtomicFile.WriteAllText(path, Csv(summaries)));
        Save("summary.json", path => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(Summary(result, summaries), Json) + "\n"));
        if (decisions is not null || result.Policies.All(p => p.Shown is not null))
        {
            Save("decisions.json", path => AtomicFile.WriteAllText(path, decisions ?? JsonSerializer.Serialize(Decisions(result), Json) + "\n"));
        }

        if (result.Policies.All(p => p.Shown is not null) && ShownEpochs.Write(folder, result) > 0)
        {
            files.Add(Path.Combine(folder, ShownEpochs.Folder));
        }

        var charts = SimulationReport.Charts(result, decisions);
        files.AddRange(ComparisonCharts.Save(charts, folder, string.Empty));
        Save("report.html", path => AtomicFile.WriteAllText(path, SimulationReport.Html(result, charts)));
        return files;
    }

    /// <summary>One row per policy and scenario: its value, the epochs it had no plan, and the clairvoyant value when solved.</summary>
    public static byte[] Parquet(SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = result.Policies.SelectMany(p => p.Values.Select((v, k) => new SimulationRow
        {
            Instance = result.Request.Instance.Source.Name,
            Policy = p.Name,
            Scenario = result.Request.FirstScenario + k,
            Value = v,
            FailedEpochs = p.FailedEpochs[k],
            LimitedEpochs = p.LimitedEpochs[k],
            Clairvoyant = result.Clairvoyant?[k],
            ClairvoyantBound = result.ClairvoyantBound?[k],
        })).ToList();
        using var stream = new MemoryStream();
        ParquetSerializer.SerializeAsync(rows, stream).GetAwaiter().GetResult();
        return stream.ToArray();
    }

    /// <summary>One line per policy.</summary>
    public static string Csv(IReadOnlyList<SimulatedSummary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var csv = new StringBuilder("policy,mean,cvar,failed_epochs,limited_epochs,epochs,adapting,adapting_low,adapting_high,regret,regret_low,regret_high,beat_clairvoyant,seconds\n");
        foreach (var s in summaries)
        {
            csv.AppendLine(string.Join(',', CsvField.Of(s.Name), Number(s.Mean), Number(s.ConditionalValueAtRisk), s.FailedEpochs.ToString(CultureInfo.InvariantCulture),
                s.LimitedEpochs.ToString(CultureInfo.InvariantCulture), s.Epochs.ToString(CultureInfo.InvariantCulture), Number(s.Adapting?.Estimate), Number(s.Adapting?.Low), Number(s.Adapting?.High), Number(s.Regret?.Estimate), Number(s.Regret?.Low), Number(s.Regret?.High),
                Number(s.BeatClairvoyant), Number(s.Seconds)));
        }

        return csv.ToString();
    }

    private static string Number(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty;

    private static object Summary(SimulationResult result, IReadOnlyList<SimulatedSummary> summaries) => new
    {
        instance = result.Request.Instance.Source.Name,
        scenarios = result.Request.Scenarios,
        firstScenario = result.Request.FirstScenario,
        seed = result.Request.Seed,
        replanEvery = result.Request.ReplanEvery,
        alpha = result.Request.Alpha,
        clairvoyant = result.Clairvoyant is { } c ? c.Average() : (double?)null,
        clairvoyantBound = result.ClairvoyantBound is { } b ? b.Average() : (double?)null,
        hindsightUnproven = result.Shortfall?.Unproven ?? (result.ClairvoyantBound is null ? (int?)null : 0),
        seconds = result.Seconds,
        policies = summaries.Select(s => new
        {
            s.Name,
            s.Mean,
            cVaR = s.ConditionalValueAtRisk,
            s.FailedEpochs,
            s.LimitedEpochs,
            s.Epochs,
            adapting = s.Adapting is { } a ? new { a.Estimate, a.Low, a.High, a.P } : null,
            regret = s.Regret is { } r ? new { r.Estimate, r.Low, r.High, r.P } : null,
            s.BeatClairvoyant,
            s.Seconds,
        }),
    };

    /// <summary>Each policy's decisions in the shown scenario, epoch by epoch (every run must hold it).</summary>
    public static object Decisions(SimulationResult result) => new
    {
        scenario = result.Request.ShownScenario,
        policies = result.Policies.Select(p => new
        {
            p.Name,
            value = p.Shown!.Outcome.Total,
            epochs = p.Shown.Epochs.Select(e => new { e.Epoch, outcome = e.Outcome.ToString(), e.Ended, e.Accepted, e.Declined, e.Seconds, valueBefore = e.Epoch == 0 ? 0 : p.Shown.ValueByPeriod[e.Epoch - 1] }),
        }),
    };

    /// <summary>Each policy's mean money made by the end of each period, in million USD.</summary>
    internal static Plot ValueOverTime(SimulationResult result)
    {
        var plot = new Plot();
        var periods = Enumerable.Range(0, result.Request.Instance.Periods).Select(t => (double)t).ToArray();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < result.Policies.Length; i++)
        {
            var policy = result.Policies[i];
            var line = plot.Add.ScatterLine(periods, [.. policy.MeanValueByPeriod.Select(v => v / 1e6)]);
            line.LegendText = policy.Name;
            line.Color = palette.GetColor(i);
            line.LineWidth = 2;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.XLabel($"period ({result.Request.Instance.PeriodHours:0} h each)");
        plot.YLabel("million USD made so far (mean over scenarios)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>A row of results.parquet.</summary>
    public sealed class SimulationRow
    {
        /// <summary>The instance's name.</summary>
        [JsonPropertyName("instance")]
        public string Instance { get; set; } = string.Empty;

        /// <summary>The policy.</summary>
        [JsonPropertyName("policy")]
        public string Policy { get; set; } = string.Empty;

        /// <summary>The scenario number.</summary>
        [JsonPropertyName("scenario")]
        public long Scenario { get; set; }

        /// <summary>Money made over the horizon (USD).</summary>
        [JsonPropertyName("value")]
        public double Value { get; set; }

        /// <summary>Epochs at which the policy had no feasible plan.</summary>
        [JsonPropertyName("failed_epochs")]
        public int FailedEpochs { get; set; }

        /// <summary>Epochs at which the policy's solve stopped at its time or node limit before proving its plan optimal.</summary>
        [JsonPropertyName("limited_epochs")]
        public int LimitedEpochs { get; set; }

        /// <summary>The scenario's clairvoyant value (USD), when solved.</summary>
        [JsonPropertyName("clairvoyant")]
        public double? Clairvoyant { get; set; }

        /// <summary>The bound on the scenario's clairvoyant value (USD): equal to it where its hindsight solve proved the optimum.</summary>
        [JsonPropertyName("clairvoyant_bound")]
        public double? ClairvoyantBound { get; set; }
    }
}
