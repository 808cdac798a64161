using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace Allocator.Cli.Tests;

/// <summary>
/// The Parquet files the commands write, opened as researchers open them: in DuckDB (its own Parquet reader, not the
/// library that wrote them). Columns as documented, every row the JSON or CSV beside it holds, and docs/scenarios.md's
/// query as printed.
/// </summary>
public sealed partial class FilesInDuckDbTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allocator-duckdb-").FullName;
    private readonly DuckDBConnection _duckDb = new("DataSource=:memory:");

    public FilesInDuckDbTests() => _duckDb.Open();

    public void Dispose()
    {
        _duckDb.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>tiny.json with every source of uncertainty drawing: its delivery slips, beta-1 is announced later.</summary>
    private string UncertainInstance(bool jobOutcomes = true)
    {
        var node = JsonNode.Parse(File.ReadAllText(CliProcess.Seed("tiny.json")))!;
        node["uncertainty"] = JsonNode.Parse($$"""
            { "deliverySlip": { "probability": 0.5, "maxPeriods": 2 }, "outage": { "mean": 0.05, "max": 0.3 },
              "jobOverrun": { "probability": 0.3, "maxFraction": 0.5 }, "jobSuccess": {{(jobOutcomes ? "true" : "false")}},
              "spotVolatility": 0.2, "offerArrival": { "probability": 0.5 } }
            """);
        node["leases"]![1]!["announcedAt"] = 1;
        node["leases"]![1]!["earliestStart"] = 1;
        var path = Path.Combine(_folder, jobOutcomes ? "uncertain.json" : "uncertain-no-outcomes.json");
        File.WriteAllText(path, node.ToJsonString());
        return path;
    }

    private string Plan()
    {
        var plan = Path.Combine(_folder, "plan.json");
        File.WriteAllText(plan, """
            { "instance": "tiny",
              "leases": [ { "id": "acme-1", "accepted": true, "pool": "m-h100", "start": 0 }, { "id": "beta-1", "accepted": true, "pool": "m-h100", "start": 1 } ],
              "jobs": [ { "id": "pretrain", "scheduled": true, "pool": "m-h100", "start": 4 }, { "id": "posttrain", "scheduled": false } ] }
            """);
        return plan;
    }

    private static void Run(params string[] args)
    {
        var (exit, _, stderr) = CliProcess.Run(args);
        Assert.True(exit == 0, stderr);
    }

    [Fact]
    public void The_scenario_tables_open_in_DuckDB_with_their_documented_columns_and_every_draw_of_the_json()
    {
        var draws = Path.Combine(_folder, "draws");
        // 9,000 scenarios of 8 periods: the capacity and spot tables span two row groups (batches of 65,536 rows).
        Run("scenarios", UncertainInstance(), "--scenarios", "9000", "--first", "100", "--seed", "5", "--out", draws);

        Assert.Equal(
            [("scenario", "BIGINT"), ("pool", "VARCHAR"), ("period", "INTEGER"), ("outage_share", "DOUBLE"), ("available_gpus", "DOUBLE")],
            Columns(Path.Combine(draws, "capacity.parquet")));
        Assert.Equal(
            [("scenario", "BIGINT"), ("delivery", "INTEGER"), ("pool", "VARCHAR"), ("planned_period", "INTEGER"), ("gpus", "INTEGER"), ("arrival_period", "INTEGER")],
            Columns(Path.Combine(draws, "deliveries.parquet")));
        Assert.Equal([("scenario", "BIGINT"), ("job", "VARCHAR"), ("overrun_periods", "INTEGER"), ("succeeds", "BOOLEAN")], Columns(Path.Combine(draws, "jobs.parquet")));
        Assert.Equal([("scenario", "BIGINT"), ("lease", "VARCHAR"), ("made", "BOOLEAN")], Columns(Path.Combine(draws, "offers.parquet")));
        Assert.Equal([("scenario", "BIGINT"), ("period", "INTEGER"), ("price_per_gpu_hour", "DOUBLE")], Columns(Path.Combine(draws, "spot.parquet")));
        Assert.Equal(2L, Query($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata('{draws}/capacity.parquet')").Single()[0]);

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(draws, "scenarios.json")))!["draws"]!.AsArray();
        Assert.Equal(9000, json.Count);
        Assert.Equal(
            json.SelectMany(d => Enumerable.Range(0, 8).Select(t => (Scenario(d), "m-h100", t, Number(d!["outageShare"]![0]![t]), Number(d["availableGpus"]![0]![t])))),
            Query($"SELECT * FROM '{draws}/capacity.parquet' ORDER BY scenario, pool, period").Select(r => ((long)r[0]!, (string)r[1]!, (int)r[2]!, (double)r[3]!, (double)r[4]!)));
        Assert.Equal(
            json.Select(d => (Scenario(d), 0, "m-h100", 3, 4000, (int)d!["deliveryArrival"]![0]!)),
            Query($"SELECT * FROM '{draws}/deliveries.parquet' ORDER BY scenario").Select(r => ((long)r[0]!, (int)r[1]!, (string)r[2]!, (int)r[3]!, (int)r[4]!, (int)r[5]!)));
        Assert.Equal(
            json.SelectMany(d => new[] { "pretrain", "posttrain" }.Select((job, j) => (Scenario(d), job, (int)d!["overrunPeriods"]![j]!, (bool?)(bool)d["jobSucceeds"]![j]!))),
            Query($"SELECT * FROM '{draws}/jobs.parquet' ORDER BY scenario, job DESC").Select(r => ((long)r[0]!, (string)r[1]!, (int)r[2]!, (bool?)r[3])));
        Assert.Equal(
            json.SelectMany(d => new[] { "acme-1", "beta-1" }.Select((lease, l) => (Scenario(d), lease, (bool)d!["offerMade"]![l]!))),
            Query($"SELECT * FROM '{draws}/offers.parquet' ORDER BY scenario, lease").Select(r => ((long)r[0]!, (string)r[1]!, (bool)r[2]!)));
        Assert.Equal(
            json.SelectMany(d => Enumerable.Range(0, 8).Select(t => (Scenario(d), t, Number(d!["spotPrice"]![t])))),
            Query($"SELECT * FROM '{draws}/spot.parquet' ORDER BY scenario, period").Select(r => ((long)r[0]!, (int)r[1]!, (double)r[2]!)));
    }

    [Fact]
    public void Without_job_outcomes_drawn_the_jobs_table_says_null_not_false()
    {
        var draws = Path.Combine(_folder, "draws");

        Run("scenarios", UncertainInstance(jobOutcomes: false), "--scenarios", "30", "--out", draws);

        var counted = Query($"SELECT count(*), count(succeeds) FROM '{draws}/jobs.parquet'").Single();
        Assert.Equal((60L, 0L), ((long)counted[0]!, (long)counted[1]!));
    }

    [Fact]
    public void The_docs_query_of_a_plan_s_worst_scenarios_runs_as_printed_on_what_scenarios_and_score_write()
    {
        var instance = UncertainInstance();
        Run("scenarios", instance, "--scenarios", "300", "--seed", "3", "--out", Path.Combine(_folder, "draws"));
        Run("score", instance, Plan(), "--scenarios", "300", "--seed", "3", "--device", "cpu", "--outcomes", "--out", Path.Combine(_folder, "scores"));
        var outcomes = Path.Combine(_folder, "scores", "outcomes");
        // The two files of score --outcomes hold the same rows (the CSV's numbers are exact).
        Assert.Equal(300L, Query($"SELECT count(*) FROM '{outcomes}.parquet'").Single()[0]);
        Assert.Empty(Query($"(SELECT * FROM '{outcomes}.parquet' EXCEPT ALL SELECT * FROM '{outcomes}.csv') UNION ALL (SELECT * FROM '{outcomes}.csv' EXCEPT ALL SELECT * FROM '{outcomes}.parquet')"));

        Query($"SET file_search_path = '{_folder}'");
        var worst = Query(DocsQuery());

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_folder, "draws", "scenarios.json")))!["draws"]!.AsArray();
        var totals = File.ReadLines(outcomes + ".csv").Skip(1).Select(line => line.Split(','))
            .Select(f => (Scenario: long.Parse(f[1], CultureInfo.InvariantCulture), Total: double.Parse(f[2], CultureInfo.InvariantCulture), Penalty: double.Parse(f[4], CultureInfo.InvariantCulture)))
            .ToList();
        Assert.Equal(totals.Select(o => o.Total).Order().Take(10), worst.Select(r => (double)r[1]!));
        foreach (var row in worst)
        {
            var scenario = (long)row[0]!;
            var drawn = json.Single(d => Scenario(d) == scenario)!;
            Assert.Equal(totals.Single(o => o.Scenario == scenario).Penalty, (double)row[2]!);
            Assert.Equal(drawn["outageShare"]![0]!.AsArray().Average(Number), (double)row[3]!, 1e-12);
            Assert.Equal(drawn["spotPrice"]!.AsArray().Average(Number), (double)row[4]!, 1e-12);
        }
    }

    [Fact]
    public void Score_in_parts_gives_each_scenario_the_outcome_of_one_whole_run()
    {
        var (instance, plan) = (UncertainInstance(), Plan());
        Run("score", instance, plan, "--scenarios", "150", "--seed", "7", "--device", "cpu", "--outcomes", "--out", Path.Combine(_folder, "whole"));
        Run("score", instance, plan, "--scenarios", "50", "--first", "100", "--seed", "7", "--device", "cpu", "--outcomes", "--out", Path.Combine(_folder, "part"));

        var part = Query($"SELECT count(*), min(scenario), max(scenario) FROM '{_folder}/part/outcomes.parquet'").Single();
        Assert.Equal((50L, 100L, 149L), ((long)part[0]!, (long)part[1]!, (long)part[2]!));
        Assert.Empty(Query($"SELECT * EXCLUDE (plan) FROM '{_folder}/part/outcomes.parquet' EXCEPT ALL SELECT * EXCLUDE (plan) FROM '{_folder}/whole/outcomes.parquet' WHERE scenario >= 100"));
        var scores = JsonNode.Parse(File.ReadAllText(Path.Combine(_folder, "part", "scores.json")))!;
        Assert.Equal((100L, 50), (scores["first"]!.GetValue<long>(), scores["scenarios"]!.GetValue<int>()));
        var mean = Query($"SELECT avg(total) FROM '{_folder}/part/outcomes.parquet'").Single()[0];
        Assert.Equal((double)mean!, scores["plans"]![0]!["risk"]!["mean"]!.GetValue<double>(), 1e-9 * Math.Abs((double)mean));

        var (exit, _, stderr) = CliProcess.Run("score", instance, plan, "--first", "-1");
        Assert.Equal(2, exit);
        Assert.Contains("--first", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_s_and_simulate_s_results_open_in_DuckDB_and_average_to_their_summaries()
    {
        var instance = UncertainInstance();
        var compare = Path.Combine(_folder, "compare");
        var simulate = Path.Combine(_folder, "simulate");
        Run("compare", instance, "--policies", "exact,greedy,split:0.3", "--scenarios", "50", "--device", "cpu", "--threads", "1", "--out", compare);
        Run("simulate", instance, "--policies", "static,greedy", "--scenarios", "4", "--hindsight", "--threads", "1", "--out", simulate);

        Assert.Equal(
            [("instance", "VARCHAR"), ("policy", "VARCHAR"), ("scenario", "BIGINT"), ("total", "DOUBLE"), ("lease_revenue", "DOUBLE"), ("penalty", "DOUBLE"),
             ("job_value", "DOUBLE"), ("spot_revenue", "DOUBLE"), ("power_cost", "DOUBLE"), ("short_gpu_hours", "DOUBLE")],
            Columns(Path.Combine(compare, "results.parquet")));
        var compared = JsonNode.Parse(File.ReadAllText(Path.Combine(compare, "summary.json")))!["instances"]![0]!["policies"]!.AsArray();
        var byPolicy = Query($"SELECT policy, count(*), avg(total), min(scenario), max(scenario) FROM '{compare}/results.parquet' GROUP BY policy ORDER BY policy");
        Assert.Equal(["exact", "greedy", "split:0.3"], byPolicy.Select(r => (string)r[0]!));
        foreach (var row in byPolicy)
        {
            var mean = compared.Single(p => (string)p!["policy"]! == (string)row[0]!)!["risk"]!["mean"]!.GetValue<double>();
            Assert.Equal(50L, row[1]);
            Assert.Equal(mean, (double)row[2]!, 1e-9 * Math.Abs(mean));
            Assert.Equal((0L, 49L), ((long)row[3]!, (long)row[4]!));
        }

        Assert.Equal(
            [("instance", "VARCHAR"), ("policy", "VARCHAR"), ("scenario", "BIGINT"), ("value", "DOUBLE"), ("failed_epochs", "INTEGER"), ("limited_epochs", "INTEGER"), ("clairvoyant", "DOUBLE"), ("clairvoyant_bound", "DOUBLE")],
            Columns(Path.Combine(simulate, "results.parquet")));
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(simulate, "summary.json")))!;
        foreach (var row in Query($"SELECT policy, count(*), avg(value), avg(clairvoyant), avg(clairvoyant_bound) FROM '{simulate}/results.parquet' GROUP BY policy"))
        {
            Assert.Equal(summary["clairvoyantBound"]!.GetValue<double>(), (double)row[4]!, 1e-9 * Math.Abs((double)row[4]!));
            var mean = summary["policies"]!.AsArray().Single(p => (string)p!["name"]! == (string)row[0]!)!["mean"]!.GetValue<double>();
            Assert.Equal(4L, row[1]);
            Assert.Equal(mean, (double)row[2]!, 1e-9 * Math.Abs(mean));
            Assert.Equal(summary["clairvoyant"]!.GetValue<double>(), (double)row[3]!, 1e-9 * Math.Abs((double)row[3]!));
        }
    }

    /// <summary>The SQL block of docs/scenarios.md, as a reader copies it.</summary>
    private static string DocsQuery() =>
        SqlBlock().Match(File.ReadAllText(Path.Combine(CliProcess.RepositoryRoot, "docs", "scenarios.md"))).Groups[1].Value;

    [GeneratedRegex("```sql\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex SqlBlock();

    private static long Scenario(JsonNode? draw) => draw!["scenario"]!.GetValue<long>();

    private static double Number(JsonNode? value) => value!.GetValue<double>();

    private List<(string Name, string Type)> Columns(string file) =>
        [.. Query($"DESCRIBE SELECT * FROM '{file}'").Select(r => ((string)r[0]!, (string)r[1]!))];

    private List<object?[]> Query(string sql)
    {
        using var command = _duckDb.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
