namespace Allocator.Core.Scenarios;

/// <summary>What one plan makes in one scenario, after recourse, split by source (USD; short in GPU-hours).</summary>
public readonly record struct ScenarioOutcome(
    double LeaseRevenue,
    double Penalty,
    double JobValue,
    double SpotRevenue,
    double PowerCost,
    double ShortGpuHours)
{
    /// <summary>leaseRevenue - penalty + jobValue + spotRevenue - powerCost.</summary>
    public double Total => LeaseRevenue - Penalty + JobValue + SpotRevenue - PowerCost;

    /// <summary>Whether any lease was short of GPUs in any period.</summary>
    public bool AnyLeaseShort => ShortGpuHours > 0;
}
