using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Allocator.Core.ClosedLoop;
using Allocator.Core.Evaluation;
using Allocator.Core.IO;
using Allocator.Core.Json;
using Allocator.Core.Scenarios;
using Parquet.Serialization;

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

    private static readonly JsonSerializerOptions DrawsJson = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

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
                        WriteHindsight(pending, instance, batch);
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
    private static void WriteHindsight(string folder, CompiledInstance instance, ScenarioDraws[] batch)
    {
        Directory.CreateDirectory(folder);
        foreach (var draws in batch)
        {
            File.WriteAllText(Path.Combine(folder, $"scenario-{draws.Scenario}.json"), InstanceWriter.Write(HindsightInstance.Of(instance, draws)));
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
        Property(json, "pools", source.Pools.Select(p => p.Id));
        Property(json, "deliveries", Enumerable.Range(0, instance.DeliveryPool.Length).Select(d =>
            new { pool = source.Pools[instance.DeliveryPool[d]].Id, period = instance.DeliveryPeriod[d], gpus = instance.DeliveryGpus[d] }));
        Property(json, "jobs", source.Jobs.Select(j => j.Id));
        Property(json, "leases", source.Leases.Select(l => l.Id));
        json.WriteBoolean("jobOutcomesDrawn", source.Uncertainty is { JobSuccess: true });
        json.WriteStartArray("draws");
    }

    /// <summary>One object per scenario: arrays in the header's orders (per pool: one array of the periods).</summary>
    private static void WriteJsonDraws(Utf8JsonWriter json, ScenarioDraws[] batch)
    {
        foreach (var draws in batch)
        {
            var periods = draws.SpotPrice.Length;
            JsonSerializer.Serialize(json, new
            {
                scenario = draws.Scenario,
                deliveryArrival = draws.DeliveryArrival,
                outageShare = draws.OutageShare.Chunk(periods),
                availableGpus = draws.AvailableGpus.Chunk(periods),
                overrunPeriods = draws.OverrunPeriods,
                jobSucceeds = draws.JobSucceeds.IsEmpty ? null : (ImmutableArray<bool>?)draws.JobSucceeds,
                offerMade = draws.OfferMade,
                spotPrice = draws.SpotPrice,
            }, DrawsJson);
        }

        json.Flush();
    }

    private static void Property<T>(Utf8JsonWriter json, string name, T value)
    {
        json.WritePropertyName(name);
        JsonSerializer.Serialize(json, value);
    }

    /// <summary>
    /// The five Parquet tables, a row group per batch appended to each (the table's schema alone where it holds no row,
    /// such as deliveries in a fleet of none).
    /// </summary>
    private sealed class ScenarioTables(CompiledInstance instance, IReadOnlyList<Stream> streams)
    {
        private readonly bool[] _started = new bool[streams.Count];

        public void Append(ScenarioDraws[] batch)
        {
            var source = instance.Source;
            var T = instance.Periods;
            Add(0, batch.SelectMany(d => Enumerable.Range(0, instance.PoolCount * T).Select(i => new CapacityRow
            {
                Scenario = d.Scenario, Pool = source.Pools[i / T].Id, Period = i % T, OutageShare = d.OutageShare[i], AvailableGpus = d.AvailableGpus[i],
            })));
            Add(1, batch.SelectMany(d => Enumerable.Range(0, instance.DeliveryPool.Length).Select(i => new DeliveryRow
            {
                Scenario = d.Scenario, Delivery = i, Pool = source.Pools[instance.DeliveryPool[i]].Id, PlannedPeriod = instance.DeliveryPeriod[i],
                Gpus = instance.DeliveryGpus[i], ArrivalPeriod = d.DeliveryArrival[i],
            })));
            Add(2, batch.SelectMany(d => Enumerable.Range(0, instance.JobCount).Select(j => new JobRow
            {
                Scenario = d.Scenario, Job = source.Jobs[j].Id, OverrunPeriods = d.OverrunPeriods[j], Succeeds = d.JobSucceeds.IsEmpty ? null : d.JobSucceeds[j],
            })));
            Add(3, batch.SelectMany(d => Enumerable.Range(0, instance.LeaseCount).Select(l => new OfferRow { Scenario = d.Scenario, Lease = source.Leases[l].Id, Made = d.OfferMade[l] })));
            Add(4, batch.SelectMany(d => Enumerable.Range(0, T).Select(t => new SpotRow { Scenario = d.Scenario, Period = t, PricePerGpuHour = d.SpotPrice[t] })));
        }

        /// <summary>Gives each table that never got a row its schema.</summary>
        public void Close()
        {
            Add<CapacityRow>(0, [], always: true);
            Add<DeliveryRow>(1, [], always: true);
            Add<JobRow>(2, [], always: true);
            Add<OfferRow>(3, [], always: true);
            Add<SpotRow>(4, [], always: true);
        }

        private void Add<T>(int table, IEnumerable<T> rows, bool always = false)
        {
            var list = rows.ToList();
            if ((list.Count == 0 && !always) || (always && _started[table]))
            {
                return;
            }

            ParquetSerializer.SerializeAsync(list, streams[table], new Parquet.ParquetOptions { Append = _started[table] }).GetAwaiter().GetResult();
            _started[table] = true;
        }
    }

    private sealed class CapacityRow
    {
        [JsonPropertyName("scenario")]
        public long Scenario { get; set; }

        [JsonPropertyName("pool")]
        public string Pool { get; set; } = string.Empty;

        [JsonPropertyName("period")]
        public int Period { get; set; }

        [JsonPropertyName("outage_share")]
        public double OutageShare { get; set; }

        [JsonPropertyName("available_gpus")]
        public double AvailableGpus { get; set; }
    }

    private sealed class DeliveryRow
    {
        [JsonPropertyName("scenario")]
        public long Scenario { get; set; }

        [JsonPropertyName("delivery")]
        public int Delivery { get; set; }

        [JsonPropertyName("pool")]
        public string Pool { get; set; } = string.Empty;

        [JsonPropertyName("planned_period")]
        public int PlannedPeriod { get; set; }

        [JsonPropertyName("gpus")]
        public int Gpus { get; set; }

        [JsonPropertyName("arrival_period")]
        public int ArrivalPeriod { get; set; }
    }

    private sealed class JobRow
    {
        [JsonPropertyName("scenario")]
        public long Scenario { get; set; }

        [JsonPropertyName("job")]
        public string Job { get; set; } = string.Empty;

        [JsonPropertyName("overrun_periods")]
        public int OverrunPeriods { get; set; }

        [JsonPropertyName("succeeds")]
        public bool? Succeeds { get; set; }
    }

    private sealed class OfferRow
    {
        [JsonPropertyName("scenario")]
        public long Scenario { get; set; }

        [JsonPropertyName("lease")]
        public string Lease { get; set; } = string.Empty;

        [JsonPropertyName("made")]
        public bool Made { get; set; }
    }

    private sealed class SpotRow
    {
        [JsonPropertyName("scenario")]
        public long Scenario { get; set; }

        [JsonPropertyName("period")]
        public int Period { get; set; }

        [JsonPropertyName("price_per_gpu_hour")]
        public double PricePerGpuHour { get; set; }
    }
}

/// <summary>Scenarios <see cref="First"/> .. First + <see cref="Count"/> - 1 of <see cref="Seed"/>.</summary>
public readonly record struct DrawRange(ulong Seed, long First, int Count);
