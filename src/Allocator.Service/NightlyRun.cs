using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Core.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Allocator.Planning.Pipeline;
using Allocator.Planning.Policies;
using Allocator.Solver;
using Microsoft.Extensions.Logging;

namespace Allocator.Service;

/// <summary>
/// One night's run of one instance: read and check it, start from last night's plan, solve (and search, when robust),
/// write plan.json and plan.csv atomically, and record the run. Bad input, an infeasible instance or a failure leave
/// the previous plan in place; a stop request (SIGTERM) ends the solve early and the best plan so far is written.
/// </summary>
public sealed class NightlyRun(NightlyOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>Runs <paramref name="instancePath"/> into <paramref name="outputFolder"/>, recording it in <paramref name="history"/>.</summary>
    public (RunRecord Record, RunOutcome Outcome) Execute(string instancePath, string outputFolder, RunHistory history, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(history);
        var bytes = TryRead(instancePath);
        var hash = bytes is null ? "unreadable" : Convert.ToHexStringLower(SHA256.HashData(bytes));
        var key = Path.GetFileNameWithoutExtension(instancePath);
        var id = history.Start(key, Path.GetFullPath(instancePath), time.GetUtcNow(), hash);
        ServiceLog.Planning(logger, id, instancePath, outputFolder);
        RunOutcome outcome;
        try
        {
            outcome = Plan(key, instancePath, outputFolder, history, stopping);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            outcome = new RunOutcome(RunStatus.Failed, $"{e.GetType().Name}: {e.Message}; the previous plan stays current.");
        }

        history.Finish(id, outcome, time.GetUtcNow());
        var level = outcome.Status is RunStatus.Ok or RunStatus.Interrupted ? LogLevel.Information : LogLevel.Error;
        var statusText = outcome.Status.ToString().ToLowerInvariant();
        ServiceLog.Finished(logger, level, id, statusText, outcome.Summary);
        foreach (var warning in outcome.Warnings)
        {
            ServiceLog.Warning(logger, id, warning);
        }

        return (history.Get(id)!, outcome);
    }

    private RunOutcome Plan(string key, string instancePath, string outputFolder, RunHistory history, CancellationToken stopping)
    {
        var warnings = new List<string>();
        var total = TimeSpan.FromSeconds(options.TimeLimitSeconds);
        using var setup = PlanningSetup.Create(options.PlannerOptions(), total, options.RobustSettings(), options.Device, warnings.Add);
        var request = new PlanningRequest(instancePath, outputFolder, setup.Policy) { Previous = PreviousPlan(key, outputFolder, history), Check = setup.Check };
        var result = PlanningPipeline.Run(request, null, stopping);
        warnings.AddRange(result.Warnings);
        if (result.Plan?.Evaluation is not { } evaluation)
        {
            var problems = result.Problems.Count == 0 ? "" : Environment.NewLine + string.Join(Environment.NewLine, result.Problems.Select(p => $"  {p.Path}: {p.Message}"));
            return new RunOutcome(result.Status, $"{result.Message}{problems}{Environment.NewLine}Nothing was written; the previous plan stays current.") { Warnings = warnings };
        }

        var report = result.Plan.Report;
        (PlanReport Report, PlanEvaluation Evaluation) exact = result.Plan.Baseline is { } baseline ? (baseline.Report, baseline.Evaluation) : (report, evaluation);
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{exact.Report.Solver} {exact.Report.Status} in {exact.Report.SolveSeconds:0.0} s, objective {Figures.Usd(exact.Evaluation.Objective.Total)}{(exact.Report.Gap is { } gap ? $", gap {Figures.Percent(gap)}" : "")}{(exact.Report.Ended == "targetGap" ? " (within the target gap)" : "")}");
        if (setup.Policy is ExactPolicy { LastResult: { } solve } && (solve.StabilityCost > 0 || (request.Previous is not null && options.MoveCostPerGpuPeriod > 0)))
        {
            summary += string.Create(CultureInfo.InvariantCulture, $", stability charge {Figures.Usd(solve.StabilityCost)} for moves away from last night's plan");
        }

        if (result.Plan.Details is RobustDetails robust)
        {
            summary += string.Create(CultureInfo.InvariantCulture,
                $"; robust search under {robust.Risk.Text}: {robust.Result.Evaluations:N0} plans on {robust.Result.Device}, robust plan worth {Figures.Usd(evaluation.Objective.Total)} as planned{(result.Comparison is { } c ? $"; {c.Sentence}" : "")}");
        }

        if (result.Status == RunStatus.Interrupted)
        {
            summary = "stopped on request; the best plan found so far was written. " + summary;
        }

        return new RunOutcome(
            result.Status, summary, evaluation.Objective.Total, report.Bound, report.Gap,
            JsonSerializer.Serialize(evaluation.Kpis, KpiJson), result.PlanJson, setup.Device)
        {
            Warnings = warnings,
        };
    }

    private static readonly JsonSerializerOptions KpiJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Last night's plan for this instance: from the history, else the plan.json already in the output folder.</summary>
    private static PreviousPlan? PreviousPlan(string key, string outputFolder, RunHistory history)
    {
        if (history.LatestPlan(key)?.PlanJson is { } json)
        {
            return new PreviousPlan(json, "last night's plan", Named: false);
        }

        var current = Path.Combine(outputFolder, "plan.json");
        return File.Exists(current) ? new PreviousPlan(File.ReadAllText(current), "last night's plan", Named: false) : null;
    }

    private static byte[]? TryRead(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
