using System.Collections.Immutable;
using Allocator.Core.Contract;

namespace Allocator.Core.Evaluation;

/// <summary>
/// A validated instance turned into index-based arrays (pools, sites, leases, jobs by position; per-period series
/// flattened as <c>[item * Periods + period]</c>). Every evaluator, solver and scorer reads the contract through this one
/// translation, so the money each of them computes comes from the same numbers.
/// </summary>
public sealed class CompiledInstance
{
    private readonly Dictionary<string, int> _poolIndex;
    private readonly Dictionary<string, int> _leaseIndex;
    private readonly Dictionary<string, int> _jobIndex;

    /// <summary>Compiles a validated instance.</summary>
    public CompiledInstance(Instance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        Source = instance;
        Periods = instance.Horizon.Periods;
        PeriodHours = instance.Horizon.PeriodHours;
        var siteIndex = instance.Sites.Select((s, i) => (s.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        _poolIndex = instance.Pools.Select((p, i) => (p.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        _leaseIndex = instance.Leases.Select((l, i) => (l.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        _jobIndex = instance.Jobs.Select((j, i) => (j.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);

        var T = Periods;
        PoolSite = [.. instance.Pools.Select(p => siteIndex[p.Site])];
        KwPerGpu = [.. instance.Pools.Select(p => p.KwPerGpu)];
        Capacity = [.. instance.Pools.SelectMany(p => CapacitySeries(p, T))];
        PoolInitialGpus = [.. instance.Pools.Select(p => p.Gpus)];
        var deliveries = instance.Pools.SelectMany((p, i) => p.Deliveries.Select(d => (Pool: i, d.Period, d.Gpus))).ToList();
        DeliveryPool = [.. deliveries.Select(d => d.Pool)];
        DeliveryPeriod = [.. deliveries.Select(d => d.Period)];
        DeliveryGpus = [.. deliveries.Select(d => d.Gpus)];
        PowerCapMw = [.. instance.Sites.SelectMany(s => s.PowerCapMw is { } cap ? cap.AsEnumerable() : Enumerable.Repeat(double.PositiveInfinity, T))];
        PowerCapKw = [.. PowerCapMw.Select(mw => mw * 1000)];
        PowerCostPerMwh = [.. instance.Sites.Select(s => s.PowerCostPerMwh)];
        PowerCostPerGpuPeriod = [.. instance.Pools.Select((p, i) => p.KwPerGpu / 1000 * PeriodHours * PowerCostPerMwh[PoolSite[i]])];

        SellThrough = instance.Spot?.SellThrough ?? 0;
        SpotPrice = [.. Enumerable.Range(0, T).Select(t => instance.Spot?.PriceAt(t) ?? 0)];
        SpotMargin = [.. instance.Pools.SelectMany((_, i) => Enumerable.Range(0, T).Select(t =>
            instance.Spot is null ? 0 : Math.Max(0, PeriodHours * SpotPrice[t] - PowerCostPerGpuPeriod[i])))];
        SitePoolsBySpotValue = [.. instance.Sites.SelectMany((_, s) => Enumerable.Range(0, T).Select(t => SpotOrder(s, t)))];

        var allPools = Enumerable.Range(0, instance.Pools.Length).ToImmutableArray();
        LeaseGpus = [.. instance.Leases.Select(l => l.Gpus)];
        LeasePeriods = [.. instance.Leases.Select(l => l.Periods)];
        LeaseEarliestStart = [.. instance.Leases.Select(l => l.EarliestStart)];
        LeaseLatestStart = [.. instance.Leases.Select(l => l.LatestStart)];
        LeaseSigned = [.. instance.Leases.Select(l => l.Status == LeaseStatus.Signed)];
        LeasePools = [.. instance.Leases.Select(l => l.Pools is { } ids ? [.. ids.Select(id => _poolIndex[id])] : allPools)];
        LeaseRevenue = [.. instance.Leases.Select(l => (double)l.Gpus * l.Periods * PeriodHours * l.PricePerGpuHour)];
        LeasePenaltyPerGpuHour = [.. instance.Leases.Select(l => l.PenaltyPerGpuHour)];
        LeasePricePerGpuHour = [.. instance.Leases.Select(l => l.PricePerGpuHour)];
        LeaseAnnouncedAt = [.. instance.Leases.Select(l => l.AnnouncedAt)];
        OfferArrivalProbability = instance.Uncertainty?.OfferArrival?.Probability ?? 1;

        JobGpus = [.. instance.Jobs.Select(j => j.Gpus)];
        JobPeriods = [.. instance.Jobs.Select(j => j.Periods)];
        JobEarliestStart = [.. instance.Jobs.Select(j => j.EarliestStart)];
        JobLastPeriod = [.. instance.Jobs.Select(j => Math.Min(j.Deadline ?? T - 1, T - 1))];
        JobPools = [.. instance.Jobs.Select(j => j.Pools is { } ids ? [.. ids.Select(id => _poolIndex[id])] : allPools)];
        JobAfter = [.. instance.Jobs.Select(j => j.After.Select(a => _jobIndex[a]).ToImmutableArray())];
        JobRequired = [.. instance.Jobs.Select(j => j.Required)];
        JobValue = [.. instance.Jobs.Select(j => j.Value)];
        JobDecayPerPeriod = [.. instance.Jobs.Select(j => j.DecayPerPeriod)];
        JobSuccessProbability = [.. instance.Jobs.Select(j => j.SuccessProbability)];
        JobSuccessKnownAfter = [.. instance.Jobs.Select(j => j.SuccessKnownAfter ?? 0)];
    }

    /// <summary>The instance this was compiled from.</summary>
    public Instance Source { get; }

    /// <summary>T, the number of periods.</summary>
    public int Periods { get; }

    /// <summary>Hours in one period.</summary>
    public double PeriodHours { get; }

    /// <summary>Number of pools.</summary>
    public int PoolCount => PoolSite.Length;

    /// <summary>Number of sites.</summary>
    public int SiteCount => PowerCostPerMwh.Length;

    /// <summary>Number of leases (signed and offers).</summary>
    public int LeaseCount => LeaseGpus.Length;

    /// <summary>Number of jobs.</summary>
    public int JobCount => JobGpus.Length;

    /// <summary>Site index of each pool.</summary>
    public ImmutableArray<int> PoolSite { get; }

    /// <summary>kW drawn by one GPU of each pool.</summary>
    public ImmutableArray<double> KwPerGpu { get; }

    /// <summary>capacity[p, t] = gpus + deliveries up to t, flattened as <c>[p * Periods + t]</c>.</summary>
    public ImmutableArray<int> Capacity { get; }

    /// <summary>GPUs of each pool before any delivery.</summary>
    public ImmutableArray<int> PoolInitialGpus { get; }

    /// <summary>Pool of each delivery (all pools' deliveries, in instance order).</summary>
    public ImmutableArray<int> DeliveryPool { get; }

    /// <summary>Nominal arrival period of each delivery.</summary>
    public ImmutableArray<int> DeliveryPeriod { get; }

    /// <summary>GPUs of each delivery (negative: retired).</summary>
    public ImmutableArray<int> DeliveryGpus { get; }

    /// <summary>Power cap in MW of each site and period, flattened as <c>[s * Periods + t]</c>; +infinity when unlimited.</summary>
    public ImmutableArray<double> PowerCapMw { get; }

    /// <summary>
    /// <see cref="PowerCapMw"/> in kW: the scenario recourse counts a site's power in kW, so that what a lease, a job or
    /// a sale draws (GPUs x kW per GPU) needs no division (docs/scenarios.md).
    /// </summary>
    public ImmutableArray<double> PowerCapKw { get; }

    /// <summary>Power price of each site in USD per MWh.</summary>
    public ImmutableArray<double> PowerCostPerMwh { get; }

    /// <summary>Cost of powering one GPU of each pool for one period, in USD.</summary>
    public ImmutableArray<double> PowerCostPerGpuPeriod { get; }

    /// <summary>Share of idle GPUs that the spot market takes (0 without a spot section).</summary>
    public double SellThrough { get; }

    /// <summary>Spot price in USD per GPU-hour of each period (0 without a spot section).</summary>
    public ImmutableArray<double> SpotPrice { get; }

    /// <summary>
    /// margin[p * T + t] = periodHours * spotPrice[t] - powerCostPerGpuPeriod[p], floored at 0 (such a pool sells none
    /// that period).
    /// </summary>
    public ImmutableArray<double> SpotMargin { get; }

    /// <summary>
    /// Per site and period (<c>[site * T + t]</c>), the site's pools with a positive spot margin, best margin per MW first
    /// (the fractional knapsack's order).
    /// </summary>
    public ImmutableArray<ImmutableArray<int>> SitePoolsBySpotValue { get; }

    /// <summary>Whether pool <paramref name="pool"/> sells spot in any period (a positive margin somewhere, and sell-through).</summary>
    public bool SellsSpot(int pool) => SellThrough > 0 && Enumerable.Range(0, Periods).Any(t => SpotMargin[pool * Periods + t] > 0);

    /// <summary>GPUs of each lease.</summary>
    public ImmutableArray<int> LeaseGpus { get; }

    /// <summary>Length of each lease in periods.</summary>
    public ImmutableArray<int> LeasePeriods { get; }

    /// <summary>Earliest start of each lease.</summary>
    public ImmutableArray<int> LeaseEarliestStart { get; }

    /// <summary>Latest start of each lease.</summary>
    public ImmutableArray<int> LeaseLatestStart { get; }

    /// <summary>Whether each lease is signed (must be placed).</summary>
    public ImmutableArray<bool> LeaseSigned { get; }

    /// <summary>Allowed pool indices of each lease.</summary>
    public ImmutableArray<ImmutableArray<int>> LeasePools { get; }

    /// <summary>The period each lease becomes known (0 for every signed lease and for offers known from the start).</summary>
    public ImmutableArray<int> LeaseAnnouncedAt { get; }

    /// <summary>
    /// The probability that an offer announced after period 0 is actually made in a scenario (1 without
    /// <c>uncertainty.offerArrival</c>); offers announced at 0 are always made.
    /// </summary>
    public double OfferArrivalProbability { get; }

    /// <summary>Whether lease <paramref name="lease"/> may not be made in a scenario: an offer announced later, with arrival uncertain.</summary>
    public bool OfferMayNotArrive(int lease) => LeaseAnnouncedAt[lease] > 0 && OfferArrivalProbability < 1;

    /// <summary>gpus * periods * periodHours * price of each lease, in USD.</summary>
    public ImmutableArray<double> LeaseRevenue { get; }

    /// <summary>Price of each lease per GPU-hour delivered.</summary>
    public ImmutableArray<double> LeasePricePerGpuHour { get; }

    /// <summary>SLA penalty of each lease per GPU-hour not delivered.</summary>
    public ImmutableArray<double> LeasePenaltyPerGpuHour { get; }

    /// <summary>GPUs of each job.</summary>
    public ImmutableArray<int> JobGpus { get; }

    /// <summary>Length of each job in periods.</summary>
    public ImmutableArray<int> JobPeriods { get; }

    /// <summary>Earliest start of each job.</summary>
    public ImmutableArray<int> JobEarliestStart { get; }

    /// <summary>min(deadline, T-1): the last period each job may run in.</summary>
    public ImmutableArray<int> JobLastPeriod { get; }

    /// <summary>Allowed pool indices of each job.</summary>
    public ImmutableArray<ImmutableArray<int>> JobPools { get; }

    /// <summary>Indices of the jobs each job must follow.</summary>
    public ImmutableArray<ImmutableArray<int>> JobAfter { get; }

    /// <summary>Whether each job must be scheduled.</summary>
    public ImmutableArray<bool> JobRequired { get; }

    /// <summary>Value of each job in USD, before decay and success probability.</summary>
    public ImmutableArray<double> JobValue { get; }

    /// <summary>Value lost per period of delay.</summary>
    public ImmutableArray<double> JobDecayPerPeriod { get; }

    /// <summary>Probability that each job succeeds.</summary>
    public ImmutableArray<double> JobSuccessProbability { get; }

    /// <summary>Periods after which each job's outcome is known (0: when it finishes).</summary>
    public ImmutableArray<int> JobSuccessKnownAfter { get; }

    /// <summary>Latest start of job j that still finishes by its last period.</summary>
    public int JobLatestStart(int job) => JobLastPeriod[job] - JobPeriods[job] + 1;

    /// <summary>Expected value of job j started at <paramref name="start"/>: p * max(0, value - decay * delay).</summary>
    public double JobExpectedValue(int job, int start) =>
        JobSuccessProbability[job] * Math.Max(0, JobValue[job] - JobDecayPerPeriod[job] * (start - JobEarliestStart[job]));

    /// <summary>capacity[p, t].</summary>
    public int CapacityAt(int pool, int period) => Capacity[pool * Periods + period];

    /// <summary>Index of a pool id, or -1.</summary>
    public int PoolIndex(string id) => _poolIndex.TryGetValue(id, out var i) ? i : -1;

    /// <summary>Index of a lease id, or -1.</summary>
    public int LeaseIndex(string id) => _leaseIndex.TryGetValue(id, out var i) ? i : -1;

    /// <summary>Index of a job id, or -1.</summary>
    public int JobIndex(string id) => _jobIndex.TryGetValue(id, out var i) ? i : -1;

    private static IEnumerable<int> CapacitySeries(Pool pool, int periods)
    {
        long capacity = pool.Gpus;
        for (var t = 0; t < periods; t++)
        {
            foreach (var delivery in pool.Deliveries)
            {
                if (delivery.Period == t)
                {
                    capacity += delivery.Gpus;
                }
            }

            yield return (int)Math.Clamp(capacity, 0, int.MaxValue);
        }
    }

    private ImmutableArray<int> SpotOrder(int site, int t) =>
    [
        .. Enumerable.Range(0, PoolSite.Length)
            .Where(p => PoolSite[p] == site && SpotMargin[p * Periods + t] > 0 && SellThrough > 0)
            .OrderByDescending(p => KwPerGpu[p] > 0 ? SpotMargin[p * Periods + t] / KwPerGpu[p] : double.PositiveInfinity)
            .ThenBy(p => p),
    ];
}
