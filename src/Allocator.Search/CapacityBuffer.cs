using Allocator.Core.Evaluation;

namespace Allocator.Search;

/// <summary>
/// The "exact plan with a capacity buffer" seeds: the plan with placements taken off until every pool keeps a share of
/// its GPUs free in every period, where that can be done without touching signed leases, required jobs or chains.
/// </summary>
internal static class CapacityBuffer
{
    /// <summary>
    /// A copy of <paramref name="plan"/> that keeps <paramref name="share"/> of each pool's capacity free: wherever a
    /// pool-period is fuller, the offers earning least per GPU-hour are rejected first, then the jobs worth least per
    /// GPU-period are left out, until it is not (or nothing more may go).
    /// </summary>
    public static DraftPlan Apply(DraftPlan plan, double share)
    {
        var draft = plan.Copy();
        var instance = draft.Instance;
        var T = instance.Periods;
        for (var pool = 0; pool < instance.PoolCount; pool++)
        {
            for (var t = 0; t < T; t++)
            {
                var keepFree = (long)Math.Ceiling(share * instance.CapacityAt(pool, t));
                while (draft.Headroom(pool, t) < keepFree && DropCheapest(draft, pool, t))
                {
                }
            }
        }

        return draft;
    }

    private static bool DropCheapest(DraftPlan draft, int pool, int period)
    {
        var instance = draft.Instance;
        var (lease, price) = (-1, double.MaxValue);
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            if (draft.LeasePool(l) == pool && !instance.LeaseSigned[l] && Covers(draft.LeaseStart(l), instance.LeasePeriods[l], period)
                && instance.LeasePricePerGpuHour[l] < price)
            {
                (lease, price) = (l, instance.LeasePricePerGpuHour[l]);
            }
        }

        if (lease >= 0)
        {
            draft.Remove(Block.Lease(lease));
            return true;
        }

        var (job, worth) = (-1, double.MaxValue);
        for (var j = 0; j < instance.JobCount; j++)
        {
            if (draft.JobPool(j) == pool && Covers(draft.JobStart(j), instance.JobPeriods[j], period) && draft.CanDropJob(j))
            {
                var perGpuPeriod = instance.JobExpectedValue(j, draft.JobStart(j)) / ((double)instance.JobGpus[j] * instance.JobPeriods[j]);
                if (perGpuPeriod < worth)
                {
                    (job, worth) = (j, perGpuPeriod);
                }
            }
        }

        if (job >= 0)
        {
            draft.Remove(Block.Job(job));
            return true;
        }

        return false;
    }

    private static bool Covers(int start, int periods, int period) => start <= period && period < start + periods;
}
