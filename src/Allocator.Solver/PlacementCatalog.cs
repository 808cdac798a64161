using System.Collections.Immutable;
using Allocator.Core.Evaluation;

namespace Allocator.Solver;

/// <summary>One way to place a lease or job: a pool and a start period, with the money it brings net of power.</summary>
public readonly record struct PlacementOption(int Pool, int Start, double NetValue);

/// <summary>
/// Every placement of every lease and job that could be part of a feasible plan: allowed pool, start inside the
/// window, and the block fits the pool's capacity and its site's power cap on its own in every period it covers.
/// Both exact models choose among these options, so they share one definition of what a placement is worth.
/// </summary>
public sealed class PlacementCatalog
{
    /// <summary>Enumerates the options of <paramref name="instance"/>.</summary>
    public PlacementCatalog(CompiledInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        Instance = instance;
        Leases = [.. Enumerable.Range(0, instance.LeaseCount).Select(l => Options(
            instance, instance.LeasePools[l], instance.LeaseGpus[l], instance.LeasePeriods[l],
            instance.LeaseEarliestStart[l], instance.LeaseLatestStart[l], _ => instance.LeaseRevenue[l]))];
        Jobs = [.. Enumerable.Range(0, instance.JobCount).Select(j => Options(
            instance, instance.JobPools[j], instance.JobGpus[j], instance.JobPeriods[j],
            instance.JobEarliestStart[j], instance.JobLatestStart(j), start => instance.JobExpectedValue(j, start)))];
    }

    /// <summary>The instance.</summary>
    public CompiledInstance Instance { get; }

    /// <summary>Options of each lease.</summary>
    public ImmutableArray<ImmutableArray<PlacementOption>> Leases { get; }

    /// <summary>Options of each job.</summary>
    public ImmutableArray<ImmutableArray<PlacementOption>> Jobs { get; }

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

    /// <summary>Whether a pool sells spot (positive margin and sell-through), so the model needs spot[p, t].</summary>
    public bool SellsSpot(int pool) => Instance.SpotMargin[pool] > 0 && Instance.SellThrough > 0;

    private static ImmutableArray<PlacementOption> Options(
        CompiledInstance instance, ImmutableArray<int> pools, int gpus, int periods, int earliest, int latest, Func<int, double> value)
    {
        var options = ImmutableArray.CreateBuilder<PlacementOption>();
        foreach (var p in pools)
        {
            var powerCost = (double)gpus * periods * instance.PowerCostPerGpuPeriod[p];
            for (var start = earliest; start <= latest; start++)
            {
                if (FitsAlone(instance, p, start, periods, gpus))
                {
                    options.Add(new PlacementOption(p, start, value(start) - powerCost));
                }
            }
        }

        return options.ToImmutable();
    }

    private static bool FitsAlone(CompiledInstance instance, int pool, int start, int periods, int gpus)
    {
        var site = instance.PoolSite[pool];
        for (var t = start; t < start + periods; t++)
        {
            if (gpus > instance.CapacityAt(pool, t) || gpus * instance.KwPerGpu[pool] / 1000 > instance.PowerCapMw[site * instance.Periods + t] * (1 + 1e-12))
            {
                return false;
            }
        }

        return true;
    }
}
