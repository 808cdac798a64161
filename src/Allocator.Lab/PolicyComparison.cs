using System.Diagnostics;
using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Core.Policies;
using Allocator.Core.Scenarios;
using Allocator.Core.Text;
using Allocator.Kernels;

namespace Allocator.Lab;

/// <summary>What to compare: instances, policies by name (the baseline among them), and the scenarios they are all scored on.</summary>
public sealed record ComparisonRequest(IReadOnlyList<string> Instances, IReadOnlyList<IPlanningPolicy> Policies, string Baseline, int Scenarios, ulong Seed)
{
    /// <summary>The share of worst scenarios CVaR averages.</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>
    /// The stopping rule as precision: scenarios are added in batches (<see cref="Scenarios"/> first, then doubling the
    /// count) until every paired interval is narrower than this share of the baseline's mean (null: one batch,
    /// <see cref="Scenarios"/> in all).
    /// </summary>
    public double? Precision { get; init; }

    /// <summary>With <see cref="Precision"/>: the most scenarios to draw before giving up.</summary>
    public int MaxScenarios { get; init; } = 1_000_000;
}

/// <summary>One policy on one instance: its plan, how long planning took, and what the plan made in every scenario.</summary>
public sealed record PolicyResult(string Policy, PolicyPlan Plan, double SolveSeconds)
{
    private readonly IReadOnlyList<ScenarioOutcome> _outcomes = [];

    /// <summary>Each scenario's outcome, scenario k at index k (empty when the policy gave no plan).</summary>
    public IReadOnlyList<ScenarioOutcome> Outcomes
    {
        get => _outcomes;
        init
        {
            _outcomes = value;
            Totals = [.. value.Select(o => o.Total)];
        }
    }

    /// <summary>The summary of <see cref="Outcomes"/> (null when the policy gave no plan).</summary>
    public RiskSummary? Risk { get; init; }

    /// <summary>Mean of this policy - the baseline, scenario by scenario (null for the baseline itself).</summary>
    public Difference? MeanDifference { get; init; }

    /// <summary>CVaR of this policy - CVaR of the baseline (null for the baseline itself).</summary>
    public Difference? CvarDifference { get; init; }

    /// <summary>Whether the policy's solve stopped at its time or node limit before proving its plan optimal.</summary>
    public bool StoppedAtLimit => Plan.Report.Ended == PlanReport.EndedAtLimit;

    /// <summary>How long planning took, and where the solve stopped at its limit, with what gap: "60.0 s, at the limit (gap 0.31%)".</summary>
    public string Solve => Figures.Seconds(SolveSeconds) + (StoppedAtLimit ? $", at the limit{(Plan.Report.Gap is { } gap ? $" (gap {Figures.Percent(gap)})" : "")}" : "");

    /// <summary>Each scenario's total, in scenario order (computed once, with <see cref="Outcomes"/>).</summary>
    public IReadOnlyList<double> Totals { get; private init; } = [];
}

/// <summary>Every policy on one instance, and how many scenarios it took (with a precision: whether that precision was reached).</summary>
public sealed record InstanceComparison(string Path, CompiledInstance Instance, IReadOnlyList<PolicyResult> Policies, double ScoringSeconds)
{
    /// <summary>The instance's name.</summary>
    public string Name => Instance.Source.Name;

    /// <summary>Scenarios every plan was scored on.</summary>
    public int Scenarios => Policies.FirstOrDefault(p => p.Risk is not null)?.Outcomes.Count ?? 0;

    /// <summary>Whether every paired interval is narrower than the precision asked for (true when none was asked for).</summary>
    public bool PrecisionReached { get; init; } = true;

    /// <summary>Whether any policy has a paired difference with the baseline (both have a plan), so a precision can apply.</summary>
    public bool HasDifferences => Policies.Any(p => p.MeanDifference is not null);
}

/// <summary>
/// Runs every policy on every instance and scores all their plans on the same scenarios (common random numbers:
/// scenario k is the same draw for every plan), then compares each policy with the baseline, pair by pair.
/// </summary>
public static class PolicyComparison
{
    /// <summary>
    /// Compares; a policy that gives no plan on an instance is kept with its reason and left out of the figures. A stop
    /// (<paramref name="cancellation"/>) ends the comparison: the instances compared before it are returned, in order,
    /// and the one in progress is dropped, since its plans were cut short (an exact policy hands over its best plan so
    /// far) and its scenarios may be fewer than asked. Fewer comparisons than instances means it was stopped.
    /// </summary>
    public static IReadOnlyList<InstanceComparison> Run(ComparisonRequest request, IPlanScorer scorer, Action<string>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(scorer);
        var compared = new List<InstanceComparison>();
        foreach (var path in request.Instances)
        {
            try
            {
                compared.Add(Compare(path, request, scorer, progress, cancellation));
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                break;
            }
        }

        return compared;
    }

