using ILGPU;
using ILGPU.Runtime;

namespace Allocator.Kernels;

/// <summary>Scalars of a scoring call: sizes, the seed and the uncertainty section, flattened for the device.</summary>
public readonly record struct ScoreParams(
    int Periods,
    int Pools,
    int Sites,
    int Jobs,
    int Deliveries,
    int Plans,
    int Scenarios,
    long ScenarioOffset,
    ulong Seed,
    double PeriodHours,
    double SellThrough,
    double SpotPrice,
    double SlipProbability,
    int SlipMaxPeriods,
    double OutageMean,
    double OutageMax,
    double OverrunProbability,
    double OverrunMaxFraction,
    int JobSuccess,
    double SpotVolatility,
    int ScratchStride,
    int TableStride)
{
    /// <summary>Plans x scenarios.</summary>
    public long Pairs => (long)Plans * Scenarios;
}

/// <summary>The instance as device views (see <c>CompiledInstance</c> for each array's meaning and layout).</summary>
public readonly record struct FleetViews(
    ArrayView1D<int, Stride1D.Dense> PoolSite,
    ArrayView1D<int, Stride1D.Dense> PoolInitialGpus,
    ArrayView1D<double, Stride1D.Dense> KwPerGpu,
    ArrayView1D<double, Stride1D.Dense> PowerCostPerGpuPeriod,
    ArrayView1D<double, Stride1D.Dense> PowerCapMw,
    ArrayView1D<int, Stride1D.Dense> DeliveryPool,
    ArrayView1D<int, Stride1D.Dense> DeliveryPeriod,
    ArrayView1D<int, Stride1D.Dense> DeliveryGpus,
    ArrayView1D<int, Stride1D.Dense> JobGpus,
    ArrayView1D<int, Stride1D.Dense> JobPeriods,
    ArrayView1D<int, Stride1D.Dense> JobEarliestStart,
    ArrayView1D<int, Stride1D.Dense> JobLastPeriod,
    ArrayView1D<double, Stride1D.Dense> JobValue,
    ArrayView1D<double, Stride1D.Dense> JobDecay,
    ArrayView1D<double, Stride1D.Dense> JobProbability,
    ArrayView1D<int, Stride1D.Dense> JobAfterOffset,
    ArrayView1D<int, Stride1D.Dense> JobAfter);

/// <summary>
/// The candidate plans as device views, reduced to what scoring needs: per plan, pool and period the leased GPUs and
/// their price and penalty per hour (summed over leases), and each job's pool and start with the order jobs claim GPUs.
/// </summary>
public readonly record struct PlanViews(
    ArrayView1D<double, Stride1D.Dense> LeaseGpus,
    ArrayView1D<double, Stride1D.Dense> LeasePrice,
    ArrayView1D<double, Stride1D.Dense> LeasePenalty,
    ArrayView1D<int, Stride1D.Dense> JobPool,
    ArrayView1D<int, Stride1D.Dense> JobStart,
    ArrayView1D<int, Stride1D.Dense> JobOrder,
    ArrayView1D<int, Stride1D.Dense> ScheduledJobs);

/// <summary>Per (plan, scenario) outputs, indexed plan * scenarios + scenario.</summary>
public readonly record struct OutcomeViews(
    ArrayView1D<double, Stride1D.Dense> LeaseRevenue,
    ArrayView1D<double, Stride1D.Dense> Penalty,
    ArrayView1D<double, Stride1D.Dense> JobValue,
    ArrayView1D<double, Stride1D.Dense> SpotRevenue,
    ArrayView1D<double, Stride1D.Dense> PowerCost,
    ArrayView1D<double, Stride1D.Dense> ShortGpuHours);
