using System.Text.Json;
using System.Text.Json.Serialization;
using Allocator.Core.ClosedLoop;
using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Json;
using Allocator.Core.Scenarios;
using Parquet.Serialization;

namespace Allocator.Lab.Tests;

public sealed class ScenarioFilesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allocator-draws-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static CompiledInstance Instance() =>
        new(InstanceGenerator.Generate(new GeneratorOptions(3, 16, 6, 8, 4, Uncertainty: true) { AnnouncedShare = 0.4 }));

    [Fact]
    public void The_tables_and_the_json_hold_the_draws_every_scorer_uses_row_for_row()
    {
        var instance = Instance();
        var range = new DrawRange(Seed: 11, First: 40, Count: 9);

        var files = ScenarioFiles.Write(_folder, instance, range, CancellationToken.None);

        Assert.Equal(ScenarioFiles.Names, files!.Select(Path.GetFileName));
        var draws = Enumerable.Range(40, 9).Select(k => ScenarioDraws.Of(instance, 11, k)).ToList();
        var capacity = Read<CapacityRow>("capacity.parquet");
        Assert.Equal(9 * instance.PoolCount * instance.Periods, capacity.Count);
        foreach (var row in capacity)
        {
            var at = instance.PoolIndex(row.Pool!) * instance.Periods + row.Period;
            Assert.Equal(draws[(int)row.Scenario - 40].AvailableGpus[at], row.AvailableGpus);
            Assert.Equal(draws[(int)row.Scenario - 40].OutageShare[at], row.OutageShare);
        }

        var jobs = Read<JobRow>("jobs.parquet");
        Assert.Equal(draws.SelectMany(d => d.OverrunPeriods), jobs.Select(j => j.OverrunPeriods));
        Assert.Equal(draws.SelectMany(d => d.JobSucceeds), jobs.Select(j => j.Succeeds!.Value));
        Assert.Equal(draws.SelectMany(d => d.SpotPrice), Read<SpotRow>("spot.parquet").Select(s => s.Price));

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "scenarios.json")));
        var entries = json.RootElement.GetProperty("draws").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(40, 9), entries.Select(e => e.GetProperty("scenario").GetInt32()));
        Assert.Equal(draws[3].DeliveryArrival, entries[3].GetProperty("deliveryArrival").EnumerateArray().Select(a => a.GetInt32()));
        Assert.Equal(draws[3].OfferMade, entries[3].GetProperty("offerMade").EnumerateArray().Select(m => m.GetBoolean()));
        Assert.Equal(draws[3].AvailableGpus, entries[3].GetProperty("availableGpus").EnumerateArray().SelectMany(p => p.EnumerateArray()).Select(g => g.GetDouble()));
    }

    [Fact]
    public void Each_scenario_s_hindsight_instance_is_written_as_the_clairvoyant_value_is_solved_from()
    {
        var instance = Instance();

        var files = ScenarioFiles.Write(_folder, instance, new DrawRange(7, 3, 4), CancellationToken.None, hindsight: true);

        Assert.Contains(Path.Combine(_folder, ScenarioFiles.HindsightFolder), files!);
        Assert.Equal(
            Enumerable.Range(3, 4).Select(k => InstanceWriter.Write(HindsightInstance.Of(instance, 7, k))),
            Enumerable.Range(3, 4).Select(k => File.ReadAllText(Path.Combine(_folder, ScenarioFiles.HindsightFolder, $"scenario-{k}.json"))));
        Assert.Single(Directory.EnumerateDirectories(_folder));
    }

    [Fact]
    public void A_stop_before_the_end_writes_nothing_not_even_a_temporary_file()
    {
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        var files = ScenarioFiles.Write(_folder, Instance(), new DrawRange(1, 0, 5), stop.Token, hindsight: true);

        Assert.Null(files);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder));
    }

    [Fact]
    public void A_table_with_nothing_to_hold_is_written_empty_with_its_columns()
    {
        var source = Instance().Source;
        var instance = new CompiledInstance(source with { Pools = [.. source.Pools.Select(p => p with { Deliveries = [] })] });

        ScenarioFiles.Write(_folder, instance, new DrawRange(1, 0, 3), CancellationToken.None);

        Assert.Empty(Read<DeliveryRow>("deliveries.parquet"));
        Assert.Equal(3 * instance.PoolCount * instance.Periods, Read<CapacityRow>("capacity.parquet").Count);
    }

    private List<T> Read<T>(string name)
        where T : class, new()
    {
        using var stream = File.OpenRead(Path.Combine(_folder, name));
        return [.. ParquetSerializer.DeserializeAsync<T>(stream).GetAwaiter().GetResult().Data];
    }

    private sealed class CapacityRow
    {
        [JsonPropertyName("scenario")]
        public long Scenario { get; set; }

        [JsonPropertyName("pool")]
        public string? Pool { get; set; }

        [JsonPropertyName("period")]
        public int Period { get; set; }

        [JsonPropertyName("outage_share")]
        public double OutageShare { get; set; }

        [JsonPropertyName("available_gpus")]
        public double AvailableGpus { get; set; }
    }

    private sealed class DeliveryRow
    {
        [JsonPropertyName("arrival_period")]
        public int ArrivalPeriod { get; set; }
    }

    private sealed class JobRow
    {
        [JsonPropertyName("overrun_periods")]
        public int OverrunPeriods { get; set; }

        [JsonPropertyName("succeeds")]
        public bool? Succeeds { get; set; }
    }

    private sealed class SpotRow
    {
        [JsonPropertyName("price_per_gpu_hour")]
        public double Price { get; set; }
    }
}
