using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.IO;
using Allocator.Core.Json;
using Allocator.Kernels;
using Allocator.Search;
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
        Instance instance;
        try
        {
            instance = InstanceReader.ReadFile(instancePath);
        }
        catch (ContractException e)
        {
            return new RunOutcome(RunStatus.Invalid, $"{e.Message}{Environment.NewLine}Nothing was written; the previous plan stays current.");
        }

        var compiled = new CompiledInstance(instance);
        var warnings = new List<string>();
        var previous = PreviousPlan(key, outputFolder, compiled, history, warnings);
        var robust = options.Robust ? RiskMeasure.Parse(options.Risk, out _) : null;
        var total = TimeSpan.FromSeconds(options.TimeLimitSeconds);
        var planner = new PlannerOptions
        {
            Solver = options.Solver,
            Threads = options.Threads,
            TimeLimit = robust is null ? total : total / 2,
            TargetGap = options.TargetGap,
            Hint = previous,
            MoveCostPerGpuPeriod = previous is null ? 0 : options.MoveCostPerGpuPeriod,
        };

        var exact = ExactPlanner.Solve(compiled, planner, null, stopping);
        var interrupted = stopping.IsCancellationRequested;
        switch (exact.Status)
        {
            case PlanStatus.Infeasible:
                return new RunOutcome(RunStatus.Infeasible, $"{exact.Infeasibility?.Summary ?? "the commitments cannot all be met."} Nothing was written; the previous plan stays current.") { Warnings = warnings };
            case PlanStatus.Unknown:
                return new RunOutcome(
                    interrupted ? RunStatus.Interrupted : RunStatus.Failed,
                    $"no feasible plan was found {(interrupted ? "before the stop request" : $"within {planner.TimeLimit.TotalSeconds:0.#} s")}; nothing was written; the previous plan stays current.") { Warnings = warnings };
        }

        var assignment = exact.Assignment!;
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{exact.Solver} {exact.Status.ToString().ToLowerInvariant()} in {exact.Elapsed.TotalSeconds:0.0} s, objective {exact.Objective:N0} USD, gap {exact.Gap:P4}{(exact.End == SolveEnd.TargetGap ? " (within the target gap)" : "")}");
        if (exact.StabilityCost > 0 || (previous is not null && options.MoveCostPerGpuPeriod > 0))
        {
            summary += string.Create(CultureInfo.InvariantCulture, $", stability charge {exact.StabilityCost:N0} USD for moves away from last night's plan");
        }

        string? device = null;
        if (robust is not null && !interrupted)
        {
            (assignment, device, var line) = Search(compiled, robust, assignment, previous, total - exact.Elapsed, warnings, stopping);
            summary += "; " + line;
            interrupted = stopping.IsCancellationRequested;
        }

        var evaluation = PlanEvaluator.Evaluate(compiled, assignment);
        var status = interrupted ? "interrupted" : robust is not null ? "robust" : exact.Status.ToString().ToLowerInvariant();
        var report = robust is null ? exact.Report(status) : new PlanReport(status, exact.Solver, null, null, exact.Elapsed.TotalSeconds);
        var planJson = PlanWriter.Write(assignment.ToPlan(compiled), evaluation, report, compiled);
        Directory.CreateDirectory(outputFolder);
        AtomicFile.WriteAllText(Path.Combine(outputFolder, "plan.csv"), PlanWriter.WriteCsv(compiled, assignment));
        AtomicFile.WriteAllText(Path.Combine(outputFolder, "plan.json"), planJson);
        if (interrupted)
        {
            summary = "stopped on request; the best plan found so far was written. " + summary;
        }

        return new RunOutcome(
            interrupted ? RunStatus.Interrupted : RunStatus.Ok, summary, evaluation.Objective.Total, report.Bound, report.Gap,
            JsonSerializer.Serialize(evaluation.Kpis, KpiJson), planJson, device)
        {
            Warnings = warnings,
        };
    }

    private static readonly JsonSerializerOptions KpiJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private (Assignment Plan, string Device, string Line) Search(
        CompiledInstance compiled, RiskMeasure risk, Assignment exact, Assignment? previous, TimeSpan remaining, List<string> warnings, CancellationToken stopping)
    {
        // A GPU that is missing or fails to start is not a failed night: the CPU path scores instead, and the run says so.
        using var scorer = BulkScorer.Create(options.Device, warnings.Add);
        var seeds = SeedPlan.ExactAndPrevious(compiled, exact, previous, "last night");

        var settings = new SearchOptions { Risk = risk, Scenarios = options.Scenarios, TimeLimit = remaining > TimeSpan.FromSeconds(1) ? remaining : TimeSpan.FromSeconds(1) };
        var search = RobustSearch.Run(compiled, scorer, seeds, settings, null, stopping);
        var oos = OutOfSample.Compare(compiled, scorer, risk, exact, search.Best.Assignment, OutOfSample.FreshSeed(settings.Seed), Math.Max(2, options.Scenarios));
        return (search.Best.Assignment, scorer.Description,
            string.Create(CultureInfo.InvariantCulture, $"robust search under {risk.Text}: {search.Evaluations:N0} plans on {scorer.Description}; {oos.Sentence}"));
    }

    /// <summary>
    /// Last night's plan for this instance: from the history, else the plan.json already in the output folder. Leases
    /// or jobs it names that tonight's instance no longer has are ignored (with a warning), the rest is the hint.
    /// </summary>
    private static Assignment? PreviousPlan(string key, string outputFolder, CompiledInstance compiled, RunHistory history, List<string> warnings)
    {
        string? json = history.LatestPlan(key)?.PlanJson;
        var current = Path.Combine(outputFolder, "plan.json");
        if (json is null && File.Exists(current))
        {
            json = File.ReadAllText(current);
        }

        if (json is null)
        {
            return null;
        }

        try
        {
            var violations = new List<PlanViolation>();
            var resolved = PlanEvaluator.Resolve(compiled, PlanReader.Read(json, "last night's plan"), violations);
            if (violations.Count > 0)
            {
                warnings.Add($"last night's plan does not fully match tonight's instance ({violations.Count} difference(s), e.g. {violations[0]}); the rest of it is the starting point.");
            }

            return resolved;
        }
        catch (ContractException e)
        {
            warnings.Add($"last night's plan could not be read ({(e.Problems.Count > 0 ? e.Problems[0] : null)}); starting from scratch.");
            return null;
        }
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
