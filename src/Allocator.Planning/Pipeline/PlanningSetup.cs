using Allocator.Core.Policies;
using Allocator.Kernels;
using Allocator.Planning.Policies;
using Allocator.Search;
using Allocator.Solver;

namespace Allocator.Planning.Pipeline;

/// <summary>
/// The policy a planning run uses, built from the settings the command line and the service share: the exact plan, or
/// with robust settings the robust search from it, scored on the chosen device and checked out of sample. Disposing it
/// releases the scoring device.
/// </summary>
public sealed class PlanningSetup : IDisposable
{
    private readonly BulkScorer? _scorer;

    private PlanningSetup(IPlanningPolicy policy, OutOfSampleCheck? check, BulkScorer? scorer)
    {
        Policy = policy;
        Check = check;
        _scorer = scorer;
    }

    /// <summary>The policy.</summary>
    public IPlanningPolicy Policy { get; }

    /// <summary>How the plan is compared with the one it was searched from (null: not compared).</summary>
    public OutOfSampleCheck? Check { get; }

    /// <summary>What scores the robust search's candidates (null for the exact plan alone).</summary>
    public string? Device => _scorer?.Description;

    /// <summary>
    /// The exact plan within <paramref name="timeLimit"/>; with <paramref name="robust"/>, the exact plan within its share
    /// and the robust search in the rest, on <paramref name="device"/> (a GPU that does not start is reported to
    /// <paramref name="warn"/>, and the CPU scores instead).
    /// </summary>
    public static PlanningSetup Create(
        PlannerOptions exact, TimeSpan timeLimit, RobustSettings? robust, ScoringDevice device, Action<string>? warn, IProgress<SearchProgress>? searchProgress = null)
    {
        ArgumentNullException.ThrowIfNull(exact);
        if (robust is null)
        {
            return new PlanningSetup(new ExactPolicy(exact with { TimeLimit = timeLimit }), null, null);
        }

        var exactLimit = TimeSpan.FromSeconds(robust.ExactSeconds ?? timeLimit.TotalSeconds / 2);
        var scorer = BulkScorer.Create(device, warn);
        var policy = new RobustPolicy(new ExactPolicy(exact with { TimeLimit = exactLimit }), robust, scorer, timeLimit) { SearchProgress = searchProgress };
        var check = new OutOfSampleCheck(scorer, robust.Risk, OutOfSample.FreshSeed(robust.Seed), robust.OutOfSampleScenarios);
        return new PlanningSetup(policy, check, scorer);
    }

    /// <inheritdoc />
    public void Dispose() => _scorer?.Dispose();
}

/// <summary>A plan compared with its baseline on <paramref name="Scenarios"/> fresh scenarios of <paramref name="Seed"/>, under <paramref name="Risk"/>.</summary>
public sealed record OutOfSampleCheck(IPlanScorer Scorer, RiskMeasure Risk, ulong Seed, int Scenarios);
