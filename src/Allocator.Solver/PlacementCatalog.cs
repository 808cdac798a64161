using System.Collections.Immutable;
using Allocator.Core.Evaluation;

namespace Allocator.Solver;

/// <summary>
/// One way to place a lease or job: a pool and a start period, with the money it brings net of power and of any
/// stability charge for moving it away from where last night's plan had it.
/// </summary>
public readonly record struct PlacementOption(int Pool, int Start, double NetValue);

/// <summary>
/// Every placement of every lease and job that could be part of a feasible plan: allowed pool, start inside the
/// window, and the block fits the pool's capacity and its site's power cap on its own in every period it covers.
/// Both exact models choose among these options, so they share one definition of what a placement is worth.
/// </summary>
public sealed class PlacementCatalog
{
    /// <summary>
    /// Enumerates the options of <paramref name="instance"/>. With a <paramref name="previous"/> plan and a positive
    /// <paramref name="moveCostPerGpuPeriod"/>, every option of a lease or job that the previous plan placed is charged
    /// that much per GPU-period it does not share with the previous placement (same pool, same period), so the
    /// optimum moves a placement only when the move gains more than it costs.
    /// </summary>
    public PlacementCatalog(CompiledInstance instance, Assignment? previous = null, double moveCostPerGpuPeriod = 0)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentOutOfRangeException.ThrowIfNegative(moveCostPerGpuPeriod);
        Instance = instance;
        Previous = moveCostPerGpuPeriod > 0 ? previous : null;
        MoveCostPerGpuPeriod = Previous is null ? 0 : moveCostPerGpuPeriod;
        // Each option must fit an empty fleet: the same capacity and power rule, and tolerance, as every plan.
        var empty = new CapacityLedger(instance);
        Leases = [.. Enumerable.Range(0, instance.LeaseCount).Select(l => Options(
            instance, empty, Block.Lease(l), (pool, start) => instance.LeaseRevenue[l] - LeaseMoveCharge(l, pool, start)))];
        Jobs = [.. Enumerable.Range(0, instance.JobCount).Select(j => Options(
            instance, empty, Block.Job(j), (pool, start) => instance.JobExpectedValue(j, start) - JobMoveCharge(j, pool, start)))];
        _mustPlaceLease = [.. instance.LeaseSigned];
        _mustPlaceJob = [.. instance.JobRequired];
    }

    private PlacementCatalog(PlacementCatalog full, ImmutableArray<ImmutableArray<PlacementOption>> leases, ImmutableArray<ImmutableArray<PlacementOption>> jobs, bool[] mustLease, bool[] mustJob)
    {
        Instance = full.Instance;
        Previous = full.Previous;
        MoveCostPerGpuPeriod = full.MoveCostPerGpuPeriod;
        Leases = leases;
        Jobs = jobs;
        _mustPlaceLease = mustLease;
        _mustPlaceJob = mustJob;
    }

    private readonly bool[] _mustPlaceLease;
    private readonly bool[] _mustPlaceJob;

    /// <summary>Whether lease l must be placed: signed, or fixed in place in a neighbourhood.</summary>
    public bool MustPlaceLease(int lease) => _mustPlaceLease[lease];

    /// <summary>Whether job j must be scheduled: required, or fixed in place in a neighbourhood.</summary>
    public bool MustPlaceJob(int job) => _mustPlaceJob[job];

    /// <summary>Whether any lease or job must be placed, so that the empty plan is not a plan.</summary>
    public bool HasCommitments => _mustPlaceLease.Contains(true) || _mustPlaceJob.Contains(true);

    /// <summary>
    /// The catalog of a neighbourhood of <paramref name="plan"/> (a feasible plan): leases and jobs for which
    /// <paramref name="isFree"/> says false keep exactly their placement in the plan (or stay out), the others keep
    /// every option. Its optimum is the best plan that differs from <paramref name="plan"/> only in the free items,
    /// and <paramref name="plan"/> itself is one of its feasible plans, so it is never worse.
    /// </summary>
    public PlacementCatalog Neighbourhood(Assignment plan, Func<Block, bool> isFree)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(isFree);
        ImmutableArray<PlacementOption> Keep(ImmutableArray<PlacementOption> options, int pool, int start) =>
            pool < 0 ? [] : [.. options.Where(o => o.Pool == pool && o.Start == start)];
        var leases = Leases.Select((options, l) => isFree(Block.Lease(l)) ? options : Keep(options, plan.LeasePool[l], plan.LeaseStart[l])).ToImmutableArray();
        var jobs = Jobs.Select((options, j) => isFree(Block.Job(j)) ? options : Keep(options, plan.JobPool[j], plan.JobStart[j])).ToImmutableArray();
        var mustLease = Enumerable.Range(0, Leases.Length).Select(l => _mustPlaceLease[l] || (!isFree(Block.Lease(l)) && plan.LeasePool[l] >= 0)).ToArray();
        var mustJob = Enumerable.Range(0, Jobs.Length).Select(j => _mustPlaceJob[j] || (!isFree(Block.Job(j)) && plan.JobPool[j] >= 0)).ToArray();
        return new PlacementCatalog(this, leases, jobs, mustLease, mustJob);
    }

    /// <summary>The plan placements are charged for leaving (null: no stability charge).</summary>
    public Assignment? Previous { get; }

    /// <summary>USD charged per GPU-period moved away from <see cref="Previous"/>.</summary>
    public double MoveCostPerGpuPeriod { get; }

    /// <summary>The stability charge of a whole plan: the sum of its placements' move charges (0 without a previous plan).</summary>
    public double StabilityCost(Assignment plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (Previous is null)
        {
            return 0;
        }

        var cost = 0.0;
        for (var l = 0; l < Instance.LeaseCount; l++)
        {
            cost += plan.LeasePool[l] >= 0 ? LeaseMoveCharge(l, plan.LeasePool[l], plan.LeaseStart[l]) : 0;
        }

        for (var j = 0; j < Instance.JobCount; j++)
        {
            cost += plan.JobPool[j] >= 0 ? JobMoveCharge(j, plan.JobPool[j], plan.JobStart[j]) : 0;
        }

        return cost;
    }

    private double LeaseMoveCharge(int lease, int pool, int start) => Previous is { } p && lease < p.LeasePool.Length
        ? MoveCharge(p.LeasePool[lease], p.LeaseStart[lease], pool, start, Instance.LeasePeriods[lease], Instance.LeaseGpus[lease])
        : 0;

    private double JobMoveCharge(int job, int pool, int start) => Previous is { } p && job < p.JobPool.Length
        ? MoveCharge(p.JobPool[job], p.JobStart[job], pool, start, Instance.JobPeriods[job], Instance.JobGpus[job])
        : 0;

    /// <summary>GPU-periods of a block at (pool, start) that the previous block at (oldPool, oldStart) did not cover, priced.</summary>
    private double MoveCharge(int oldPool, int oldStart, int pool, int start, int periods, int gpus)
    {
        if (oldPool < 0)
        {
            return 0;
        }

        var shared = oldPool == pool ? Math.Max(0, Math.Min(oldStart, start) + periods - Math.Max(oldStart, start)) : 0;
        return MoveCostPerGpuPeriod * gpus * (periods - shared);
    }

    /// <summary>The instance.</summary>
    public CompiledInstance Instance { get; }

    /// <summary>Options of each lease.</summary>
    public ImmutableArray<ImmutableArray<PlacementOption>> Leases { get; }

    /// <summary>Options of each job.</summary>
    public ImmutableArray<ImmutableArray<PlacementOption>> Jobs { get; }

    /// <summary>
    /// The model's size: one term in a capacity row for every period of every placement (the rows that dominate building
    /// it). 9 thousand on the mid seed, 276 thousand on a hard 12 x 600 x 60 x 52 instance, 70 million on 100 x 10,000 x
    /// 1,000 x 104.
    /// </summary>
    public long CapacityTerms =>
        Leases.Select((options, l) => (long)options.Length * Instance.LeasePeriods[l]).Sum()
        + Jobs.Select((options, j) => (long)options.Length * Instance.JobPeriods[j]).Sum();

    /// <summary>
    /// The job-chain rows for job <paramref name="job"/> after <paramref name="predecessor"/>: for every start t of the
    /// job, the job's options that start by t (coefficient +1) and the predecessor's options that finish before t
    /// (coefficient -1); each row says sum &lt;= 0, i.e. "started by t only if the predecessor has finished by t".
    /// Every exact model states its chain constraints from these rows.
    /// </summary>
    public IEnumerable<(int[] Started, int[] Finished)> ChainRows(int job, int predecessor)
    {
        var options = Jobs[job];
        var before = Jobs[predecessor];
        var periods = Instance.JobPeriods[predecessor];
        foreach (var t in options.Select(o => o.Start).Distinct())
        {
            yield return (
                [.. Enumerable.Range(0, options.Length).Where(k => options[k].Start <= t)],
                [.. Enumerable.Range(0, before.Length).Where(k => before[k].Start + periods <= t)]);
        }
    }

    /// <summary>Whether a pool sells spot in period t (positive margin and sell-through), so the model needs spot[p, t].</summary>
    public bool SellsSpot(int pool, int t) => Instance.SpotMargin[pool * Instance.Periods + t] > 0 && Instance.SellThrough > 0;

    private static ImmutableArray<PlacementOption> Options(CompiledInstance instance, CapacityLedger empty, Block block, Func<int, int, double> value)
    {
        var (gpus, periods) = (instance.Gpus(block), instance.Periods(block));
        var options = ImmutableArray.CreateBuilder<PlacementOption>();
        foreach (var p in instance.Pools(block))
        {
            var powerCost = (double)gpus * periods * instance.PowerCostPerGpuPeriod[p];
            for (var start = instance.EarliestStart(block); start <= instance.LatestStart(block); start++)
            {
                if (empty.Fits(p, start, periods, gpus))
                {
                    options.Add(new PlacementOption(p, start, value(p, start) - powerCost));
                }
            }
        }

        return options.ToImmutable();
    }
}
