using System.Collections.Immutable;
using Allocator.Core.Contract;

namespace Allocator.Core.Evaluation;

/// <summary>
/// The deterministic evaluator: the single implementation of the contract's feasibility rules and objective.
/// Solvers report what it computes; tests compare every other component against it.
/// </summary>
public static class PlanEvaluator
{
    // Capacity and power are compared with a small tolerance so that a plan that exactly fills a site's cap
    // (cap and kW are decimals) is not rejected for floating-point noise.
    private const double PowerToleranceMw = 1e-9;

    /// <summary>Evaluates a plan file's decisions: unknown, missing or duplicate ids and bad pools are violations too.</summary>
    public static PlanEvaluation Evaluate(CompiledInstance instance, Plan plan)
    {
        var violations = new List<PlanViolation>();
        var assignment = Resolve(instance, plan, violations);
        return Evaluate(instance, assignment, violations);
    }

    /// <summary>Evaluates an assignment.</summary>
    public static PlanEvaluation Evaluate(CompiledInstance instance, Assignment assignment) => Evaluate(instance, assignment, []);

    /// <summary>Maps a plan's ids to indices, recording every decision that cannot be mapped.</summary>
    public static Assignment Resolve(CompiledInstance instance, Plan plan, List<PlanViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(violations);
        var source = instance.Source;
        if (PlanIdentity.Mismatch(plan, instance) is { } mismatch)
        {
            violations.Add(new("instance", mismatch));
        }

        var leasePool = Enumerable.Repeat(-1, instance.LeaseCount).ToArray();
        var leaseStart = new int[instance.LeaseCount];
        var seenLeases = new bool[instance.LeaseCount];
        foreach (var decision in plan.Leases)
        {
            var l = instance.LeaseIndex(decision.Id);
            if (l < 0)
            {
                violations.Add(new("unknown-lease", $"the plan decides lease '{decision.Id}', which the instance does not have."));
                continue;
            }

            if (seenLeases[l])
            {
                violations.Add(new("duplicate-lease", $"lease '{decision.Id}' appears more than once in the plan."));
                continue;
            }

            seenLeases[l] = true;
            if (decision.Accepted && ResolvePool(instance, decision.Pool, $"lease '{decision.Id}'", violations) is { } p)
            {
                leasePool[l] = p;
                leaseStart[l] = decision.Start ?? 0;
            }
        }

        for (var l = 0; l < instance.LeaseCount; l++)
        {
            if (!seenLeases[l])
            {
                violations.Add(new("missing-lease", $"lease '{source.Leases[l].Id}' is not in the plan; every lease must appear once, accepted or not."));
            }
        }

        var jobPool = Enumerable.Repeat(-1, instance.JobCount).ToArray();
        var jobStart = new int[instance.JobCount];
        var seenJobs = new bool[instance.JobCount];
        foreach (var decision in plan.Jobs)
        {
            var j = instance.JobIndex(decision.Id);
            if (j < 0)
            {
                violations.Add(new("unknown-job", $"the plan decides job '{decision.Id}', which the instance does not have."));
                continue;
            }

            if (seenJobs[j])
            {
                violations.Add(new("duplicate-job", $"job '{decision.Id}' appears more than once in the plan."));
                continue;
            }

            seenJobs[j] = true;
            if (decision.Scheduled && ResolvePool(instance, decision.Pool, $"job '{decision.Id}'", violations) is { } p)
            {
                jobPool[j] = p;
                jobStart[j] = decision.Start ?? 0;
            }
        }

        for (var j = 0; j < instance.JobCount; j++)
        {
            if (!seenJobs[j])
            {
                violations.Add(new("missing-job", $"job '{source.Jobs[j].Id}' is not in the plan; every job must appear once, scheduled or not."));
            }
        }

        return new Assignment([.. leasePool], [.. leaseStart], [.. jobPool], [.. jobStart]);
    }

