using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Core.Policies;

namespace Allocator.Solver;

/// <summary>
/// The exact planner as a policy (SCIP, HiGHS or CP-SAT, as its options say). The input's previous plan is the solve's
/// starting point and the reference of any stability charge. With a capacity buffer, the model sees every pool with
/// that share of its GPUs held back, so the plan leaves room for slips and outages; the plan is then valued on the
/// real instance.
/// </summary>
public sealed class ExactPolicy(PlannerOptions options, double buffer = 0) : IPlanningPolicy
{
    /// <summary>The solve's settings.</summary>
    public PlannerOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>The share of each pool's capacity the plan leaves free (0: none).</summary>
    public double Buffer { get; } = buffer is >= 0 and < 1 ? buffer : throw new ArgumentOutOfRangeException(nameof(buffer), buffer, "a buffer is a share of capacity in [0, 1).");

    /// <inheritdoc />
    public string Name => Buffer > 0 ? FormattableString.Invariant($"buffered:{Buffer}") : "exact";

    /// <summary>The last solve's full result (status, bound, progress), for callers that print more than the plan.</summary>
    public PlannerResult? LastResult { get; private set; }

    /// <inheritdoc />
    public PolicyPlan Plan(PolicyInput input, IProgress<ProgressPoint>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(input);
        var solved = Buffer > 0 ? new CompiledInstance(Buffered(input.Instance.Source, Buffer)) : input.Instance;
        var settings = input.Previous is null || Options.Hint is not null ? Options : Options with { Hint = input.Previous };
        var points = progress is null ? null : new ProgressRelay(progress);
        var result = ExactPlanner.Solve(solved, settings, points, cancellation);
        LastResult = result;
        var status = cancellation.IsCancellationRequested ? "interrupted" : StatusWord(result.Status);
        switch (result.Status)
        {
            case PlanStatus.Infeasible:
                return PolicyPlan.None(
                    PolicyOutcome.Infeasible, result.Solver,
                    (Buffer > 0 ? $"With {Buffer:P0} of every pool held back: " : "") + (result.Infeasibility?.Summary ?? "The commitments cannot all be met."),
                    result.Elapsed.TotalSeconds);
            case PlanStatus.Unknown:
                return PolicyPlan.None(
                    PolicyOutcome.NoPlanInTime, result.Solver,
                    cancellation.IsCancellationRequested
                        ? "no feasible plan was found before the stop request."
                        : FormattableString.Invariant($"no feasible plan was found within {settings.TimeLimit.TotalSeconds:0.#} s, and none was proven impossible; raise the time limit."),
                    result.Elapsed.TotalSeconds);
        }

        // A buffered plan is valued, and its gap stated, on the real instance; its bound is the buffered model's.
        var evaluation = Buffer > 0 ? PlanEvaluator.Evaluate(input.Instance, result.Assignment!) : result.Evaluation!;
        var report = Buffer > 0
            ? new PlanReport(status, $"{result.Solver} on capacity less {Buffer:P0}", null, null, result.Elapsed.TotalSeconds, Ended: result.Ended)
            : result.Report(status);
        return PolicyPlan.Of(evaluation, report);
    }

    /// <summary>How plan.json writes a solve's status: "optimal", "feasible".</summary>
    private static string StatusWord(PlanStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>
    /// <paramref name="instance"/> with <paramref name="share"/> of every pool's GPUs held back in every period: each
    /// period's capacity rounded down to (1 - share) of itself, stated as GPUs at the start and deliveries after.
    /// </summary>
    public static Instance Buffered(Instance instance, double share)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var compiled = new CompiledInstance(instance);
        var pools = instance.Pools.Select((pool, p) =>
        {
            var kept = Enumerable.Range(0, compiled.Periods).Select(t => (int)Math.Floor(compiled.CapacityAt(p, t) * (1 - share))).ToArray();
            var deliveries = Enumerable.Range(1, compiled.Periods - 1)
                .Where(t => kept[t] != kept[t - 1])
                .Select(t => new Delivery(t, kept[t] - kept[t - 1]));
            return pool with { Gpus = kept[0], Deliveries = [.. deliveries] };
        });
        return instance with { Pools = [.. pools] };
    }

    /// <summary>Passes the planner's progress on as plan.json's progress points.</summary>
    private sealed class ProgressRelay(IProgress<ProgressPoint> target) : IProgress<Incumbent>
    {
        public void Report(Incumbent value) => target.Report(new ProgressPoint(value.Elapsed.TotalSeconds, value.Objective, value.Bound, value.Source));
    }
}
