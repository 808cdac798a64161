using Allocator.Core.Evaluation;
using Allocator.Core.Json;

namespace Allocator.Core.Policies;

/// <summary>
/// A way of planning: an instance in, a plan out. Greedy, exact, a plan file, exact on buffered capacity and the robust
/// search each implement it; the planning pipeline, the policy lab and the closed loop take any of them. A policy holds
/// its own settings (time limit, threads, risk measure); what changes from call to call is the input.
/// </summary>
public interface IPlanningPolicy
{
    /// <summary>The policy's name as a planner writes it on the command line (e.g. "exact", "greedy").</summary>
    string Name { get; }

    /// <summary>
    /// Plans <paramref name="input"/>. Reports each better plan found to <paramref name="progress"/>; a cancelled
    /// <paramref name="cancellation"/> asks it to stop early and return the best plan it holds.
    /// </summary>
    PolicyPlan Plan(PolicyInput input, IProgress<ProgressPoint>? progress, CancellationToken cancellation);
}

/// <summary>What a policy plans: the instance, and the plan it ran last time (a starting point, or null).</summary>
public sealed record PolicyInput(CompiledInstance Instance, Assignment? Previous = null);

/// <summary>Whether a policy returned a plan, and if not, why not.</summary>
public enum PolicyOutcome
{
    /// <summary>A plan that keeps every rule of the contract.</summary>
    Planned,

    /// <summary>The signed leases and required jobs cannot all be met: no plan exists.</summary>
    Infeasible,

    /// <summary>No plan was found in the time given, and none was proven impossible.</summary>
    NoPlanInTime,

    /// <summary>The policy's input cannot be used (a plan file for another instance, a plan that breaks a rule).</summary>
    Unusable,
}

/// <summary>
/// What a policy returns. <see cref="Report"/> is what plan.json says of how the plan was made; <see cref="Problem"/>
/// says, when there is no plan, why (one sentence a planner can act on).
/// </summary>
public sealed record PolicyPlan(PolicyOutcome Outcome, PlanEvaluation? Evaluation, PlanReport Report, string? Problem = null)
{
    /// <summary>The plan (null when there is none).</summary>
    public Assignment? Assignment => Evaluation?.Assignment;

    /// <summary>
    /// The plan this one was searched from, when the policy started from another policy's plan (the robust search starts
    /// from the exact plan): written beside it, and compared with it on fresh scenarios.
    /// </summary>
    public BaselinePlan? Baseline { get; init; }

    /// <summary>What the policy did, as JSON-ready values (the robust search's risk, search and seeds): null when nothing.</summary>
    public object? Details { get; init; }

    /// <summary>Lines for the planner beside the plan's summary (warnings included).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>A plan from <paramref name="evaluation"/> (which must be feasible) and its report.</summary>
    public static PolicyPlan Of(PlanEvaluation evaluation, PlanReport report)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        return evaluation.IsFeasible
            ? new(PolicyOutcome.Planned, evaluation, report)
            : new(PolicyOutcome.Unusable, null, report, $"the plan breaks {evaluation.Violations.Length} rule(s) of the contract, e.g. {evaluation.Violations[0]}");
    }

    /// <summary>No plan, for the reason <paramref name="problem"/>.</summary>
    public static PolicyPlan None(PolicyOutcome outcome, string solver, string problem, double seconds = 0) =>
        new(outcome, null, new PlanReport(outcome.ToString(), solver, null, null, seconds), problem);
}

/// <summary>A plan a policy started from, with its evaluation and report (the exact plan under the robust search).</summary>
public sealed record BaselinePlan(string Name, PlanEvaluation Evaluation, PlanReport Report);
