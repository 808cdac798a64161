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

/// <summary>One broken rule: a short rule name and a sentence naming the lease, job, pool or site and periods.</summary>
public sealed record PlanViolation(string Rule, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"[{Rule}] {Message}";
}

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
