using System.Text.Json;
using Allocator.Core.ClosedLoop;
using Allocator.Core.Evaluation;
using Allocator.Core.IO;
using Allocator.Core.Json;
using Allocator.Core.Scenarios;
using Parquet;
using Parquet.Schema;

namespace Allocator.Lab;

/// <summary>
/// What <c>allocator scenarios</c> writes: the draws of scenarios first .. first + count - 1 of a seed
/// (<see cref="ScenarioDraws"/>), as scenarios.json (every number exact) and as Parquet tables in long form for pandas,
/// polars or DuckDB: capacity (scenario, pool, period), deliveries, jobs, offers, spot. Written a batch of scenarios at a
/// time (a row group each), so the export of many scenarios never holds them all; every file appears only once whole.
/// </summary>
public static class ScenarioFiles
{
    /// <summary>The files an export writes into its folder.</summary>
    public static readonly IReadOnlyList<string> Names = ["scenarios.json", "capacity.parquet", "deliveries.parquet", "jobs.parquet", "offers.parquet", "spot.parquet"];

    // Rows of the capacity table per batch (a Parquet row group): a batch holds a few MB whatever the fleet, so the
    // export's memory does not grow with the count of scenarios (with a million rows a batch it did: RESULTS.md).
    private const int RowsPerBatch = 1 << 16;

