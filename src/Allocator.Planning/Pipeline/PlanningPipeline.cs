using System.Text.Json;
using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.IO;
using Allocator.Core.Json;
using Allocator.Core.Policies;
using Allocator.Planning.Policies;
using Allocator.Search;

namespace Allocator.Planning.Pipeline;

/// <summary>
/// The one planning pipeline, run by <c>plan</c>, <c>run-once</c> and <c>serve</c>: read the instance, take the previous
/// plan, run the policy, compare its plan with its baseline on fresh scenarios, and write the files atomically, plan.json
/// last (a reader that sees it sees the whole run). Bad input, an infeasible instance or no plan in time write nothing.
/// A stop request ends the policy early; the best plan it holds is written and marked interrupted. The caller holds the
/// output folder's lock and keeps the history.
/// </summary>
public static class PlanningPipeline
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Runs <paramref name="request"/>; <paramref name="progress"/> hears of every better plan.</summary>
    public static PlanningResult Run(PlanningRequest request, IProgress<ProgressPoint>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        Instance source;
        try
        {
            source = InstanceReader.ReadFile(request.InstancePath);
        }
        catch (ContractException e)
        {
            return Invalid(e, "the instance is not valid");
        }

        var instance = new CompiledInstance(source);
        // What validate notes (valid, but likely not meant) travels with the run: the planner's log and the history.
        var warnings = InstanceNotes.Of(instance).Select(note => note.ToString()).ToList();
        Assignment? previous = null;
        if (request.Previous is { } given)
        {
            try
            {
                previous = Previous(instance, given, warnings);
            }
            catch (ContractException e)
            {
                return Invalid(e, "the previous plan is not valid") with { Instance = instance };
            }
        }

        var plan = request.Policy.Plan(new PolicyInput(instance, previous), progress, cancellation);
        var interrupted = cancellation.IsCancellationRequested;
        if (plan.Evaluation is not { } evaluation)
        {
            var status = plan.Outcome switch
            {
                PolicyOutcome.Infeasible => RunStatus.Infeasible,
                PolicyOutcome.Unusable => RunStatus.Invalid,
                _ => interrupted ? RunStatus.Interrupted : RunStatus.Failed,
            };
            return new PlanningResult(status, plan.Problem ?? "no plan was found.") { Instance = instance, Warnings = warnings };
        }

        var comparison = plan.Baseline is { } baseline && request.Check is { } check && !interrupted
            ? OutOfSample.Compare(instance, check.Scorer, check.Risk, baseline.Evaluation.Assignment, evaluation.Assignment, check.Seed, check.Scenarios)
            : null;
        var written = comparison is null ? plan : plan with { Report = plan.Report with { Notes = WithNote(plan.Report.Notes, "outOfSample", comparison.Sentence) } };
        var files = Write(request.OutputFolder, instance, written, comparison, out var planJson);
        return new PlanningResult(interrupted ? RunStatus.Interrupted : RunStatus.Ok, interrupted ? "stopped on request; the best plan found so far was written." : "planned.")
        {
            Instance = instance,
            Plan = written,
            Comparison = comparison,
            PlanJson = planJson,
            Files = files,
            Warnings = [.. warnings, .. plan.Notes],
        };
    }

    private static PlanningResult Invalid(ContractException e, string what) =>
        new(RunStatus.Invalid, $"{what} ({e.Problems.Count} problem{(e.Problems.Count == 1 ? "" : "s")}).") { Problems = e.Problems, ProblemSource = e.Source };

    /// <summary>
    /// The previous plan, resolved against tonight's instance. A named plan that cannot be read or is for another
    /// instance is an error; last night's is dropped with a warning. Leases or jobs it names that the instance no longer
    /// has are passed over with a warning, and the rest is the starting point.
    /// </summary>
    private static Assignment? Previous(CompiledInstance instance, PreviousPlan previous, List<string> warnings)
    {
        Plan plan;
        try
        {
            plan = PlanReader.Read(previous.Json, previous.Source);
        }
        catch (ContractException e) when (!previous.Named)
        {
            warnings.Add($"{previous.Source} could not be read ({(e.Problems.Count > 0 ? e.Problems[0] : null)}); starting from scratch.");
            return null;
        }

        if (PlanIdentity.Mismatch(plan, instance) is { } mismatch)
        {
            if (previous.Named)
            {
                throw new ContractException(previous.Source, [new ContractProblem("$.instance", $"{mismatch} Give a plan made for this instance, or leave --previous out.")]);
            }

            warnings.Add($"{previous.Source}: {mismatch} Starting from scratch.");
            return null;
        }

        var violations = new List<PlanViolation>();
        var resolved = PlanEvaluator.Resolve(instance, plan, violations);
        if (violations.Count > 0)
        {
            warnings.Add($"{previous.Source} does not fully match the instance ({violations.Count} difference(s), e.g. {violations[0]}); the rest of it is the starting point.");
        }

        return resolved;
    }

    private static Dictionary<string, string> WithNote(IReadOnlyDictionary<string, string>? notes, string key, string value) =>
        new(notes ?? new Dictionary<string, string>()) { [key] = value };

    /// <summary>Writes the run's files, each atomically and plan.json last; returns their paths in that order.</summary>
    private static List<string> Write(string folder, CompiledInstance instance, PolicyPlan plan, PairedComparison? comparison, out string planJson)
    {
        var evaluation = plan.Evaluation!;
        var files = new List<(string Name, string Text)>();
        if (plan.Baseline is { } baseline)
        {
            files.Add(($"{baseline.Name}-plan.json", PlanWriter.Write(baseline.Evaluation.Assignment.ToPlan(instance), baseline.Evaluation, baseline.Report, instance)));
        }

        if (plan.Details is RobustDetails robust)
        {
            files.Add(("risk.json", RiskJson(robust, comparison)));
        }

        files.Add(("plan.csv", PlanWriter.WriteCsv(instance, evaluation.Assignment)));
        files.Add(("spot.csv", PlanWriter.WriteSpotCsv(instance, evaluation)));
        planJson = PlanWriter.Write(evaluation.Assignment.ToPlan(instance), evaluation, plan.Report, instance);
        files.Add(("plan.json", planJson));
        Directory.CreateDirectory(folder);
        var paths = new List<string>();
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(folder, name);
            AtomicFile.WriteAllText(path, text);
            paths.Add(path);
        }

        return paths;
    }

    private static string RiskJson(RobustDetails robust, PairedComparison? oos)
    {
        var (risk, options, result) = (robust.Risk, robust.Options, robust.Result);
        var document = new
        {
            risk = risk.Text,
            device = result.Device,
            search = new
            {
                seed = options.Seed,
                scenarios = options.Scenarios,
                batchSize = options.BatchSize,
                evaluationBudget = options.EvaluationBudget,
                evaluations = result.Evaluations,
                steps = result.Steps,
                seconds = Math.Round(result.Elapsed.TotalSeconds, 3),
                scoringSeconds = Math.Round(result.ScoringTime.TotalSeconds, 3),
                candidatesPerSecond = Math.Round(result.CandidatesPerSecond, 1),
                stopped = JsonNamingPolicy.CamelCase.ConvertName(result.Stopped.ToString()),
                improvingMoves = result.ImprovingMoves.ToDictionary(m => JsonNamingPolicy.CamelCase.ConvertName(m.Key.ToString()), m => m.Value),
                seeds = result.Seeds.Select(s => new { name = s.Name, value = risk.ValueOf(s.Risk), admissible = s.Fitness.Admissible, risk = s.Risk }),
                exact = result.Seeds[0].Risk,
                robust = result.Best.Risk,
                robustFrom = result.Best.Name,
            },
            outOfSample = oos is null ? null : new
            {
                seed = oos.Seed,
                scenarios = oos.Scenarios,
                exact = oos.Baseline,
                robust = oos.Candidate,
                meanDifference = oos.MeanDifference,
                measureDifference = oos.MeasureDifference,
                shortProbabilityDifference = oos.ShortProbabilityDifference,
                verdict = oos.Verdict.ToString().ToLowerInvariant(),
                sentence = oos.Sentence,
            },
        };
        return JsonSerializer.Serialize(document, JsonOptions) + "\n";
    }
}