    private static int? ResolvePool(CompiledInstance instance, string? pool, string what, List<PlanViolation> violations)
    {
        var p = pool is null ? -1 : instance.PoolIndex(pool);
        if (p < 0)
        {
            violations.Add(new("unknown-pool", $"{what} is placed on pool '{pool}', which the instance does not have."));
            return null;
        }

        return p;
    }

    private static PlanEvaluation Evaluate(CompiledInstance instance, Assignment a, List<PlanViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(a);
        var source = instance.Source;
        var T = instance.Periods;
        var hours = instance.PeriodHours;
        var used = new double[instance.PoolCount * T];

        double leaseRevenue = 0, leaseGpuHours = 0;
        var offersAccepted = 0;
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            var lease = source.Leases[l];
            var p = a.LeasePool[l];
            if (p < 0)
            {
                if (instance.LeaseSigned[l])
                {
                    violations.Add(new("signed-lease", $"signed lease '{lease.Id}' ({lease.Customer ?? "no customer named"}) is not placed; signed leases must be."));
                }

                continue;
            }

            var start = a.LeaseStart[l];
            if (!instance.LeasePools[l].Contains(p))
            {
                violations.Add(new("lease-pool", $"lease '{lease.Id}' may not run on pool '{source.Pools[p].Id}'; allowed: {string.Join(", ", instance.LeasePools[l].Select(i => source.Pools[i].Id))}."));
            }

            if (start < lease.EarliestStart || start > lease.LatestStart)
            {
                violations.Add(new("lease-window", $"lease '{lease.Id}' starts at {start}, outside its window {lease.EarliestStart}..{lease.LatestStart}."));
            }

            offersAccepted += instance.LeaseSigned[l] ? 0 : 1;
            leaseRevenue += instance.LeaseRevenue[l];
            leaseGpuHours += (double)lease.Gpus * lease.Periods * hours;
            Occupy(used, p, start, lease.Periods, lease.Gpus, T);
        }

        double jobValue = 0, jobGpuHours = 0;
        var jobsScheduled = 0;
        for (var j = 0; j < instance.JobCount; j++)
        {
            var job = source.Jobs[j];
            var p = a.JobPool[j];
            if (p < 0)
            {
                if (instance.JobRequired[j])
                {
                    violations.Add(new("required-job", $"required job '{job.Id}' is not scheduled; required jobs must be."));
                }

                continue;
            }

            var start = a.JobStart[j];
            if (!instance.JobPools[j].Contains(p))
            {
                violations.Add(new("job-pool", $"job '{job.Id}' may not run on pool '{source.Pools[p].Id}'; allowed: {string.Join(", ", instance.JobPools[j].Select(i => source.Pools[i].Id))}."));
            }

            if (start < job.EarliestStart || start > instance.JobLatestStart(j))
            {
                violations.Add(new("job-window", $"job '{job.Id}' starts at {start}; it must start at or after {job.EarliestStart} and finish by period {instance.JobLastPeriod[j]}, so start by {instance.JobLatestStart(j)}."));
            }

            foreach (var predecessor in instance.JobAfter[j])
            {
                var predecessorId = source.Jobs[predecessor].Id;
                if (a.JobPool[predecessor] < 0)
                {
                    violations.Add(new("job-chain", $"job '{job.Id}' runs after '{predecessorId}', which is not scheduled."));
                }
                else if (start < a.JobStart[predecessor] + instance.JobPeriods[predecessor])
                {
                    violations.Add(new("job-chain", $"job '{job.Id}' starts at {start}, before '{predecessorId}' finishes (it ends in period {a.JobStart[predecessor] + instance.JobPeriods[predecessor] - 1})."));
                }
            }

            jobsScheduled++;
            jobValue += instance.JobExpectedValue(j, start);
            jobGpuHours += (double)job.Gpus * job.Periods * hours;
            Occupy(used, p, start, job.Periods, job.Gpus, T);
        }