    /// <summary>
    /// Writes the export into <paramref name="folder"/> and returns the files' paths; null, with nothing written, when
    /// <paramref name="stop"/> is signalled first. <paramref name="progress"/> is told the scenarios done after each batch.
    /// </summary>
    public static IReadOnlyList<string>? Write(string folder, CompiledInstance instance, DrawRange range, CancellationToken stop, Action<long>? progress = null, bool hindsight = false)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var files = Names.Select(name => AtomicFile.Begin(Path.Combine(folder, name))).ToList();
        // Each scenario's hindsight instance goes to a folder beside the one it will be, renamed there once all are written.
        var hindsightFolder = Path.Combine(folder, HindsightFolder);
        var pending = Path.Combine(folder, $".{HindsightFolder}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var json = new Utf8JsonWriter(files[0].Stream, new JsonWriterOptions { Indented = false }))
            {
                var tables = new ScenarioTables(instance, files.Skip(1).Select(f => f.Stream).ToList());
                WriteJsonStart(json, instance, range);
                foreach (var batch in Batches(instance, range))
                {
                    if (stop.IsCancellationRequested)
                    {
                        return null;
                    }

                    WriteJsonDraws(json, batch);
                    tables.Append(batch);
                    if (hindsight)
                    {
                        WriteHindsight(pending, instance, range.Seed, batch);
                    }

                    progress?.Invoke(batch[^1].Scenario - range.First + 1);
                }

                json.WriteEndArray();
                json.WriteEndObject();
                tables.Close();
            }

            files.ForEach(f => f.Commit());
            if (!hindsight)
            {
                return [.. Names.Select(name => Path.Combine(folder, name))];
            }

            if (Directory.Exists(hindsightFolder))
            {
                Directory.Delete(hindsightFolder, recursive: true);
            }

            Directory.Move(pending, hindsightFolder);
            return [.. Names.Select(name => Path.Combine(folder, name)), hindsightFolder];
        }
        finally
        {
            files.ForEach(f => f.Dispose());
            if (Directory.Exists(pending))
            {
                Directory.Delete(pending, recursive: true);
            }
        }
    }

    /// <summary>The folder of the hindsight instances (closed-loop.md, "The clairvoyant benchmark"): scenario-K.json each.</summary>
    public const string HindsightFolder = "hindsight";

    /// <summary>Each scenario's hindsight instance, as the clairvoyant value is solved from (<see cref="HindsightInstance"/>).</summary>
    private static void WriteHindsight(string folder, CompiledInstance instance, ulong seed, ScenarioDraws[] batch)
    {
        Directory.CreateDirectory(folder);
        foreach (var draws in batch)
        {
            File.WriteAllText(Path.Combine(folder, $"scenario-{draws.Scenario}.json"), InstanceWriter.Write(HindsightInstance.Of(instance, seed, draws.Scenario)));
        }
    }

    /// <summary>scenarios.json alone, to <paramref name="output"/> (for <c>--json</c>).</summary>
    public static void WriteJson(Stream output, CompiledInstance instance, DrawRange range)
    {
        ArgumentNullException.ThrowIfNull(instance);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        WriteJsonStart(json, instance, range);
        foreach (var batch in Batches(instance, range))
        {
            WriteJsonDraws(json, batch);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The draws in batches of about <see cref="RowsPerBatch"/> capacity rows, each drawn on every core.</summary>
    public static IEnumerable<ScenarioDraws[]> Batches(CompiledInstance instance, DrawRange range)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var perBatch = Math.Max(1, RowsPerBatch / Math.Max(1, instance.PoolCount * instance.Periods));
        // Counted from the range's start, so a range that ends at the last scenario number (or holds int.MaxValue) never overflows.
        for (var done = 0L; done < range.Count; done += perBatch)
        {
            var (first, count) = (range.First + done, (int)Math.Min(perBatch, range.Count - done));
            var batch = new ScenarioDraws[count];
            Parallel.For(0, count, k => batch[k] = ScenarioDraws.Of(instance, range.Seed, first + k));
            yield return batch;
        }
    }

    /// <summary>The header: the seed, the range, and the ids every array of a scenario follows, in order.</summary>
    private static void WriteJsonStart(Utf8JsonWriter json, CompiledInstance instance, DrawRange range)
    {
        var source = instance.Source;
        json.WriteStartObject();
        json.WriteString("instance", source.Name);
        json.WriteNumber("seed", range.Seed);
        json.WriteNumber("first", range.First);
        json.WriteNumber("scenarios", range.Count);
        json.WriteNumber("periods", instance.Periods);
        Strings(json, "pools", source.Pools.Select(p => p.Id));
        json.WriteStartArray("deliveries");
        for (var d = 0; d < instance.DeliveryPool.Length; d++)
        {
            json.WriteStartObject();
            json.WriteString("pool", source.Pools[instance.DeliveryPool[d]].Id);
            json.WriteNumber("period", instance.DeliveryPeriod[d]);
            json.WriteNumber("gpus", instance.DeliveryGpus[d]);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        Strings(json, "jobs", source.Jobs.Select(j => j.Id));
        Strings(json, "leases", source.Leases.Select(l => l.Id));
        json.WriteBoolean("jobOutcomesDrawn", source.Uncertainty is { JobSuccess: true });
        json.WriteStartArray("draws");
    }

    /// <summary>One object per scenario: arrays in the header's orders (per pool: one array of the periods).</summary>
    private static void WriteJsonDraws(Utf8JsonWriter json, ScenarioDraws[] batch)
    {
        foreach (var draws in batch)
        {
            var periods = draws.SpotPrice.Length;
            json.WriteStartObject();
            json.WriteNumber("scenario", draws.Scenario);
            Numbers(json, "deliveryArrival", draws.DeliveryArrival.Select(a => (double)a));
            PerPool(json, "outageShare", draws.OutageShare, periods);
            PerPool(json, "availableGpus", draws.AvailableGpus, periods);
            Numbers(json, "overrunPeriods", draws.OverrunPeriods.Select(o => (double)o));
            if (!draws.JobSucceeds.IsEmpty)
            {
                Booleans(json, "jobSucceeds", draws.JobSucceeds);
            }

            Booleans(json, "offerMade", draws.OfferMade);
            Numbers(json, "spotPrice", draws.SpotPrice);
            json.WriteEndObject();
        }

        json.Flush();
    }

    private static void PerPool(Utf8JsonWriter json, string name, IReadOnlyList<double> values, int periods)
    {
        json.WriteStartArray(name);
        for (var at = 0; at < values.Count; at += periods)
        {
            json.WriteStartArray();
            for (var t = at; t < at + periods; t++)
            {
                json.WriteNumberValue(values[t]);
            }

            json.WriteEndArray();
        }

        json.WriteEndArray();
    }

    private static void Numbers(Utf8JsonWriter json, string name, IEnumerable<double> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }

    private static void Booleans(Utf8JsonWriter json, string name, IEnumerable<bool> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteBooleanValue(value);
        }

        json.WriteEndArray();
    }

    private static void Strings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    /// <summary>The five Parquet tables, each a writer that takes a row group per batch.</summary>
    private sealed class ScenarioTables(CompiledInstance instance, IReadOnlyList<Stream> streams)
    {
        private static readonly DataField<long> Scenario = new("scenario");
        private static readonly DataField<string> Pool = new("pool");
        private static readonly DataField<int> Period = new("period");
        private static readonly DataField<double> OutageShare = new("outage_share");
        private static readonly DataField<double> AvailableGpus = new("available_gpus");
        private static readonly DataField<int> Delivery = new("delivery");
        private static readonly DataField<int> PlannedPeriod = new("planned_period");
        private static readonly DataField<int> Gpus = new("gpus");
        private static readonly DataField<int> ArrivalPeriod = new("arrival_period");
        private static readonly DataField<string> Job = new("job");
        private static readonly DataField<int> OverrunPeriods = new("overrun_periods");
        private static readonly DataField<bool?> Succeeds = new("succeeds", true);
        private static readonly DataField<string> Lease = new("lease");
        private static readonly DataField<bool> Made = new("made");
        private static readonly DataField<double> Price = new("price_per_gpu_hour");

        private readonly ParquetWriter[] _writers =
        [
            Create(streams[0], Scenario, Pool, Period, OutageShare, AvailableGpus),
            Create(streams[1], Scenario, Delivery, Pool, PlannedPeriod, Gpus, ArrivalPeriod),
            Create(streams[2], Scenario, Job, OverrunPeriods, Succeeds),
            Create(streams[3], Scenario, Lease, Made),
            Create(streams[4], Scenario, Period, Price),
        ];

        public void Append(ScenarioDraws[] batch)
        {
            var source = instance.Source;
            var T = instance.Periods;
            Rows(_writers[0], batch, instance.PoolCount * T, (g, d, i) => g
                .Long(Scenario, d.Scenario).Text(Pool, source.Pools[i / T].Id).Int(Period, i % T)
                .Double(OutageShare, d.OutageShare[i]).Double(AvailableGpus, d.AvailableGpus[i]));
            Rows(_writers[1], batch, instance.DeliveryPool.Length, (g, d, i) => g
                .Long(Scenario, d.Scenario).Int(Delivery, i).Text(Pool, source.Pools[instance.DeliveryPool[i]].Id)
                .Int(PlannedPeriod, instance.DeliveryPeriod[i]).Int(Gpus, instance.DeliveryGpus[i]).Int(ArrivalPeriod, d.DeliveryArrival[i]));
            Rows(_writers[2], batch, instance.JobCount, (g, d, i) => g
                .Long(Scenario, d.Scenario).Text(Job, source.Jobs[i].Id).Int(OverrunPeriods, d.OverrunPeriods[i])
                .Flag(Succeeds, d.JobSucceeds.IsEmpty ? null : d.JobSucceeds[i]));
            Rows(_writers[3], batch, instance.LeaseCount, (g, d, i) => g
                .Long(Scenario, d.Scenario).Text(Lease, source.Leases[i].Id).Flag(Made, d.OfferMade[i]));
            Rows(_writers[4], batch, T, (g, d, t) => g
                .Long(Scenario, d.Scenario).Int(Period, t).Double(Price, d.SpotPrice[t]));
        }

        /// <summary>Writes each table's footer.</summary>
        public void Close()
        {
            foreach (var writer in _writers)
            {
                writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        private static ParquetWriter Create(Stream stream, params DataField[] fields) =>
            ParquetWriter.CreateAsync(new ParquetSchema(fields), stream).GetAwaiter().GetResult();

        /// <summary>One row group: <paramref name="perScenario"/> rows of each scenario, filled column by column.</summary>
        private static void Rows(ParquetWriter writer, ScenarioDraws[] batch, int perScenario, Action<ColumnRows, ScenarioDraws, int> row)
        {
            if (perScenario == 0)
            {
                return;
            }

            var columns = new ColumnRows(batch.Length * perScenario);
            foreach (var draws in batch)
            {
                for (var i = 0; i < perScenario; i++)
                {
                    row(columns, draws, i);
                    columns.Next();
                }
            }

            using var group = writer.CreateRowGroup();
            columns.WriteTo(group);
        }
    }

    /// <summary>A row group's columns as they are filled, row by row, in the schema's order.</summary>
    private sealed class ColumnRows(int rows)
    {
        private readonly Dictionary<DataField, Array> _columns = [];
        private readonly List<DataField> _order = [];
        private int _row;

        public ColumnRows Long(DataField<long> field, long value) => Set(field, value);

        public ColumnRows Int(DataField<int> field, int value) => Set(field, value);

        public ColumnRows Double(DataField<double> field, double value) => Set(field, value);

        public ColumnRows Text(DataField<string> field, string value) => Set(field, value);

        public ColumnRows Flag(DataField<bool> field, bool value) => Set(field, value);

        public ColumnRows Flag(DataField<bool?> field, bool? value) => Set(field, value);

        public void Next() => _row++;

        public void WriteTo(ParquetRowGroupWriter group)
        {
            foreach (var field in _order)
            {
                Task written = _columns[field] switch
                {
                    long[] values => group.WriteAsync<long>(field, values),
                    int[] values => group.WriteAsync<int>(field, values),
                    double[] values => group.WriteAsync<double>(field, values),
                    bool[] values => group.WriteAsync<bool>(field, values),
                    bool?[] values => group.WriteAsync<bool>(field, values),
                    string[] values => group.WriteAsync(field, values),
                    _ => throw new InvalidOperationException($"no Parquet column of {field.Name}'s type"),
                };
                written.GetAwaiter().GetResult();
            }
        }

        private ColumnRows Set<T>(DataField field, T value)
        {
            if (!_columns.TryGetValue(field, out var column))
            {
                column = new T[rows];
                _columns[field] = column;
                _order.Add(field);
            }

            ((T[])column)[_row] = value;
            return this;
        }
    }
}

/// <summary>Scenarios <see cref="First"/> .. First + <see cref="Count"/> - 1 of <see cref="Seed"/>.</summary>
public readonly record struct DrawRange(ulong Seed, long First, int Count);
