using System.Diagnostics;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Core.Policies;
using Allocator.Kernels;
using Allocator.Search;
using Allocator.Solver;

namespace Allocator.Planning.Policies;

/// <summary>
/// The robust plan: the exact plan first, then a search from it (from last time's plan too, and from buffered copies
/// of both) for the plan that does best across random scenarios under a risk measure. The exact plan is returned as
/// the baseline, so the pipeline writes it beside the robust one and compares the two on fresh scenarios.
/// </summary>
public sealed class RobustPolicy(ExactPolicy exact, RobustSettings settings, IPlanScorer scorer, TimeSpan timeLimit) : IPlanningPolicy
{
    /// <summary>The exact policy the search starts from.</summary>
    public ExactPolicy Exact { get; } = exact ?? throw new ArgumentNullException(nameof(exact));

    /// <summary>The search's settings.</summary>
    public RobustSettings Settings { get; } = settings ?? throw new ArgumentNullException(nameof(settings));

    /// <summary>What scores the candidates.</summary>
    public IPlanScorer Scorer { get; } = scorer ?? throw new ArgumentNullException(nameof(scorer));

    /// <summary>The whole run's limit: exact solve and search together.</summary>
    public TimeSpan TimeLimit { get; } = timeLimit;

    /// <summary>Called with each step of the search (for progress bars).</summary>
    public IProgress<SearchProgress>? SearchProgress { get; init; }

    /// <inheritdoc />
    public string Name => $"robust:{Settings.Risk.Text}";

    /// <inheritdoc />
    public PolicyPlan Plan(PolicyInput input, IProgress<ProgressPoint>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(input);
        var clock = Stopwatch.StartNew();
        var exactPlan = Exact.Plan(input, progress, cancellation);
        if (exactPlan.Evaluation is not { } exactEvaluation)
        {
            return exactPlan;
        }

        var search = new SearchOptions
        {
            Risk = Settings.Risk,
            Scenarios = Settings.Scenarios,
            Seed = Settings.Seed,
            BatchSize = Settings.BatchSize,
            EvaluationBudget = Settings.Evaluations,
            // A budget makes the run reproducible: the time limit then does not cut it short.
            TimeLimit = Settings.Evaluations is null ? Max(TimeLimit - clock.Elapsed, TimeSpan.FromSeconds(0.1)) : null,
        };
        var seeds = SeedPlan.ExactAndPrevious(input.Instance, exactEvaluation.Assignment, input.Previous, "previous plan");
        var result = RobustSearch.Run(input.Instance, Scorer, seeds, search, SearchProgress, cancellation);
        var evaluation = PlanEvaluator.Evaluate(input.Instance, result.Best.Assignment);
        var report = new PlanReport(
            cancellation.IsCancellationRequested ? "interrupted" : "robust",
            $"robust search ({Scorer.Description}) from {exactPlan.Report.Solver} ({exactPlan.Report.Status})",
            null, null, exactPlan.Report.SolveSeconds + result.Elapsed.TotalSeconds,
            new Dictionary<string, string> { ["risk"] = Settings.Risk.Text });
        return PolicyPlan.Of(evaluation, report) with
        {
            Baseline = new BaselinePlan("exact", exactEvaluation, exactPlan.Report),
            Details = new RobustDetails(Settings.Risk, search, result),
            Notes = input.Instance.Source.Uncertainty is null
                ? ["the instance has no uncertainty section: every scenario is the deterministic objective, so the exact plan is already the robust one."]
                : [],
        };
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>What the robust search did: its settings and result, for risk.json.</summary>
public sealed record RobustDetails(RiskMeasure Risk, SearchOptions Options, SearchResult Result);
