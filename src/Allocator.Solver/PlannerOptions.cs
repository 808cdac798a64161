using System.Text.Json;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;

namespace Allocator.Solver;

/// <summary>Which engine solves the exact model.</summary>
public enum SolverKind
{
    /// <summary>SCIP MIP through OR-Tools' model builder (default: best gaps at the limit, see benchmarks).</summary>
    Scip,

    /// <summary>HiGHS MIP through OR-Tools' model builder (hands back no plan when stopped by the time limit).</summary>
    Highs,

    /// <summary>CP-SAT on an integer model (spot discretised; its bound is corrected for that).</summary>
    CpSat,
}

/// <summary>How each engine is named on the command line and in the docs: one list.</summary>
public static class SolverKinds
{
    /// <summary>Every engine with its word.</summary>
    public static IReadOnlyList<(string Word, SolverKind Kind)> Words { get; } = [("scip", SolverKind.Scip), ("highs", SolverKind.Highs), ("cpsat", SolverKind.CpSat)];
}

/// <summary>How the exact planner runs. Limits come from here, never from literals in the model.</summary>
public sealed record PlannerOptions
{
    /// <summary>The engine.</summary>
    public SolverKind Solver { get; init; } = SolverKind.Scip;

    /// <summary>Wall-clock limit (deterministic-time limit for CP-SAT in deterministic mode).</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Worker threads.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>
    /// Threads the MIP gets (at most <see cref="Threads"/>); every other thread runs neighbourhood re-solves beside it.
    /// Null: every thread for SCIP, which races one solve per thread (<see cref="ScipRace"/>) and so proves an optimum
    /// as fast as a plain SCIP solve would; one for SCIP started from last night's plan (a hinted SCIP runs on one thread)
    /// and for HiGHS. SCIP on one thread runs through OR-Tools' model builder, on more through its linear-solver wrapper.
    /// On many cores a small number is worth trying: many re-solve workers beside one SCIP thread have given better plans
    /// at a short limit than the reverse (benchmarks/RESULTS.md, "MIP threads").
    /// </summary>
    public int? MipThreads { get; init; }

    /// <summary>Random seed handed to the engine.</summary>
    public int Seed { get; init; }

    /// <summary>Reproducible runs: one worker, fixed seed, deterministic time for CP-SAT.</summary>
    public bool Deterministic { get; init; }

    /// <summary>
    /// SCIP stops after this many branch-and-bound nodes (null: no node limit). Unlike a wall-clock limit, it stops a
    /// <see cref="Deterministic"/> solve at the same point on every run, so that a solve cut short gives the same plan;
    /// the time limit still applies as a cap.
    /// </summary>
    public long? NodeLimit { get; init; }

    /// <summary>A previous plan to start from (solution hint), and the reference for <see cref="MoveCostPerGpuPeriod"/>.</summary>
    public Assignment? Hint { get; init; }

    /// <summary>
    /// Stability: USD charged per GPU-period a lease or job is moved away from where <see cref="Hint"/> placed it (other
    /// pool or other periods). The plan maximises objective - charge, so placements move only for a real gain. 0: off.
    /// </summary>
    public double MoveCostPerGpuPeriod { get; init; }

    /// <summary>
    /// Relative gap at which a solve counts as optimal. Far tighter than HiGHS' default 1e-4, which let it stop
    /// 2.4e-5 below the optimum; the contract's objective tolerance is 1e-6, and this leaves room under it.
    /// </summary>
    public double RelativeGap { get; init; } = 1e-7;

    /// <summary>
    /// Stop as soon as the best plan is proven within this relative gap of the bound ((bound - plan) / plan), rather than
    /// running on to a proven optimum or the time limit: what a planner who can live with, say, 0.5% asks for. Such a
    /// plan's status stays <see cref="PlanStatus.Feasible"/> (only <see cref="RelativeGap"/> makes a plan optimal), and
    /// its <see cref="PlannerResult.End"/> says the target was met. 0: off. Neighbourhood re-solves still solve their
    /// sub-models to <see cref="RelativeGap"/>.
    /// </summary>
    public double TargetGap { get; init; }

    /// <summary>The relative gap the engine itself is asked to stop at: the target when one is set, else the optimality gap.</summary>
    internal double EngineGap => Math.Max(RelativeGap, TargetGap);

    /// <summary>
    /// Share of the time limit kept for improving the MIP's plan by re-solving neighbourhoods (a pool or two, or a
    /// stretch of periods, freed; everything else fixed) when the full solve has not proven its plan optimal by then.
    /// The bound stays the full solve's. 0: off. Not used by CP-SAT (its own search does this) or in deterministic mode.
    /// </summary>
    public double ImprovementShare { get; init; } = 0.3;

