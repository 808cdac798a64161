using Allocator.Core.Evaluation;

namespace Allocator.Core.Planning;

/// <summary>
/// A fast constructive plan: commitments first (signed leases, required jobs), then everything else by net value
/// per GPU-period, each at its best placement that still fits capacity and power. It is no optimiser; it gives the
/// exact solver a starting incumbent and the planner a plan to fall back on if the solver finds none in time.
/// </summary>
public static class GreedyPlanner
{
    /// <summary>A feasible assignment, or null when the commitments could not all be placed greedily.</summary>
    public static Assignment? Plan(CompiledInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var T = instance.Periods;
        var used = new double[instance.PoolCount * T];
        var drawMw = new double[instance.SiteCount * T];
        var leasePool = Enumerable.Repeat(-1, instance.LeaseCount).ToArray();
        var leaseStart = new int[instance.LeaseCount];
        var jobPool = Enumerable.Repeat(-1, instance.JobCount).ToArray();
        var jobStart = new int[instance.JobCount];

        // Items: (isJob, index, committed, density). Spot that a placement displaces is an opportunity cost.
        var items = new List<(bool IsJob, int Index, bool Committed, double Density)>();
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            var size = (double)instance.LeaseGpus[l] * instance.LeasePeriods[l];
            var best = instance.LeasePools[l].Max(p => instance.LeaseRevenue[l] - size * (instance.PowerCostPerGpuPeriod[p] + instance.SellThrough * instance.SpotMargin[p]));
            items.Add((false, l, instance.LeaseSigned[l], best / Math.Max(1, size)));
        }

        for (var j = 0; j < instance.JobCount; j++)
        {
            var size = (double)instance.JobGpus[j] * instance.JobPeriods[j];
            var best = instance.JobPools[j].Max(p => instance.JobExpectedValue(j, instance.JobEarliestStart[j]) - size * (instance.PowerCostPerGpuPeriod[p] + instance.SellThrough * instance.SpotMargin[p]));
            items.Add((true, j, instance.JobRequired[j], best / Math.Max(1, size)));
        }

        var ordered = items.OrderByDescending(i => i.Committed).ThenByDescending(i => i.Density).ToList();

        // Jobs wait for their predecessors; a few passes settle every chain.
        for (var pass = 0; pass < 1 + instance.JobCount; pass++)
        {
            var progress = false;
            foreach (var item in ordered)
            {
                if (item.IsJob ? jobPool[item.Index] >= 0 : leasePool[item.Index] >= 0)
                {
                    continue;
                }

                if (!item.Committed && item.Density <= 0)
                {
                    continue;
                }

                progress |= item.IsJob ? TryPlaceJob(item.Index) : TryPlaceLease(item.Index);
            }

            if (!progress)
            {
                break;
            }
        }

        for (var l = 0; l < instance.LeaseCount; l++)
        {
            if (instance.LeaseSigned[l] && leasePool[l] < 0)
            {
                return null;
            }
        }

        for (var j = 0; j < instance.JobCount; j++)
        {
            if (instance.JobRequired[j] && jobPool[j] < 0)
            {
                return null;
            }
        }

        return new Assignment([.. leasePool], [.. leaseStart], [.. jobPool], [.. jobStart]);

        bool TryPlaceLease(int l)
        {
            var gpus = instance.LeaseGpus[l];
            var periods = instance.LeasePeriods[l];
            var bestScore = double.NegativeInfinity;
            (int Pool, int Start) best = (-1, 0);
            foreach (var p in instance.LeasePools[l])
            {
                for (var s = instance.LeaseEarliestStart[l]; s <= instance.LeaseLatestStart[l]; s++)
                {
                    if (Fits(p, s, periods, gpus))
                    {
                        // Prefer cheap power, then the emptiest stretch of the pool.
                        var score = -instance.PowerCostPerGpuPeriod[p] * 1e6 - Load(p, s, periods);
                        if (score > bestScore)
                        {
                            (bestScore, best) = (score, (p, s));
                        }
                    }
                }
            }

            if (best.Pool < 0)
            {
                return false;
            }

            Occupy(best.Pool, best.Start, periods, gpus);
            (leasePool[l], leaseStart[l]) = best;
            return true;
        }

        bool TryPlaceJob(int j)
        {
            var earliest = instance.JobEarliestStart[j];
            foreach (var a in instance.JobAfter[j])
            {
                if (jobPool[a] < 0)
                {
                    return false;
                }

                earliest = Math.Max(earliest, jobStart[a] + instance.JobPeriods[a]);
            }

            var gpus = instance.JobGpus[j];
            var periods = instance.JobPeriods[j];
            var bestScore = double.NegativeInfinity;
            (int Pool, int Start) best = (-1, 0);
            foreach (var p in instance.JobPools[j])
            {
                for (var s = earliest; s <= instance.JobLatestStart(j); s++)
                {
                    var score = instance.JobExpectedValue(j, s) - (double)gpus * periods * instance.PowerCostPerGpuPeriod[p];
                    if (score > bestScore && Fits(p, s, periods, gpus))
                    {
                        (bestScore, best) = (score, (p, s));
                    }
                }
            }

            if (best.Pool < 0 || (bestScore <= 0 && !instance.JobRequired[j]))
            {
                return false;
            }

            Occupy(best.Pool, best.Start, periods, gpus);
            (jobPool[j], jobStart[j]) = best;
            return true;
        }

        bool Fits(int p, int start, int periods, int gpus)
        {
            var site = instance.PoolSite[p];
            for (var t = start; t < start + periods; t++)
            {
                if (used[p * T + t] + gpus > instance.CapacityAt(p, t)
                    || drawMw[site * T + t] + gpus * instance.KwPerGpu[p] / 1000 > instance.PowerCapMw[site * T + t])
                {
                    return false;
                }
            }

            return true;
        }

        double Load(int p, int start, int periods)
        {
            var load = 0.0;
            for (var t = start; t < start + periods; t++)
            {
                load += used[p * T + t] / Math.Max(1, instance.CapacityAt(p, t));
            }

            return load;
        }

        void Occupy(int p, int start, int periods, int gpus)
        {
            var site = instance.PoolSite[p];
            for (var t = start; t < start + periods; t++)
            {
                used[p * T + t] += gpus;
                drawMw[site * T + t] += gpus * instance.KwPerGpu[p] / 1000;
            }
        }
    }
}
