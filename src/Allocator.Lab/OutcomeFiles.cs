using System.Globalization;
using System.Text;
using Allocator.Core.IO;
using Allocator.Core.Text;
using Allocator.Kernels;
using Parquet.Schema;

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

    private static readonly string[] Columns = ["plan", "scenario", "total", "lease_revenue", "penalty", "job_value", "spot_revenue", "power_cost", "short_gpu_hours"];

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
        var rows = plans.Count * outcomes.Scenarios;
        var values = Enumerable.Range(0, 7).Select(_ => new double[rows]).ToArray();
        var names = new string[rows];
        var scenarios = new long[rows];
        for (var n = 0; n < plans.Count; n++)
        {
            for (var k = 0; k < outcomes.Scenarios; k++)
            {
                var i = (n * outcomes.Scenarios) + k;
                var o = outcomes[n, k];
                (names[i], scenarios[i]) = (plans[n], first + k);
                (values[0][i], values[1][i], values[2][i], values[3][i], values[4][i], values[5][i], values[6][i]) =
                    (o.Total, o.LeaseRevenue, o.Penalty, o.JobValue, o.SpotRevenue, o.PowerCost, o.ShortGpuHours);
            }
        }

        var plan = new DataField<string>(Columns[0]);
        var scenario = new DataField<long>(Columns[1]);
        var numbers = Columns[2..].Select(c => new DataField<double>(c)).ToArray();
        using var stream = new MemoryStream();
        var writer = global::Parquet.ParquetWriter.CreateAsync(new ParquetSchema([plan, scenario, .. numbers]), stream).GetAwaiter().GetResult();
        using (var group = writer.CreateRowGroup())
        {
            group.WriteAsync(plan, names).GetAwaiter().GetResult();
            group.WriteAsync<long>(scenario, scenarios).GetAwaiter().GetResult();
            for (var c = 0; c < numbers.Length; c++)
            {
                group.WriteAsync<double>(numbers[c], values[c]).GetAwaiter().GetResult();
            }
        }

        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return stream.ToArray();
    }

    private static string Csv(IReadOnlyList<string> plans, ScoreMatrix outcomes, long first)
    {
        var csv = new StringBuilder(string.Join(',', Columns) + "\n");
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
}