    /// <summary>Extra time past the limit before the watchdog interrupts an engine that overruns it.</summary>
    public TimeSpan WatchdogGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Every setting out of range, named by its property, with what is wrong (<see cref="PlannerOptionRules"/>, the
    /// rules the command line and the service check their own settings by); empty when all are fine.
    /// </summary>
    public IReadOnlyList<(string Setting, string Problem)> Validate() =>
    [
        .. new (string Setting, string? Problem)[]
        {
            (nameof(TimeLimit), PlannerOptionRules.TimeLimitSeconds(TimeLimit.TotalSeconds)),
            (nameof(Threads), PlannerOptionRules.Threads(Threads)),
            (nameof(MipThreads), PlannerOptionRules.MipThreads(MipThreads, Threads)),
            (nameof(TargetGap), PlannerOptionRules.TargetGap(TargetGap)),
            (nameof(MoveCostPerGpuPeriod), PlannerOptionRules.MoveCostPerGpuPeriod(MoveCostPerGpuPeriod)),
        }.Where(c => c.Problem is not null).Select(c => (c.Setting, c.Problem!)),
    ];
}

/// <summary>The outcome class of a solve.</summary>
public enum PlanStatus
{
    /// <summary>The plan is proven optimal within the relative gap.</summary>
    Optimal,

    /// <summary>A feasible plan without proof of optimality (time limit reached).</summary>
    Feasible,

    /// <summary>Signed leases and required jobs cannot all fit.</summary>
    Infeasible,

    /// <summary>No feasible plan found within the time limit, and no proof that none exists.</summary>
    Unknown,
}

/// <summary>Why a solve ended.</summary>
public enum SolveEnd
{
    /// <summary>
    /// The engine proved the plan optimal, or proved that no plan exists. (CP-SAT proves the optimum of its integer spot
    /// grid, whose bound carries a slack of about 1e-6: its plans can end proven and still read feasible.)
    /// </summary>
    Proven,

    /// <summary>The best plan was proven within <see cref="PlannerOptions.TargetGap"/> of the bound.</summary>
    TargetGap,

    /// <summary>The time limit was reached first.</summary>
    TimeLimit,

    /// <summary>The caller asked the solve to stop (Ctrl-C, SIGTERM, the service shutting down).</summary>
    Interrupted,
}

/// <summary>
/// A moment of a solve, reported as progress: the value of the best plan held (or, from CP-SAT, of the plan it just
/// found), the bound known then (null until one is), when, and what found it.
/// </summary>
public sealed record Incumbent(double Objective, double? Bound, TimeSpan Elapsed, string Source);

/// <summary>What the exact planner returns.</summary>
public sealed record PlannerResult(
    PlanStatus Status,
    Assignment? Assignment,
    PlanEvaluation? Evaluation,
    double? Bound,
    TimeSpan Elapsed,
    string Solver,
    InfeasibilityReport? Infeasibility,
    SolveEnd End,
    double StabilityCost = 0)
{
    /// <summary>The plan's objective as the evaluator recomputes it (the contract's objective, without stability charges).</summary>
    public double? Objective => Evaluation?.Objective.Total;

    /// <summary>
    /// Every plan found and bound proven during the solve, in order, each with the tightest bound known by then: the
    /// objective-over-time curve a planner reads to choose a time limit.
    /// </summary>
    public IReadOnlyList<Incumbent> Progress { get; init; } = [];

    /// <summary>What the solver maximised: the objective less the stability charge for moving placements (equal without one).</summary>
    public double? Score => Objective - StabilityCost;

    /// <summary>(bound - score) / max(1, |score|), floored at 0. The bound is on the score the solver maximised.</summary>
    public double? Gap => Score is { } o && Bound is { } b ? GapBetween(b, o) : null;

    /// <summary>
    /// Set where the engine stopped on a proof of optimality whose bound the planner could not use (below the best plan's
    /// recomputed value): why there is no bound although the solve ended "proven". plan.json's <c>notes.bound</c>.
    /// </summary>
    public string? BoundNote { get; init; }

    /// <summary>Why the solve ended, as plan.json writes it: "proven", "targetGap", "timeLimit" or "interrupted".</summary>
    public string Ended => JsonNamingPolicy.CamelCase.ConvertName(End.ToString());

    /// <summary>What plan.json says of this solve, under <paramref name="status"/>: engine, bound, gap, time, why it ended, its progress, and <see cref="BoundNote"/>.</summary>
    public PlanReport Report(string status) => new(
        status, Solver, Bound, Gap, Elapsed.TotalSeconds, BoundNote is null ? null : new Dictionary<string, string> { ["bound"] = BoundNote }, Ended)
    {
        Progress = [.. Progress.Select(p => new ProgressPoint(p.Elapsed.TotalSeconds, p.Objective, p.Bound, p.Source))],
    };

    /// <summary>The relative gap between a bound and a score, as <see cref="Gap"/> defines it.</summary>
    internal static double GapBetween(double bound, double score) => Math.Max(0, (bound - score) / Math.Max(1, Math.Abs(score)));
}
