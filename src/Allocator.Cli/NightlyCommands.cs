using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Allocator.Core.Text;
using Allocator.Kernels;
using Allocator.Service;
using Allocator.Solver;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Allocator.Cli;

/// <summary>
/// <c>allocator serve</c>, <c>allocator run-once</c> and <c>allocator history</c>: the nightly service. Every service
/// option is also a flag here; flags override environment variables (ALLOCATOR_Nightly__...), which override the
/// settings file.
/// </summary>
internal static class NightlyCommands
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Serve() => HostCommand("serve", HelpText.With(
        "Run the nightly plan on its cron schedule until stopped (SIGTERM or Ctrl-C). Each instance is written to OUT/NAME/ (NAME: its file's name).",
        "allocator serve --instance fleet.json --out /var/lib/allocator --schedule '0 2 * * *' --time-zone Europe/Paris",
        "allocator serve --config /etc/allocator/appsettings.json"), runOnce: false);

    public static Command RunOnce() => HostCommand("run-once", HelpText.With(
        "Run one night now and exit (for cron, systemd timers or a Kubernetes CronJob). Each instance is written to OUT/NAME/ (NAME: its file's name).",
        "allocator run-once --instance fleet.json --out out/nightly --time-limit 600",
        "allocator run-once --instance a.json --instance b.json --out out/nightly --robust --risk cvar:0.05:0.5"), runOnce: true);

    private static Command HostCommand(string name, string description, bool runOnce)
    {
        // The defaults are the service's own (NightlyOptions), so that the help cannot drift from what runs.
        var d = new NightlyOptions();
        var config = new Option<string?>("--config") { Description = "Settings file (default: appsettings.json in the current folder, if there is one)." };
        var flags = new (Option Option, string Key)[]
        {
            (new Option<string[]>("--instance") { Description = "Instance file to plan (repeat for several).", AllowMultipleArgumentsPerToken = true }, "Instances"),
            (new Option<string?>("--out") { Description = "Folder the plans go to, one sub-folder per instance (OUT/NAME/plan.json, plan.csv, spot.csv). Required." }, "OutputDirectory"),
            (new Option<string?>("--history") { Description = "SQLite history file (default: history.db in the output folder)." }, "HistoryPath"),
            (new Option<double?>("--time-limit") { Description = $"Seconds per instance (exact solve plus search; default {d.TimeLimitSeconds.ToString(CultureInfo.InvariantCulture)})." }, "TimeLimitSeconds"),
            (new Option<double?>("--gap") { Description = "Stop the exact solve once its plan is proven within this relative gap (0.005 = 0.5%; default 0: to the optimum or the limit)." }, "TargetGap"),
            (new Option<string?>("--schedule") { Description = $"Cron expression of the nightly run (serve; default '{d.Schedule}')." }, "Schedule"),
            (new Option<string?>("--time-zone") { Description = $"Time zone of the schedule (IANA id; default {d.TimeZone})." }, "TimeZone"),
            (new Option<int?>("--threads") { Description = $"Solver threads (default {d.Threads})." }, "Threads"),
            (Choice.Maybe("--solver", "The exact engine (default scip).", SolverKinds.Words), "Solver"),
            (new Option<double?>("--move-cost") { Description = "USD per GPU-period moved away from last night's placement (stability; default 0: off)." }, "MoveCostPerGpuPeriod"),
            (new Option<bool?>("--robust") { Description = "Run the robust search after the exact solve (default: off)." }, "Robust"),
            (new Option<string?>("--risk") { Description = $"Robust search risk measure: expected, cvar:ALPHA:LAMBDA, chance:EPS (default {d.Risk})." }, "Risk"),
            (new Option<int?>("--scenarios") { Description = $"Scenarios per candidate in the robust search (default {d.Scenarios})." }, "Scenarios"),
            (Choice.Maybe("--device", "Where the robust search scores candidates (default auto).", ScoringDevices.Words), "Device"),
            (new Option<ulong?>("--scenario-seed") { Description = $"Seed of the robust search's scenarios and moves (default {d.ScenarioSeed})." }, "ScenarioSeed"),
            (new Option<int?>("--batch") { Description = $"Candidates the robust search scores together per step (default {d.BatchSize})." }, "BatchSize"),
            (new Option<long?>("--evaluations") { Description = "Most candidates the robust search scores (default: until its time is up); with the seed and batch, a reproducible night." }, "Evaluations"),
            (new Option<int?>("--oos-scenarios") { Description = $"Fresh scenarios the robust plan is compared with the exact plan on (default {d.OutOfSampleScenarios})." }, "OutOfSampleScenarios"),
            (new Option<int?>("--mip-threads") { Description = "Of --threads, how many the MIP gets (default: the planner's choice, as for plan)." }, "MipThreads"),
        };
        var command = new Command(name, description) { config };
        foreach (var (option, _) in flags)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellation) =>
        {
            var values = new Dictionary<string, string?> { [$"{NightlyOptions.Section}:RunOnce"] = runOnce ? "true" : "false" };
            foreach (var (option, key) in flags)
            {
                switch (parse.GetResult(option)?.GetValueOrDefault<object?>())
                {
                    case null:
                        break;
                    case string[] paths:
                        for (var i = 0; i < paths.Length; i++)
                        {
                            values[$"{NightlyOptions.Section}:{key}:{i}"] = paths[i];
                        }

                        break;
                    case IFormattable number:
                        values[$"{NightlyOptions.Section}:{key}"] = number.ToString(null, CultureInfo.InvariantCulture);
                        break;
                    case var other:
                        values[$"{NightlyOptions.Section}:{key}"] = other.ToString();
                        break;
                }
            }

            return await RunHost(parse.GetValue(config), values, cancellation).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunHost(string? config, Dictionary<string, string?> values, CancellationToken stop)
    {
        if (config is not null && !File.Exists(config))
        {
            Console.Error.WriteLine($"error: settings file {config} does not exist. Nothing was written.");
            return ExitCodes.InvalidInput;
        }

        // RunAsync disposes the host when it ends: take the report first.
        var host = NightlyHost.Create(config, values);
        var report = host.Services.GetRequiredService<NightlyReport>();
        try
        {
            // SIGTERM and Ctrl-C arrive as the command line's token: it stops the host, which stops the run in progress.
            await host.RunAsync(stop).ConfigureAwait(false);
        }
        catch (OptionsValidationException e)
        {
            Console.Error.WriteLine($"error: the service options are not valid ({e.Failures.Count()} problem(s)); nothing was run:");
            foreach (var failure in e.Failures)
            {
                Console.Error.WriteLine($"  {failure}");
            }

            return ExitCodes.InvalidInput;
        }

        return report.ExitCode;
    }

    public static Command History()
    {
        var file = new Option<string>("--history") { Description = "SQLite history file.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var limit = new Option<int>("--limit") { Description = "Most runs to list, newest first.", DefaultValueFactory = _ => 50 };
        var list = new Command("list", HelpText.With("List runs, newest first.", "allocator history list --history out/history.db", "allocator history list --history out/history.db --json --limit 10")) { file, json, limit };
        list.SetAction(parse => WithHistory(parse.GetValue(file)!, history =>
        {
            var runs = history.List(Math.Max(1, parse.GetValue(limit)));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(runs.Select(Brief), JsonOptions));
                return ExitCodes.Success;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Run", "Instance", "Started (UTC)", "Status", "Objective", "Gap", "Summary");
            foreach (var r in runs)
            {
                table.AddRow(
                    r.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(r.Instance), r.StartedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    r.Status.ToString().ToLowerInvariant(), r.Objective is { } objective ? Figures.Whole(objective) : "-",
                    r.Gap is { } gap ? Figures.Percent(gap) : "-", Markup.Escape(Console.IsOutputRedirected ? r.Summary.ReplaceLineEndings(" ") : Shorten(r.Summary, 48)));
            }

            AnsiConsole.Write(table);
            return ExitCodes.Success;
        }));

        var runId = new Argument<long>("RUN") { Description = "Run id (see history list)." };
        var show = new Command("show", HelpText.With("Show one run: status, numbers, summary, warnings (and the plan with --json).", "allocator history show 12 --history out/history.db")) { runId, file, json };
        show.SetAction(parse => WithHistory(parse.GetValue(file)!, history =>
        {
            if (history.Get(parse.GetValue(runId)) is not { } run)
            {
                Console.Error.WriteLine($"error: there is no run {parse.GetValue(runId)} in {parse.GetValue(file)}; see 'allocator history list'.");
                return ExitCodes.InvalidInput;
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { run = Brief(run), kpis = run.KpisJson is { } k ? JsonDocument.Parse(k).RootElement : (JsonElement?)null, plan = run.PlanJson is { } p ? JsonDocument.Parse(p).RootElement : (JsonElement?)null }, JsonOptions));
                return ExitCodes.Success;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run.Id}: {run.Instance} ({run.InstancePath}), {run.Status.ToString().ToLowerInvariant()}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"started {run.StartedAt:O}, ended {run.EndedAt:O}, input sha256 {run.InputHash}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"objective {(run.Objective is { } o ? Figures.Usd(o) : "-")}, bound {(run.Bound is { } b ? Figures.Usd(b) : "-")}, gap {(run.Gap is { } g ? Figures.Percent(g) : "-")}, device {run.Device ?? "-"}"));
            Console.WriteLine(run.Summary);
            if (run.Warnings is { } warnings)
            {
                Console.WriteLine("warnings:\n  " + warnings.Replace("\n", "\n  ", StringComparison.Ordinal));
            }

            return ExitCodes.Success;
        }));

        var fromId = new Argument<long>("FROM") { Description = "Earlier run id." };
        var toId = new Argument<long>("TO") { Description = "Later run id." };
        var diff = new Command("diff", HelpText.With("What changed between two runs' plans: offers accepted or dropped, leases and jobs moved, value delta.", "allocator history diff 11 12 --history out/history.db")) { fromId, toId, file, json };
        diff.SetAction(parse => WithHistory(parse.GetValue(file)!, history =>
        {
            var (a, b) = (history.Get(parse.GetValue(fromId)), history.Get(parse.GetValue(toId)));
            if (a is null || b is null)
            {
                Console.Error.WriteLine($"error: run {(a is null ? parse.GetValue(fromId) : parse.GetValue(toId))} is not in {parse.GetValue(file)}; see 'allocator history list'.");
                return ExitCodes.InvalidInput;
            }

            var d = PlanDiff.Between(a, b);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { from = d.From, to = d.To, d.ObjectiveBefore, d.ObjectiveAfter, valueDelta = d.ValueDelta, changes = d.Changes, notes = d.Notes }, JsonOptions));
                return ExitCodes.Success;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {d.From} -> run {d.To}: {d.Changes.Count} change(s), value {Money(d.ObjectiveBefore)} -> {Money(d.ObjectiveAfter)} ({(Math.Round(d.ValueDelta ?? 0) > 0 ? "+" : "")}{Money(d.ValueDelta)})"));
            foreach (var c in d.Changes)
            {
                Console.WriteLine($"  {c.Kind} {c.Id}: {c.Change}{(c.Before is null ? "" : $", was {c.Before}")}{(c.After is null ? "" : $", now {c.After}")}");
            }

            foreach (var note in d.Notes)
            {
                Console.WriteLine($"  note: {note}");
            }

            return ExitCodes.Success;
        }));

        return new Command("history", HelpText.With("The nightly runs recorded in a history file.", "allocator history list --history out/history.db")) { list, show, diff };
    }

    private static object Brief(RunRecord r) => new
    {
        id = r.Id,
        instance = r.Instance,
        instancePath = r.InstancePath,
        startedAt = r.StartedAt,
        endedAt = r.EndedAt,
        status = r.Status.ToString().ToLowerInvariant(),
        objective = r.Objective,
        bound = r.Bound,
        gap = r.Gap,
        inputHash = r.InputHash,
        device = r.Device,
        summary = r.Summary,
        warnings = r.Warnings,
    };

    private static string Money(double? usd) => usd is { } value ? Figures.Usd(value) : "-";

    private static string Shorten(string text, int length)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= length ? line : line[..(length - 1)] + "…";
    }

    private static int WithHistory(string path, Func<RunHistory, int> action)
    {
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"error: history file {path} does not exist; a run creates it (allocator run-once --history {path}).");
            return ExitCodes.InvalidInput;
        }

        try
        {
            using var history = RunHistory.Open(path);
            return action(history);
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {path} cannot be read as an Allocator history: {e.Message}");
            return ExitCodes.InvalidInput;
        }
    }
}
