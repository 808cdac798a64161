using System.Collections.Immutable;
using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Randomness;

namespace Allocator.Solver.Tests;

/// <summary>
/// Tiny, tight random instances (capacity, power and chains all bind) and their true optimum by exhaustive
/// enumeration of every decision, scored by the evaluator: the independent truth the exact models are held to.
/// </summary>
internal static class SmallInstances
{
    public static Instance Random(ulong seed)
    {
        var rng = new SplitMix64(seed);
        var T = rng.Between(3, 5);
        var pools = ImmutableArray.Create(
            new Pool("a", "s", "H100", rng.Between(4, 10) * 100, 1.4, [new Delivery(rng.Between(1, T - 1), rng.Between(0, 4) * 100)]),
            new Pool("b", rng.Chance(0.5) ? "s" : "r", "H200", rng.Between(3, 8) * 100, 2.0, []));
        var sites = ImmutableArray.Create(
            new Site("s", rng.Chance(0.6) ? [.. Enumerable.Range(0, T).Select(_ => rng.Uniform(0.8, 2.2))] : null, rng.Between(30, 90)),
            new Site("r", null, 40));
        var leases = Enumerable.Range(0, 3).Select(l =>
        {
            var periods = rng.Between(1, T - 1);
            var earliest = rng.Between(0, T - periods);
            return new Lease(
                $"l{l}", null, l == 0 && rng.Chance(0.4) ? LeaseStatus.Signed : LeaseStatus.Offer,
                rng.Between(1, 6) * 100, periods, earliest, Math.Min(T - periods, earliest + rng.Between(0, 1)),
                rng.Chance(0.5) ? [rng.Chance(0.5) ? "a" : "b"] : null,
                Math.Round(rng.Uniform(1.0, 3.0), 2), 0);
        }).ToImmutableArray();
        var jobs = Enumerable.Range(0, 2).Select(j =>
        {
            var periods = rng.Between(1, 2);
            return new Job(
                $"j{j}", rng.Between(1, 6) * 100, periods, 0, rng.Chance(0.5) ? null : rng.Between(periods, T - 1),
                null, rng.Between(1, 40) * 10_000, rng.Between(0, 5) * 5_000, Math.Round(rng.Uniform(0.3, 1), 2), false,
                j == 1 && rng.Chance(0.5) ? ["j0"] : []);
        }).ToImmutableArray();
        var spot = rng.Chance(0.8) ? new SpotMarket(Math.Round(rng.Uniform(0.5, 2.0), 2), Math.Round(rng.Uniform(0.2, 1.0), 2)) : null;
        return new Instance($"small-{seed}", new Horizon(new DateOnly(2026, 7, 6), T, rng.Between(1, 168)), sites, pools, leases, jobs, spot, null);
    }

    /// <summary>
    /// The best objective (less <paramref name="charge"/> of the plan, when given) over every feasible assignment, or
    /// null when none is feasible.
    /// </summary>
    public static double? OptimumByEnumeration(CompiledInstance instance, Func<Assignment, double>? charge = null, Assignment? fixedPlan = null, Func<bool, int, bool>? isFree = null)
    {
        // With a fixed plan, items that are not free have one choice: where that plan has them (or left out).
        List<(int Pool, int Start)> Fixed(bool isLease, int i, List<(int Pool, int Start)> all) =>
            fixedPlan is null || isFree!(isLease, i) ? all
            : [isLease ? (fixedPlan.LeasePool[i], fixedPlan.LeasePool[i] >= 0 ? fixedPlan.LeaseStart[i] : 0) : (fixedPlan.JobPool[i], fixedPlan.JobPool[i] >= 0 ? fixedPlan.JobStart[i] : 0)];
        var leaseChoices = Enumerable.Range(0, instance.LeaseCount).Select(l => Fixed(true, l, Choices(
            instance.LeasePools[l], instance.LeaseEarliestStart[l], instance.LeaseLatestStart[l], !instance.LeaseSigned[l]))).ToArray();
        var jobChoices = Enumerable.Range(0, instance.JobCount).Select(j => Fixed(false, j, Choices(
            instance.JobPools[j], instance.JobEarliestStart[j], instance.JobLatestStart(j), !instance.JobRequired[j]))).ToArray();
        var leasePool = new int[instance.LeaseCount];
        var leaseStart = new int[instance.LeaseCount];
        var jobPool = new int[instance.JobCount];
        var jobStart = new int[instance.JobCount];
        double? best = null;
        Enumerate(0);
        return best;

        void Enumerate(int item)
        {
            if (item == instance.LeaseCount + instance.JobCount)
            {
                var plan = new Assignment([.. leasePool], [.. leaseStart], [.. jobPool], [.. jobStart]);
                var evaluation = PlanEvaluator.Evaluate(instance, plan);
                var score = evaluation.Objective.Total - (charge?.Invoke(plan) ?? 0);
                if (evaluation.IsFeasible && (best is null || score > best))
                {
                    best = score;
                }

                return;
            }

            var isJob = item >= instance.LeaseCount;
            var index = isJob ? item - instance.LeaseCount : item;
            foreach (var (pool, start) in isJob ? jobChoices[index] : leaseChoices[index])
            {
                if (isJob) { (jobPool[index], jobStart[index]) = (pool, start); }
                else { (leasePool[index], leaseStart[index]) = (pool, start); }
                Enumerate(item + 1);
            }
        }
    }

    private static List<(int Pool, int Start)> Choices(ImmutableArray<int> pools, int earliest, int latest, bool mayReject)
    {
        var choices = mayReject ? new List<(int, int)> { (-1, 0) } : [];
        foreach (var p in pools)
        {
            for (var s = earliest; s <= latest; s++)
            {
                choices.Add((p, s));
            }
        }

        return choices;
    }
}
