using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Allocator.Core.IO;
using Allocator.Core.Scenarios;
using Allocator.Core.Text;
using Allocator.Kernels;
using Parquet.Serialization;

namespace Allocator.Lab;

/// <summary>
/// What <c>allocator score --outcomes</c> writes: one row per plan and scenario, its score and the parts it is made of
/// (docs/scenarios.md), as outcomes.parquet for pandas, polars or DuckDB (to join with <c>allocator scenarios</c>' tables
/// on <c>scenario</c>) and outcomes.csv (every number exact). Each file atomically.
/// </summary>
public static class OutcomeFiles
{
    /// <summary>The files written.</summary>
    public static readonly IReadOnlyList<string> Names = ["outcomes.parquet", "outcomes.csv"];

    /// <summary>Writes both files into <paramref name="folder"/>: the plans named <paramref name="plans"/>, scenarios from <paramref name="first"/>.</summary>
    public static IReadOnlyList<string> Write(string folder, IReadOnlyList<string> plans, ScoreMatrix outcomes, long first)
    {
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(outcomes);
        AtomicFile.WriteAllBytes(Path.Combine(folder, Names[0]), Parquet(plans, outcomes, first));
        AtomicFile.WriteAllText(Path.Combine(folder, Names[1]), Csv(plans, outcomes, first));
        return [.. Names.Select(name => Path.Combine(folder, name))];
    }

    private static byte[] Parquet(IReadOnlyList<string> plans, ScoreMatrix outcomes, long first)
    {
        var rows = Enumerable.Range(0, plans.Count).SelectMany(n => Enumerable.Range(0, outcomes.Scenarios)
            .Select(k => new OutcomeRow(outcomes[n, k]) { Plan = plans[n], Scenario = first + k }));
        using var stream = new MemoryStream();
        ParquetSerializer.SerializeAsync(rows, stream).GetAwaiter().GetResult();
        return stream.ToArray();
    }

    private static string Csv(IReadOnlyList<string> plans, ScoreMatrix outcomes, long first)
    {
        var csv = new StringBuilder("plan,scenario,total,lease_revenue,penalty,job_value,spot_revenue,power_cost,short_gpu_hours\n");
        for (var n = 0; n < plans.Count; n++)
        {
            var name = CsvField.Of(plans[n]);
            for (var k = 0; k < outcomes.Scenarios; k++)
            {
                var o = outcomes[n, k];
                csv.Append(CultureInfo.InvariantCulture, $"{name},{first + k},{o.Total:R},{o.LeaseRevenue:R},{o.Penalty:R},{o.JobValue:R},{o.SpotRevenue:R},{o.PowerCost:R},{o.ShortGpuHours:R}\n");
            }
        }

        return csv.ToString();
    }

    /// <summary>A row of outcomes.parquet, in the column names of outcomes.csv.</summary>
    private sealed class OutcomeRow(ScenarioOutcome outcome) : OutcomeColumns(outcome)
    {
        [JsonPropertyName("plan")]
        public string Plan { get; set; } = string.Empty;

        [JsonPropertyName("scenario")]
        public long Scenario { get; set; }
    }
}
