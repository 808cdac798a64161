using Allocator.Core.Contract;

namespace Allocator.Core.Json;

/// <summary>
/// The contract's cross-field rules, checked once the file is well-formed: unique and known ids, acyclic chains,
/// windows that fit the horizon, capacities that never go negative.
/// </summary>
internal static class InstanceRules
{
    public static void Check(Instance instance, List<ContractProblem> problems)
    {
        var periods = instance.Horizon.Periods;
        // Leases and jobs may be empty (the contract says so); a fleet of no site or no pool has nothing to plan.
        if (instance.Sites.IsEmpty)
        {
            problems.Add(new("$.sites", "lists no site; a fleet needs at least one site for its pools."));
        }

        if (instance.Pools.IsEmpty)
        {
            problems.Add(new("$.pools", "lists no pool; a fleet needs at least one pool of GPUs (leases and jobs may be empty)."));
        }

        var siteIds = UniqueIds(instance.Sites.Select(s => s.Id), "$.sites", "site", problems);
        var poolIds = UniqueIds(instance.Pools.Select(p => p.Id), "$.pools", "pool", problems);
        UniqueIds(instance.Leases.Select(l => l.Id), "$.leases", "lease", problems);
        var jobIds = UniqueIds(instance.Jobs.Select(j => j.Id), "$.jobs", "job", problems);

        for (var i = 0; i < instance.Pools.Length; i++)
        {
            var pool = instance.Pools[i];
            var path = $"$.pools[{i}]";
            if (!siteIds.Contains(pool.Site))
            {
                problems.Add(new($"{path}.site", $"names site '{pool.Site}', which is not in $.sites; use one of: {List(siteIds)}."));
            }

            CheckCapacityInRange(pool, path, periods, problems);
        }

        for (var i = 0; i < instance.Leases.Length; i++)
        {
            var lease = instance.Leases[i];
            var path = $"$.leases[{i}]";
            CheckPools(lease.Pools, path, poolIds, problems);
            if (lease.LatestStart < lease.EarliestStart)
            {
                problems.Add(new($"{path}.latestStart", $"{lease.LatestStart} is before earliestStart {lease.EarliestStart}; the start window is empty."));
            }
            else if (lease.Periods > periods)
            {
                problems.Add(new($"{path}.periods", $"a lease of {lease.Periods} periods is longer than the horizon's {periods}; shorten it to at most {periods}."));
            }
            else if (lease.LatestStart + lease.Periods > periods)
            {
                problems.Add(new($"{path}.latestStart",
                    $"a lease of {lease.Periods} periods starting at {lease.LatestStart} ends after the horizon's last period {periods - 1}; "
                    + $"set latestStart to at most {periods - lease.Periods}, or shorten the lease."));
            }

            CheckAnnouncement(lease, path, problems);
        }

        for (var i = 0; i < instance.Jobs.Length; i++)
        {
            var job = instance.Jobs[i];
            var path = $"$.jobs[{i}]";
            CheckPools(job.Pools, path, poolIds, problems);
            var lastPeriod = Math.Min(job.Deadline ?? periods - 1, periods - 1);
            if (job.Periods > periods)
            {
                problems.Add(new($"{path}.periods", $"a job of {job.Periods} periods is longer than the horizon's {periods}; shorten it to at most {periods}."));
            }
            else if (job.EarliestStart + job.Periods - 1 > lastPeriod)
            {
                var field = job.Deadline is { } d && d < periods - 1 ? "deadline" : "earliestStart";
                problems.Add(new($"{path}.{field}",
                    $"a job of {job.Periods} periods starting at {job.EarliestStart} cannot finish by period {lastPeriod}"
                    + (job.Deadline is null ? " (the horizon's last)" : " (its deadline, within the horizon)")
                    + "; move earliestStart earlier, the deadline later, or shorten the job."));
            }

            if (job.SuccessKnownAfter is { } known && (known < 1 || known > job.Periods))
            {
                problems.Add(new($"{path}.successKnownAfter",
                    $"{known} is outside 1..{job.Periods} (the job's periods); give the number of periods after which its outcome is known, or leave the field out (known when it finishes)."));
            }

            for (var k = 0; k < job.After.Length; k++)
            {
                if (!jobIds.Contains(job.After[k]))
                {
                    problems.Add(new($"{path}.after[{k}]", $"names job '{job.After[k]}', which is not in $.jobs; use one of: {List(jobIds)}."));
                }
            }
        }

        CheckChainsAcyclic(instance, problems);
    }