    private static InstanceComparison Compare(string path, ComparisonRequest request, IPlanScorer scorer, Action<string>? progress, CancellationToken cancellation)
    {
        var instance = new CompiledInstance(InstanceReader.ReadFile(path));
        var results = new List<PolicyResult>();
        foreach (var policy in request.Policies)
        {
            progress?.Invoke($"{instance.Source.Name}: planning with {policy.Name}");
            var clock = Stopwatch.StartNew();
            var plan = policy.Plan(new PolicyInput(instance), null, cancellation);
            results.Add(new PolicyResult(policy.Name, plan, clock.Elapsed.TotalSeconds));
            cancellation.ThrowIfCancellationRequested();
        }

        var planned = results.Where(r => r.Plan.Assignment is not null).ToList();
        if (planned.Count == 0)
        {
            return new InstanceComparison(path, instance, results, 0); // no plan to score
        }

        var outcomes = planned.Select(_ => new List<ScenarioOutcome>()).ToList();
        var scoring = Stopwatch.StartNew();
        while (true)
        {
            // Scenario k is the same draw whatever the batch, so batches continue one sequence of scenarios.
            // Each batch doubles the count (an interval narrows with its square root), so a precision takes few rounds.
            var drawn = outcomes.Count == 0 ? 0 : outcomes[0].Count;
            var batch = Math.Min(Math.Max(request.Scenarios, drawn), request.MaxScenarios - drawn);
            progress?.Invoke($"{instance.Source.Name}: scoring {planned.Count} plans x {batch:N0} scenarios (from scenario {drawn:N0}) on {scorer.Description}");
            var matrix = scorer.Score(instance, [.. planned.Select(r => r.Plan.Assignment!)], request.Seed, batch, drawn);
            for (var i = 0; i < planned.Count; i++)
            {
                outcomes[i].AddRange(matrix.ForPlan(i));
            }

            var scored = AgainstBaseline([.. results.Select(r => planned.IndexOf(r) is var i and >= 0
                ? r with { Outcomes = [.. outcomes[i]], Risk = RiskSummary.Of(outcomes[i], request.Alpha) }
                : r)], request);
            var reached = request.Precision is not { } precision || Precise(scored, request.Baseline, precision);
            if (reached || drawn + batch >= request.MaxScenarios)
            {
                return new InstanceComparison(path, instance, scored, scoring.Elapsed.TotalSeconds) { PrecisionReached = reached };
            }

            cancellation.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Whether every paired interval is narrower than <paramref name="precision"/> of the baseline's mean (at once where
    /// there is none: more scenarios would not make one).
    /// </summary>
    private static bool Precise(List<PolicyResult> results, string baseline, double precision)
    {
        var scale = precision * Math.Abs(results.First(r => r.Policy == baseline).Risk?.Mean ?? 0);
        return results.All(r => (r.MeanDifference is null || r.MeanDifference.High - r.MeanDifference.Low < scale)
            && (r.CvarDifference is null || r.CvarDifference.High - r.CvarDifference.Low < scale));
    }

    /// <summary>Each policy's paired differences with the baseline, Holm-adjusted across all of the instance's comparisons.</summary>
    private static List<PolicyResult> AgainstBaseline(List<PolicyResult> results, ComparisonRequest request)
    {
        if (results.FirstOrDefault(r => r.Policy == request.Baseline) is not { Risk: not null } baseline)
        {
            return results;
        }

        var others = results.Where(r => r != baseline && r.Risk is not null).ToList();
        var tests = others.SelectMany(r => new[]
        {
            PairedDifference.Mean(r.Totals, baseline.Totals),
            PairedDifference.ConditionalValueAtRisk(r.Totals, baseline.Totals, request.Alpha, request.Seed),
        }).ToList();
        var adjusted = PairedDifference.Holm(tests);
        return [.. results.Select(r => others.IndexOf(r) is var i and >= 0 ? r with { MeanDifference = adjusted[2 * i], CvarDifference = adjusted[2 * i + 1] } : r)];
    }
}
