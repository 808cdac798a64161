using System.Collections.Immutable;
using System.Globalization;
using Allocator.Core.Contract;
using Allocator.Core.Text;

namespace Allocator.Core.Evaluation;

/// <summary>
/// The deterministic evaluator: the single implementation of the contract's feasibility rules and objective.
/// Solvers report what it computes; tests compare every other component against it.
/// </summary>
public static class PlanEvaluator
{
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

        var (leasePool, leaseStart) = Decisions(
            instance, "lease", "accepted", plan.Leases.Select(d => (d.Id, d.Accepted, d.Pool, d.Start)), instance.LeaseCount, instance.LeaseIndex, l => source.Leases[l].Id, violations);
        var (jobPool, jobStart) = Decisions(
            instance, "job", "scheduled", plan.Jobs.Select(d => (d.Id, d.Scheduled, d.Pool, d.Start)), instance.JobCount, instance.JobIndex, j => source.Jobs[j].Id, violations);
        return new Assignment([.. leasePool], [.. leaseStart], [.. jobPool], [.. jobStart]);
    }

    /// <summary>
    /// The pool (-1: not placed) and start of each of the <paramref name="count"/> leases or jobs (<paramref name="kind"/>)
    /// the decisions name, recording every decision that names none of them or one twice, and every one left out.
    /// </summary>
    private static (int[] Pool, int[] Start) Decisions(
        CompiledInstance instance, string kind, string placed, IEnumerable<(string Id, bool Placed, string? Pool, int? Start)> decisions, int count,
        Func<string, int> indexOf, Func<int, string> idOf, List<PlanViolation> violations)
    {
        var pools = Enumerable.Repeat(-1, count).ToArray();
        var starts = new int[count];
        var seen = new bool[count];
        foreach (var decision in decisions)
        {
            var b = indexOf(decision.Id);
            if (b < 0)
            {
                violations.Add(new($"unknown-{kind}", $"the plan decides {kind} '{decision.Id}', which the instance does not have."));
                continue;
            }

            if (seen[b])
            {
                violations.Add(new($"duplicate-{kind}", $"{kind} '{decision.Id}' appears more than once in the plan."));
                continue;
            }

            seen[b] = true;
            if (decision.Placed && ResolvePool(instance, decision.Pool, $"{kind} '{decision.Id}'", violations) is { } p)
            {
                pools[b] = p;
                starts[b] = decision.Start ?? 0;
            }
        }

        for (var b = 0; b < count; b++)
        {
            if (!seen[b])
            {
                violations.Add(new($"missing-{kind}", $"{kind} '{idOf(b)}' is not in the plan; every {kind} must appear once, {placed} or not."));
            }
        }

        return (pools, starts);
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
        foreach (var block in instance.Blocks())
        {
            var (pool, start) = a.Placement(block);
            if (pool < 0)
            {
                CheckCommitted(instance, block, violations);
                continue;
            }

            CheckPool(instance, block, pool, violations);
            CheckWindow(instance, block, start, violations);
            CheckChain(instance, a, block, violations);
        }

        var used = Occupancy(instance, a);
        CheckCapacity(instance, a, used, violations);
        var capacity = instance.Capacity.Select(c => (double)c).ToArray();
        var spot = new double[used.Length];
        SpotClearing.Clear(instance, used, capacity, spot);
        var sitePeak = CheckPower(instance, a, used, spot, violations);
        return new PlanEvaluation(a, [.. violations], Objective(instance, a, used, spot), Kpis(instance, a, capacity, spot, sitePeak), [.. used], [.. spot]);
    }

    /// <summary>Signed leases are placed; required jobs are scheduled.</summary>
    private static void CheckCommitted(CompiledInstance instance, Block block, List<PlanViolation> violations)
    {
        if (!instance.IsCommitted(block))
        {
            return;
        }

        var source = instance.Source;
        violations.Add(About(instance, block, block.IsJob
            ? new("required-job", $"required job '{source.Jobs[block.Index].Id}' is not scheduled; required jobs must be.")
            : new("signed-lease", $"signed lease '{source.Leases[block.Index].Id}' ({source.Leases[block.Index].Customer ?? "no customer named"}) is not placed; signed leases must be.")));
    }

    /// <summary>A lease or job runs only on a pool it allows.</summary>
    private static void CheckPool(CompiledInstance instance, Block block, int pool, List<PlanViolation> violations)
    {
        var allowed = instance.Pools(block);
        if (!allowed.Contains(pool))
        {
            var pools = instance.Source.Pools;
            violations.Add(About(instance, block, new(
                block.IsJob ? "job-pool" : "lease-pool",
                $"{Name(instance, block)} may not run on pool '{pools[pool].Id}'; allowed: {string.Join(", ", allowed.Select(i => pools[i].Id))}.")) with { Where = pools[pool].Id });
        }
    }

    /// <summary>A lease starts inside its window; a job starts at or after its earliest start and finishes by its deadline.</summary>
    private static void CheckWindow(CompiledInstance instance, Block block, int start, List<PlanViolation> violations)
    {
        var (earliest, latest) = (instance.EarliestStart(block), instance.LatestStart(block));
        if (start >= earliest && start <= latest)
        {
            return;
        }

        violations.Add(About(instance, block, block.IsJob
            ? new("job-window", $"{Name(instance, block)} starts at {start}; it must start at or after {earliest} and finish by period {instance.JobLastPeriod[block.Index]}, so start by {latest}.")
            : new("lease-window", $"{Name(instance, block)} starts at {start}, outside its window {earliest}..{latest}.")) with
        {
            FirstPeriod = start,
            LastPeriod = start + instance.Periods(block) - 1,
        });
    }

    /// <summary>A job starts only after every job it follows is scheduled and has finished.</summary>
    private static void CheckChain(CompiledInstance instance, Assignment a, Block block, List<PlanViolation> violations)
    {
        var start = a.Placement(block).Start;
        foreach (var predecessor in instance.Predecessors(block))
        {
            var predecessorId = instance.Source.Jobs[predecessor.Index].Id;
            var (pool, predecessorStart) = a.Placement(predecessor);
            var ends = predecessorStart + instance.Periods(predecessor);
            var jobs = new[] { instance.Source.Jobs[block.Index].Id, predecessorId };
            if (pool < 0)
            {
                violations.Add(new("job-chain", $"{Name(instance, block)} runs after '{predecessorId}', which is not scheduled.") { Jobs = jobs });
            }
            else if (start < ends)
            {
                violations.Add(new("job-chain", $"{Name(instance, block)} starts at {start}, before '{predecessorId}' finishes (it ends in period {ends - 1}).")
                {
                    Jobs = jobs,
                    FirstPeriod = start,
                    LastPeriod = ends - 1,
                });
            }
        }
    }

    /// <summary><paramref name="violation"/> naming <paramref name="block"/> as the lease or job involved.</summary>
    private static PlanViolation About(CompiledInstance instance, Block block, PlanViolation violation) => block.IsJob
        ? violation with { Jobs = [instance.Source.Jobs[block.Index].Id] }
        : violation with { Leases = [instance.Source.Leases[block.Index].Id] };

    private static string Name(CompiledInstance instance, Block block) =>
        block.IsJob ? $"job '{instance.Source.Jobs[block.Index].Id}'" : $"lease '{instance.Source.Leases[block.Index].Id}'";

    /// <summary>GPUs placed per pool and period (periods outside the horizon are not counted).</summary>
    private static double[] Occupancy(CompiledInstance instance, Assignment a)
    {
        var T = instance.Periods;
        var used = new double[instance.PoolCount * T];
        foreach (var block in instance.Blocks())
        {
            var (pool, start) = a.Placement(block);
            if (pool < 0)
            {
                continue;
            }

            for (var t = Math.Max(0, start); t < Math.Min(T, start + instance.Periods(block)); t++)
            {
                used[pool * T + t] += instance.Gpus(block);
            }
        }

        return used;
    }

    /// <summary>The contract's objective: lease revenue, expected job value and spot revenue, less power.</summary>
    private static ObjectiveBreakdown Objective(CompiledInstance instance, Assignment a, double[] used, double[] spot)
    {
        var leaseRevenue = Enumerable.Range(0, instance.LeaseCount).Where(l => a.LeasePool[l] >= 0).Sum(l => instance.LeaseRevenue[l]);
        var jobValue = Enumerable.Range(0, instance.JobCount).Where(j => a.JobPool[j] >= 0).Sum(j => instance.JobExpectedValue(j, a.JobStart[j]));
        double spotRevenue = 0, powerCost = 0;
        var T = instance.Periods;
        for (var p = 0; p < instance.PoolCount; p++)
        {
            for (var t = 0; t < T; t++)
            {
                var i = p * T + t;
                spotRevenue += spot[i] * instance.PeriodHours * instance.SpotPrice[t];
                powerCost += (used[i] + spot[i]) * instance.PowerCostPerGpuPeriod[p];
            }
        }

        return new ObjectiveBreakdown(leaseRevenue, jobValue, spotRevenue, powerCost);
    }

    private static PlanKpis Kpis(CompiledInstance instance, Assignment a, double[] capacity, double[] spot, ImmutableArray<double> sitePeak)
    {
        var hours = instance.PeriodHours;
        double GpuHours(Block block) => (double)instance.Gpus(block) * instance.Periods(block) * hours;
        var placed = instance.Blocks().Where(b => a.Placement(b).Pool >= 0).ToList();
        return new PlanKpis(
            placed.Count(b => !b.IsJob && !instance.IsCommitted(b)),
            instance.LeaseSigned.Count(s => !s),
            instance.LeaseSigned.Count(s => s),
            placed.Count(b => b.IsJob),
            instance.JobCount,
            placed.Where(b => !b.IsJob).Sum(GpuHours),
            placed.Where(b => b.IsJob).Sum(GpuHours),
            spot.Sum(gpus => gpus * hours),
            capacity.Sum() * hours,
            sitePeak);
    }

    /// <summary>used[p,t] &lt;= capacity[p,t]; consecutive overfull periods are reported as one violation.</summary>
    private static void CheckCapacity(CompiledInstance instance, Assignment a, double[] used, List<PlanViolation> violations)
    {
        var T = instance.Periods;
        for (var p = 0; p < instance.PoolCount; p++)
        {
            var pool = p;
            foreach (var (first, last) in Runs(T, t => !CapacityLedger.WithinCapacity(used[pool * T + t], instance.CapacityAt(pool, t))))
            {
                var periods = Enumerable.Range(first, last - first + 1)
                    .Select(t => new PeriodExcess(t, instance.CapacityAt(pool, t), used[pool * T + t], used[pool * T + t] - instance.CapacityAt(pool, t)))
                    .ToList();
                var id = instance.Source.Pools[p].Id;
                violations.Add(Involving(instance, a, b => a.Placement(b).Pool == pool, first, last, new PlanViolation(
                    "pool-capacity",
                    $"pool '{id}' is overbooked in periods {first}..{last} by up to {Figures.Whole(periods.Max(x => x.Excess))} GPUs: "
                    + string.Join("; ", periods.Select(x => $"period {x.Period}: {Figures.Whole(x.Use)} GPUs placed on {Figures.Whole(x.Limit)} ({Figures.Whole(x.Excess)} over)"))
                    + ".")
                {
                    Where = id,
                    Periods = periods,
                }));
            }
        }
    }

    /// <summary>
    /// <paramref name="violation"/> with the leases and jobs that <paramref name="on"/> selects and that run in any of
    /// periods <paramref name="first"/>..<paramref name="last"/>, named in its message as what to move.
    /// </summary>
    private static PlanViolation Involving(CompiledInstance instance, Assignment a, Func<Block, bool> on, int first, int last, PlanViolation violation)
    {
        var involved = instance.Blocks().Where(b => a.Placement(b) is var (pool, start) && pool >= 0 && on(b) && start <= last && start + instance.Periods(b) > first).ToList();
        var leases = involved.Where(b => !b.IsJob).Select(b => instance.Source.Leases[b.Index].Id).ToList();
        var jobs = involved.Where(b => b.IsJob).Select(b => instance.Source.Jobs[b.Index].Id).ToList();
        var named = string.Join("; ", new[]
        {
            leases.Count == 0 ? null : $"lease{(leases.Count == 1 ? "" : "s")} {string.Join(", ", leases.Select(l => $"'{l}'"))}",
            jobs.Count == 0 ? null : $"job{(jobs.Count == 1 ? "" : "s")} {string.Join(", ", jobs.Select(j => $"'{j}'"))}",
        }.OfType<string>());
        return violation with
        {
            Message = $"{violation.Message} Placed there then: {named}; move or drop one of them.",
            FirstPeriod = first,
            LastPeriod = last,
            Leases = leases,
            Jobs = jobs,
        };
    }

    /// <summary>The maximal runs of consecutive periods for which <paramref name="broken"/> holds.</summary>
    private static IEnumerable<(int First, int Last)> Runs(int periods, Func<int, bool> broken)
    {
        var t = 0;
        while (t < periods)
        {
            if (!broken(t))
            {
                t++;
                continue;
            }

            var first = t;
            while (t < periods && broken(t))
            {
                t++;
            }

            yield return (first, t - 1);
        }
    }

    /// <summary>Site power including spot must stay within the cap; returns each site's peak draw in MW.</summary>
    private static ImmutableArray<double> CheckPower(CompiledInstance instance, Assignment a, double[] used, double[] spot, List<PlanViolation> violations)
    {
        var T = instance.Periods;
        var peaks = new double[instance.SiteCount];
        for (var s = 0; s < instance.SiteCount; s++)
        {
            var site = s;
            var draw = Enumerable.Range(0, T).Select(t => Enumerable.Range(0, instance.PoolCount)
                .Where(p => instance.PoolSite[p] == site)
                .Sum(p => (used[p * T + t] + spot[p * T + t]) * instance.KwPerGpu[p] / 1000)).ToArray();
            peaks[s] = draw.Length == 0 ? 0 : draw.Max();
            foreach (var (first, last) in Runs(T, t => !CapacityLedger.WithinPowerCap(draw[t], instance.PowerCapMw[site * T + t])))
            {
                var periods = Enumerable.Range(first, last - first + 1)
                    .Select(t => new PeriodExcess(t, instance.PowerCapMw[site * T + t], draw[t], draw[t] - instance.PowerCapMw[site * T + t]))
                    .ToList();
                var id = instance.Source.Sites[s].Id;
                violations.Add(Involving(instance, a, b => instance.PoolSite[a.Placement(b).Pool] == site, first, last, new PlanViolation(
                    "site-power",
                    $"site '{id}' draws up to {periods.Max(x => x.Excess).ToString("N3", CultureInfo.InvariantCulture)} MW over its cap in periods {first}..{last}: "
                    + string.Join("; ", periods.Select(x => string.Create(CultureInfo.InvariantCulture, $"period {x.Period}: {x.Use:N3} MW on a cap of {x.Limit:N3}")))
                    + ".")
                {
                    Where = id,
                    Periods = periods,
                }));
            }
        }

        return [.. peaks];
    }
}