        CheckCapacity(instance, used, violations);
        var capacity = instance.Capacity.Select(c => (double)c).ToArray();
        var spot = new double[used.Length];
        SpotClearing.Clear(instance, used, capacity, spot);
        var sitePeak = CheckPower(instance, used, spot, violations);

        double spotRevenue = 0, powerCost = 0, spotGpuHours = 0;
        for (var p = 0; p < instance.PoolCount; p++)
        {
            for (var t = 0; t < T; t++)
            {
                var i = p * T + t;
                spotRevenue += spot[i] * hours * instance.SpotPricePerGpuHour;
                powerCost += (used[i] + spot[i]) * instance.PowerCostPerGpuPeriod[p];
                spotGpuHours += spot[i] * hours;
            }
        }

        var kpis = new PlanKpis(
            offersAccepted,
            instance.LeaseSigned.Count(s => !s),
            instance.LeaseSigned.Count(s => s),
            jobsScheduled,
            instance.JobCount,
            leaseGpuHours,
            jobGpuHours,
            spotGpuHours,
            capacity.Sum() * hours,
            sitePeak);
        return new PlanEvaluation(a, [.. violations], new ObjectiveBreakdown(leaseRevenue, jobValue, spotRevenue, powerCost), kpis, [.. used], [.. spot]);
    }

    private static void Occupy(double[] used, int pool, int start, int periods, int gpus, int T)
    {
        for (var t = Math.Max(0, start); t < Math.Min(T, start + periods); t++)
        {
            used[pool * T + t] += gpus;
        }
    }

    /// <summary>used[p,t] &lt;= capacity[p,t]; consecutive overfull periods are reported as one range.</summary>
    private static void CheckCapacity(CompiledInstance instance, double[] used, List<PlanViolation> violations)
    {
        var T = instance.Periods;
        for (var p = 0; p < instance.PoolCount; p++)
        {
            var t = 0;
            while (t < T)
            {
                if (used[p * T + t] <= instance.CapacityAt(p, t))
                {
                    t++;
                    continue;
                }

                var first = t;
                var worst = 0.0;
                while (t < T && used[p * T + t] > instance.CapacityAt(p, t))
                {
                    worst = Math.Max(worst, used[p * T + t] - instance.CapacityAt(p, t));
                    t++;
                }

                violations.Add(new("pool-capacity",
                    $"pool '{instance.Source.Pools[p].Id}' is overbooked in periods {first}..{t - 1} by up to {worst:N0} GPUs."));
            }
        }
    }

    /// <summary>Site power including spot must stay within the cap; returns each site's peak draw in MW.</summary>
    private static ImmutableArray<double> CheckPower(CompiledInstance instance, double[] used, double[] spot, List<PlanViolation> violations)
    {
        var T = instance.Periods;
        var peaks = new double[instance.SiteCount];
        for (var s = 0; s < instance.SiteCount; s++)
        {
            var firstOver = -1;
            var worst = 0.0;
            for (var t = 0; t <= T; t++)
            {
                var over = false;
                if (t < T)
                {
                    var mw = 0.0;
                    for (var p = 0; p < instance.PoolCount; p++)
                    {
                        if (instance.PoolSite[p] == s)
                        {
                            mw += (used[p * T + t] + spot[p * T + t]) * instance.KwPerGpu[p] / 1000;
                        }
                    }

                    peaks[s] = Math.Max(peaks[s], mw);
                    var cap = instance.PowerCapMw[s * T + t];
                    over = mw > cap + PowerToleranceMw * Math.Max(1, cap);
                    if (over)
                    {
                        worst = Math.Max(worst, mw - cap);
                        firstOver = firstOver < 0 ? t : firstOver;
                    }
                }

                if (!over && firstOver >= 0)
                {
                    violations.Add(new("site-power",
                        $"site '{instance.Source.Sites[s].Id}' draws up to {worst:N3} MW over its cap in periods {firstOver}..{t - 1}."));
                    firstOver = -1;
                    worst = 0;
                }
            }
        }

        return [.. peaks];
    }
}
