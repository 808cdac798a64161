using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Core.Policies;
using Allocator.Search;

namespace Allocator.Planning.Pipeline;

/// <summary>How a planning run ended.</summary>
public enum RunStatus
{
    /// <summary>Still running (only ever seen in a history whose process died mid-run).</summary>
    Running,

    /// <summary>A plan was written.</summary>
    Ok,

    /// <summary>The input (instance, previous plan, plan file) is invalid: nothing was written.</summary>
    Invalid,

    /// <summary>The commitments cannot all be met: nothing was written.</summary>
    Infeasible,

    /// <summary>Stopped on request; the best plan held by then was written, or none was held.</summary>
    Interrupted,

    /// <summary>No plan in the time given, or the run failed: nothing was written.</summary>
    Failed,
}

/// <summary>
/// The plan a run starts from: last time's plan.json text and where it came from. A plan the planner named
/// (<paramref name="Named"/>: <c>--previous FILE</c>) must be valid and for this instance; last night's plan is a
/// convenience, so when it is not, the run says so and starts from scratch.
/// </summary>
public sealed record PreviousPlan(string Json, string Source, bool Named);

/// <summary>What a planning run is asked to do.</summary>
public sealed record PlanningRequest(string InstancePath, string OutputFolder, IPlanningPolicy Policy)
{
    /// <summary>The plan to start from (null: none).</summary>
    public PreviousPlan? Previous { get; init; }

    /// <summary>How the plan is compared with its baseline on fresh scenarios (null: not compared).</summary>
    public OutOfSampleCheck? Check { get; init; }
}

/// <summary>What a planning run did: its status, and when a plan was written, the plan, its report and what was written.</summary>
public sealed record PlanningResult(RunStatus Status, string Message)
{
    /// <summary>The instance, once read.</summary>
    public CompiledInstance? Instance { get; init; }

    /// <summary>Every problem of an invalid instance or plan file (empty otherwise).</summary>
    public IReadOnlyList<ContractProblem> Problems { get; init; } = [];

    /// <summary>Where the invalid input came from (with <see cref="Problems"/>).</summary>
    public string? ProblemSource { get; init; }

    /// <summary>The plan written and what plan.json says of it.</summary>
    public PolicyPlan? Plan { get; init; }

    /// <summary>The plan's comparison with its baseline on fresh scenarios.</summary>
    public PairedComparison? Comparison { get; init; }

    /// <summary>plan.json as written.</summary>
    public string? PlanJson { get; init; }

    /// <summary>The files written, plan.json last.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>What the planner should know (a previous plan that did not match, a GPU that did not start).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
