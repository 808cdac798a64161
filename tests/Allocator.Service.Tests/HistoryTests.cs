using Allocator.Planning.Pipeline;
using Microsoft.Data.Sqlite;

namespace Allocator.Service.Tests;

public sealed class HistoryTests : IDisposable
{
    private readonly ServiceFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void An_old_schema_is_migrated_on_open_and_keeps_its_rows()
    {
        // A version-1 file, as the first release wrote it.
        using (var connection = new SqliteConnection($"Data Source={_f.History};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, instance TEXT NOT NULL, instance_path TEXT NOT NULL,
                    started_at TEXT NOT NULL, ended_at TEXT, input_hash TEXT NOT NULL, status TEXT NOT NULL, objective REAL,
                    bound REAL, gap REAL, kpis_json TEXT, plan_json TEXT, summary TEXT NOT NULL DEFAULT '');
                INSERT INTO runs (instance, instance_path, started_at, input_hash, status, objective, summary)
                    VALUES ('tiny', '/x/tiny.json', '2026-11-01T02:00:00.000Z', 'abc', 'ok', 42, 'old run');
                PRAGMA user_version = 1;
                """;
            command.ExecuteNonQuery();
        }

        using var history = _f.OpenHistory();

        Assert.Equal(RunHistory.SchemaVersion, history.Version);
        var run = Assert.Single(history.List());
        Assert.Equal("old run", run.Summary);
        Assert.Equal(42, run.Objective);
        Assert.Null(run.Warnings);
    }

    [Fact]
    public void A_newer_schema_than_this_build_is_refused_with_a_clear_message()
    {
        using (var connection = new SqliteConnection($"Data Source={_f.History};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99;";
            command.ExecuteNonQuery();
        }

        var e = Assert.Throws<InvalidOperationException>(() => RunHistory.Open(_f.History));
        Assert.Contains("schema version 99", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writers_on_two_connections_at_once_lose_no_row()
    {
        Parallel.For(0, 2, writer =>
        {
            using var history = RunHistory.Open(_f.History);
            for (var i = 0; i < 40; i++)
            {
                var id = history.Start($"w{writer}", "x", DateTimeOffset.UtcNow, "h");
                history.Finish(id, new RunOutcome(RunStatus.Ok, $"run {i}", Objective: i), DateTimeOffset.UtcNow);
            }
        });

        using var check = _f.OpenHistory();
        var runs = check.List(1000);
        Assert.Equal(80, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunStatus.Ok, r.Status));
        Assert.Equal(40, runs.Count(r => r.Instance == "w1"));
    }

    [Fact]
    public async Task A_second_run_on_the_same_output_refuses_with_a_clear_message()
    {
        using (RunLock.Acquire(_f.Output))
        {
            var e = Assert.Throws<RunLockedException>(() => RunLock.Acquire(_f.Output));
            Assert.Contains("another Allocator run is writing to", e.Message, StringComparison.Ordinal);
            Assert.Contains($"pid {Environment.ProcessId}", e.Message, StringComparison.Ordinal);

            var report = await _f.RunOnce();
            Assert.Equal(5, report.ExitCode);
            Assert.False(File.Exists(_f.PlanFile));
        }

        // Released: the next run goes ahead.
        Assert.Equal(0, (await _f.RunOnce()).ExitCode);
    }

    [Fact]
    public async Task A_history_that_cannot_be_opened_fails_the_run_with_a_non_zero_exit_and_writes_no_plan()
    {
        // A folder where the history file should be: SQLite cannot open it.
        var report = await _f.RunOnce(("Nightly:HistoryPath", _f.Folder));

        Assert.Equal(4, report.ExitCode);
        Assert.Empty(report.Runs);
        Assert.False(File.Exists(_f.PlanFile));
    }
}
