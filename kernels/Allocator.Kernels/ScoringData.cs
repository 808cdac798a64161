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
    double SlipProbability,
    int SlipMaxPeriods,
    double OutageMean,
    double OutageMax,
    double OverrunProbability,
    double OverrunMaxFraction,
    int JobSuccess,
    double SpotVolatility,
    int Offers,
    double OfferArrival,
    int ScratchStride,
    int TableStride)
{
    /// <summary>Plans x scenarios.</summary>
    public long Pairs => (long)Plans * Scenarios;

    /// <summary>The scalars of scoring <paramref name="plans"/> plans of <paramref name="instance"/> in scenarios offset .. offset + scenarios - 1 of a seed.</summary>
    public static ScoreParams For(Core.Evaluation.CompiledInstance instance, int plans, int scenarios, long scenarioOffset, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var u = instance.Source.Uncertainty;
        return new ScoreParams(
            instance.Periods, instance.PoolCount, instance.SiteCount, instance.JobCount, instance.DeliveryPool.Length, plans, scenarios,
            scenarioOffset, seed, instance.PeriodHours, instance.SellThrough,
            u?.DeliverySlip?.Probability ?? 0, u?.DeliverySlip?.MaxPeriods ?? 0, u?.Outage?.Mean ?? 0, u?.Outage?.Max ?? 0,
            u?.JobOverrun?.Probability ?? 0, u?.JobOverrun?.MaxFraction ?? 0, u is { JobSuccess: true } ? 1 : 0, u?.SpotVolatility ?? 0,
            UncertainOffers(instance).Length, instance.OfferArrivalProbability,
            Math.Max(1, PairScorer.ScratchStride(instance.PoolCount, instance.SiteCount)),
            ScenarioSampler.TableStride(instance.Periods, instance.PoolCount, instance.SiteCount, instance.JobCount, UncertainOffers(instance).Length));
    }

    /// <summary>
    /// The leases whose arrival a scenario draws (offers announced after period 0, with arrival uncertain), in lease
    /// order: the scorer keeps them out of the plan's per-cell sums and adds each where its scenario makes it.
    /// </summary>
    public static int[] UncertainOffers(Core.Evaluation.CompiledInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return [.. Enumerable.Range(0, instance.LeaseCount).Where(instance.OfferMayNotArrive)];
    }
}

/// <summary>
/// The instance as columns (see <c>CompiledInstance</c> for each array's meaning and layout). The Offer columns list the
/// offers whose arrival is uncertain (<see cref="ScoreParams.UncertainOffers"/>): lease index, GPUs, periods, and price
/// and penalty per hour for all its GPUs.
/// </summary>
public readonly record struct FleetData<TInt, TDouble>(
    TInt PoolSite,
    TInt PoolInitialGpus,
    TDouble KwPerGpu,
    TDouble PowerCostPerGpuPeriod,
    TDouble PowerCapKw,
    TInt DeliveryPool,
    TInt DeliveryPeriod,
    TInt DeliveryGpus,
    TInt JobGpus,
    TInt JobPeriods,
    TInt JobEarliestStart,
    TInt JobLastPeriod,
    TDouble JobValue,
    TDouble JobDecay,
    TDouble JobProbability,
    TInt JobAfterOffset,
    TInt JobAfter,
    TDouble SpotPrice,
    TInt JobKnownAfter,
    TInt OfferLease,
    TInt OfferGpus,
    TInt OfferPeriods,
    TDouble OfferPrice,
    TDouble OfferPenalty)
    where TInt : struct, IColumn<int>
    where TDouble : struct, IColumn<double>;

/// <summary>
/// The candidate plans as columns, reduced to what scoring needs: per plan, pool and period (a cell,
/// <c>plan * Pools * Periods + pool * Periods + t</c>) the leased GPUs and their price and penalty per hour, summed over
/// leases whose arrival is certain, side by side in <c>Leases</c> at <c>3 * cell</c>, <c>+ 1</c> and <c>+ 2</c> (one
/// address serves the three reads); each job's pool, per plan and period the
/// jobs that may run then, and per plan and uncertain offer (<c>[plan * Offers + u]</c>) its pool (-1: declined) and
/// start. The jobs that may run in period t are the scheduled ones whose window holds t (started by t, last period not
/// passed), in the order they claim GPUs (by start, ties in instance order): <c>WindowJobs[k]</c> for k from
/// <c>WindowFirst[plan * (Periods + 1) + t]</c> up to the next period's first. Laid out on the host once per plan, the
/// list spares every pair the scan over jobs not started or past their window (a chain of dependent loads on a GPU).
/// <c>JobKilowatts</c> is what each scheduled job draws in its pool (GPUs x kW per GPU), computed once on the host as the
/// reference computes it.
/// </summary>
public readonly record struct PlanData<TInt, TDouble>(
    TDouble Leases,
    TInt JobPool,
    TInt WindowFirst,
    TInt WindowJobs,
    TInt OfferPool,
    TInt OfferStart,
    TDouble JobKilowatts)
    where TInt : struct, IColumn<int>
    where TDouble : struct, IColumn<double>;

/// <summary>Per (plan, scenario) outputs, indexed plan * scenarios + scenario.</summary>
public readonly record struct OutcomeData<TDouble>(
    TDouble LeaseRevenue,
    TDouble Penalty,
    TDouble JobValue,
    TDouble SpotRevenue,
    TDouble PowerCost,
    TDouble ShortGpuHours)
    where TDouble : struct, IColumn<double>;
