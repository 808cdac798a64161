using Allocator.Planning.Pipeline;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Allocator.Service;

/// <summary>One run as the history keeps it.</summary>
public sealed record RunRecord(
    long Id,
    string Instance,
    string InstancePath,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string InputHash,
    RunStatus Status,
    double? Objective,
    double? Bound,
    double? Gap,
    string? KpisJson,
    string? PlanJson,
    string Summary,
    string? Warnings,
    string? Device);

/// <summary>
/// The run history in SQLite. The schema carries its version in <c>PRAGMA user_version</c> and is migrated forward on
/// open, one numbered step at a time inside a transaction. WAL mode and a busy timeout let a reader (history list)
/// and a writer (a run) share the file; writers are kept to one at a time by <see cref="RunLock"/>.
/// </summary>
public sealed class RunHistory : IDisposable
{
    private static readonly string[] Migrations =
    [
        // 1: the runs table.
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            instance TEXT NOT NULL,
            instance_path TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            input_hash TEXT NOT NULL,
            status TEXT NOT NULL,
            objective REAL,
            bound REAL,
            gap REAL,
            kpis_json TEXT,
            plan_json TEXT,
            summary TEXT NOT NULL DEFAULT ''
        );
        """,
        // 2: warnings (e.g. a GPU that fell back to the CPU) and the scoring device, and an index for "last night's plan".
        """
        ALTER TABLE runs ADD COLUMN warnings TEXT;
        ALTER TABLE runs ADD COLUMN device TEXT;
        CREATE INDEX runs_by_instance ON runs (instance, id);
        """,
    ];

    private readonly SqliteConnection _connection;

    private RunHistory(SqliteConnection connection) => _connection = connection;

    /// <summary>The schema version this build writes.</summary>
    public static int SchemaVersion => Migrations.Length;

    /// <summary>Opens (creating if needed) the history at <paramref name="path"/> and migrates it to <see cref="SchemaVersion"/>.</summary>
    public static RunHistory Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;");
            Migrate(connection);
            return new RunHistory(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The schema version of the open file.</summary>
    public int Version => Convert.ToInt32(Scalar(_connection, "PRAGMA user_version;"), CultureInfo.InvariantCulture);

    /// <summary>Records the start of a run and returns its id.</summary>
    public long Start(string instance, string instancePath, DateTimeOffset startedAt, string inputHash)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = """
            INSERT INTO runs (instance, instance_path, started_at, input_hash, status) VALUES ($instance, $path, $started, $hash, 'running');
            SELECT last_insert_rowid();
            """;
        command.Parameters.AddWithValue("$instance", instance);
        command.Parameters.AddWithValue("$path", instancePath);
        command.Parameters.AddWithValue("$started", Time(startedAt));
        command.Parameters.AddWithValue("$hash", inputHash);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Records how a run ended.</summary>
    public void Finish(long id, RunOutcome outcome, DateTimeOffset endedAt)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        using var command = _connection.CreateCommand();
        command.CommandText = """
            UPDATE runs SET ended_at = $ended, status = $status, objective = $objective, bound = $bound, gap = $gap,
                kpis_json = $kpis, plan_json = $plan, summary = $summary, warnings = $warnings, device = $device
            WHERE id = $id;
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$ended", Time(endedAt));
        command.Parameters.AddWithValue("$status", outcome.Status.ToString().ToLowerInvariant());
        command.Parameters.AddWithValue("$objective", (object?)outcome.Objective ?? DBNull.Value);
        command.Parameters.AddWithValue("$bound", (object?)outcome.Bound ?? DBNull.Value);
        command.Parameters.AddWithValue("$gap", (object?)outcome.Gap ?? DBNull.Value);
        command.Parameters.AddWithValue("$kpis", (object?)outcome.KpisJson ?? DBNull.Value);
        command.Parameters.AddWithValue("$plan", (object?)outcome.PlanJson ?? DBNull.Value);
        command.Parameters.AddWithValue("$summary", outcome.Summary);
        command.Parameters.AddWithValue("$warnings", outcome.Warnings.Count > 0 ? string.Join("\n", outcome.Warnings) : DBNull.Value);
        command.Parameters.AddWithValue("$device", (object?)outcome.Device ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    /// <summary>The most recent runs, newest first.</summary>
    public IReadOnlyList<RunRecord> List(int limit = 50) => Query("SELECT * FROM runs ORDER BY id DESC LIMIT $limit;", ("$limit", limit));

    /// <summary>One run, or null.</summary>
    public RunRecord? Get(long id) => Query("SELECT * FROM runs WHERE id = $id;", ("$id", id)).FirstOrDefault();

    /// <summary>The latest run of <paramref name="instance"/> that wrote a plan (ok or interrupted): last night's plan.</summary>
    public RunRecord? LatestPlan(string instance) => Query(
        "SELECT * FROM runs WHERE instance = $instance AND status IN ('ok', 'interrupted') AND plan_json IS NOT NULL ORDER BY id DESC LIMIT 1;",
        ("$instance", instance)).FirstOrDefault();

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private List<RunRecord> Query(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        using var reader = command.ExecuteReader();
        var runs = new List<RunRecord>();
        while (reader.Read())
        {
            string? Text(string column) => reader[column] is string s ? s : null;
            double? Number(string column) => reader[column] is double d ? d : reader[column] is long l ? l : null;
            runs.Add(new RunRecord(
                (long)reader["id"],
                (string)reader["instance"],
                (string)reader["instance_path"],
                DateTimeOffset.Parse((string)reader["started_at"], CultureInfo.InvariantCulture),
                Text("ended_at") is { } ended ? DateTimeOffset.Parse(ended, CultureInfo.InvariantCulture) : null,
                (string)reader["input_hash"],
                Enum.Parse<RunStatus>((string)reader["status"], ignoreCase: true),
                Number("objective"),
                Number("bound"),
                Number("gap"),
                Text("kpis_json"),
                Text("plan_json"),
                (string)reader["summary"],
                Text("warnings"),
                Text("device")));
        }

        return runs;
    }

    private static void Migrate(SqliteConnection connection)
    {
        // BEGIN IMMEDIATE takes the write lock first, so two processes opening a new file migrate it once, in turn.
        using var transaction = connection.BeginTransaction(deferred: false);
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;", transaction), CultureInfo.InvariantCulture);
        if (version > Migrations.Length)
        {
            throw new InvalidOperationException(
                $"The history file has schema version {version}, newer than this Allocator's {Migrations.Length}: upgrade Allocator or use another --history file.");
        }

        for (var v = version; v < Migrations.Length; v++)
        {
            Execute(connection, Migrations[v], transaction);
            Execute(connection, $"PRAGMA user_version = {v + 1};", transaction);
        }

        transaction.Commit();
    }

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
