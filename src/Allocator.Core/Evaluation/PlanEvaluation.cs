using System.Collections.Immutable;

namespace Allocator.Core.Evaluation;

/// <summary>What the evaluator found: feasibility (every broken rule listed), the objective and its parts, KPIs and spot.</summary>
public sealed record PlanEvaluation(
    Assignment Assignment,
    ImmutableArray<PlanViolation> Violations,
    ObjectiveBreakdown Objective,
    PlanKpis Kpis,
    ImmutableArray<double> Used,
    ImmutableArray<double> Spot)
{
    /// <summary>True when the plan breaks no rule of the contract.</summary>
    public bool IsFeasible => Violations.IsEmpty;
}

/// <summary>
/// One broken rule: a short rule name and a sentence a planner can act on, with the same facts as data: the pool or site,
/// the periods, what was allowed and what was used in each, and the leases and jobs involved.
/// </summary>
public sealed record PlanViolation(string Rule, string Message)
{
    /// <summary>The pool or site the rule is about (capacity and pool rules: a pool; power: a site); null for others.</summary>
    public string? Where { get; init; }

    /// <summary>The first period the rule is broken in (null when the rule is not about periods).</summary>
    public int? FirstPeriod { get; init; }

    /// <summary>The last period the rule is broken in.</summary>
    public int? LastPeriod { get; init; }

    /// <summary>Capacity and power: each period's limit (GPUs or MW), use and excess.</summary>
    public IReadOnlyList<PeriodExcess> Periods { get; init; } = [];

    /// <summary>The leases involved, by id.</summary>
    public IReadOnlyList<string> Leases { get; init; } = [];

    /// <summary>The jobs involved, by id.</summary>
    public IReadOnlyList<string> Jobs { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() => $"[{Rule}] {Message}";
}

/// <summary>One period of an overbooked pool or an overdrawn site: the limit, what was used, and by how much it is over.</summary>
public sealed record PeriodExcess(int Period, double Limit, double Use, double Excess);

/// <summary>The deterministic objective and its parts, in USD.</summary>
public sealed record ObjectiveBreakdown(double LeaseRevenue, double JobValue, double SpotRevenue, double PowerCost)
{
    /// <summary>leaseRevenue + jobValue + spotRevenue - powerCost.</summary>
    public double Total => LeaseRevenue + JobValue + SpotRevenue - PowerCost;
}

/// <summary>Key figures a planner reads next to the objective.</summary>
public sealed record PlanKpis(
    int OffersAccepted,
    int Offers,
    int SignedLeases,
    int JobsScheduled,
    int Jobs,
    double LeaseGpuHours,
    double JobGpuHours,
    double SpotGpuHours,
    double CapacityGpuHours,
    ImmutableArray<double> SitePeakPowerMw)
{
    /// <summary>Share of capacity GPU-hours committed to leases and jobs.</summary>
    public double Utilisation => CapacityGpuHours > 0 ? (LeaseGpuHours + JobGpuHours) / CapacityGpuHours : 0;

    /// <summary>Share of capacity GPU-hours earning money, spot included.</summary>
    public double UtilisationWithSpot => CapacityGpuHours > 0 ? (LeaseGpuHours + JobGpuHours + SpotGpuHours) / CapacityGpuHours : 0;
}