    /// <summary>An offer becomes known at most when its window opens; a signed lease is known from the start.</summary>
    private static void CheckAnnouncement(Lease lease, string path, List<ContractProblem> problems)
    {
        if (lease.AnnouncedAt == 0)
        {
            return;
        }

        if (lease.Status == LeaseStatus.Signed)
        {
            problems.Add(new($"{path}.announcedAt", $"is {lease.AnnouncedAt} on a signed lease; a signed lease is known from period 0, so leave announcedAt out (or make the lease an offer)."));
        }
        else if (lease.AnnouncedAt > lease.EarliestStart)
        {
            problems.Add(new($"{path}.announcedAt",
                $"{lease.AnnouncedAt} is after earliestStart {lease.EarliestStart}; an offer must be known by the first period it could start: set announcedAt to at most {lease.EarliestStart}."));
        }
    }

    private static HashSet<string> UniqueIds(IEnumerable<string> ids, string path, string what, List<ContractProblem> problems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var id in ids)
        {
            if (!seen.Add(id))
            {
                problems.Add(new($"{path}[{i}].id", $"'{id}' is used by another {what} already; every {what} needs its own id."));
            }

            i++;
        }

        return seen;
    }

    private static void CheckPools(IReadOnlyList<string>? pools, string path, HashSet<string> poolIds, List<ContractProblem> problems)
    {
        if (pools is null)
        {
            return;
        }

        for (var k = 0; k < pools.Count; k++)
        {
            if (!poolIds.Contains(pools[k]))
            {
                problems.Add(new($"{path}.pools[{k}]", $"names pool '{pools[k]}', which is not in $.pools; use one of: {List(poolIds)}."));
            }
        }
    }

    private static void CheckCapacityInRange(Pool pool, string path, int periods, List<ContractProblem> problems)
    {
        long capacity = pool.Gpus;
        foreach (var group in pool.Deliveries.Select((d, k) => (d, k)).Where(x => x.d.Period < periods).GroupBy(x => x.d.Period).OrderBy(g => g.Key))
        {
            capacity += group.Sum(x => (long)x.d.Gpus);
            if (capacity < 0)
            {
                var k = group.Last().k;
                problems.Add(new($"{path}.deliveries[{k}].gpus",
                    $"takes the pool's capacity to {capacity} GPUs in period {group.Key}; retire no more GPUs than the pool has."));
                return;
            }

            if (capacity > int.MaxValue)
            {
                var k = group.Last().k;
                problems.Add(new($"{path}.deliveries[{k}].gpus",
                    $"takes the pool's capacity to {capacity} GPUs in period {group.Key}; a pool holds at most {int.MaxValue} GPUs."));
                return;
            }
        }
    }

    private static void CheckChainsAcyclic(Instance instance, List<ContractProblem> problems)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < instance.Jobs.Length; i++)
        {
            index.TryAdd(instance.Jobs[i].Id, i);
        }

        // 0 = unvisited, 1 = on the current path, 2 = done.
        var state = new int[instance.Jobs.Length];
        var stack = new List<int>();
        for (var i = 0; i < instance.Jobs.Length; i++)
        {
            if (state[i] == 0 && Visit(i))
            {
                return;
            }
        }

        bool Visit(int job)
        {
            state[job] = 1;
            stack.Add(job);
            foreach (var predecessor in instance.Jobs[job].After)
            {
                if (!index.TryGetValue(predecessor, out var p))
                {
                    continue;
                }

                if (state[p] == 1)
                {
                    var cycle = stack.Skip(stack.IndexOf(p)).Append(p).Select(x => $"'{instance.Jobs[x].Id}'");
                    problems.Add(new($"$.jobs[{job}].after",
                        $"the chain {string.Join(" after ", cycle)} is a cycle, so none of these jobs could ever start; remove one of the links."));
                    return true;
                }

                if (state[p] == 0 && Visit(p))
                {
                    return true;
                }
            }

            stack.RemoveAt(stack.Count - 1);
            state[job] = 2;
            return false;
        }
    }

    private static string List(IEnumerable<string> ids)
    {
        var all = ids.ToList();
        return all.Count == 0 ? "(none defined)" : string.Join(", ", all.Take(12)) + (all.Count > 12 ? ", ..." : "");
    }
}
