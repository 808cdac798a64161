using System.Collections.Immutable;
using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Randomness;

namespace Allocator.Tests;

/// <summary>
/// Tiny, tight random instances (capacity, power and chains all bind) and their true optimum by exhaustive
/// enumeration of every decision, scored by the evaluator: the independent truth the exact models and the scorers are
/// held to. Shared by the test projects (linked into each).
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
    /// Tiny instances built to reach the contract's corners that <see cref="Random"/> leaves out: required jobs (so some
    /// instances have no plan), jobs that may not start at once and are held to one pool, a job after two others, GPUs
    /// retired mid-horizon, a period with no power at one site, pools whose spot margin is zero or negative, offers
    /// priced below their power cost, a signed lease free to go to either pool, sell-through of 0 or 1, and spot priced
    /// per period. Valid by the
    /// contract's rules (a test checks that).
    /// </summary>
    public static Instance Unusual(ulong seed)
    {
        var rng = new SplitMix64(SplitMix64.Mix(seed ^ 0x0DDC0FFEEUL));
        var T = rng.Between(3, 5);
        var retireAt = rng.Between(1, T - 1);
        var pools = ImmutableArray.Create(
            new Pool("a", "s", "H100", rng.Between(4, 9) * 100, 1.4, [new Delivery(retireAt, -rng.Between(1, 3) * 100)]),
            new Pool("b", rng.Chance(0.5) ? "s" : "r", "GB200", rng.Between(2, 6) * 100, 2.5, rng.Chance(0.5) ? [new Delivery(rng.Between(1, T - 1), 300)] : []));
        // Site s has a period with no power at all; its other periods bind or not at random.
        var dark = rng.Between(0, T - 1);
        var sites = ImmutableArray.Create(
            new Site("s", [.. Enumerable.Range(0, T).Select(t => t == dark ? 0 : Math.Round(rng.Uniform(0.5, 2.0), 2))], rng.Between(30, 400)),
            new Site("r", rng.Chance(0.5) ? [.. Enumerable.Range(0, T).Select(_ => Math.Round(rng.Uniform(0.3, 1.5), 2))] : null, rng.Between(0, 400)));
        var leases = Enumerable.Range(0, 3).Select(l =>
        {
            var periods = rng.Between(1, T - 1);
            var earliest = rng.Between(0, T - periods);
            // Prices from well below to above the power cost of a GPU-hour (up to 2.5 kW x 400 USD/MWh = 1 USD).
            return new Lease(
                $"l{l}", null, l == 0 && rng.Chance(0.3) ? LeaseStatus.Signed : LeaseStatus.Offer,
                rng.Between(1, 4) * 100, periods, earliest, Math.Min(T - periods, earliest + rng.Between(0, 1)),
                rng.Chance(0.5) ? null : [rng.Chance(0.5) ? "a" : "b"],
                Math.Round(rng.Uniform(0.05, 2.5), 2), rng.Uniform(0, 3));
        }).ToImmutableArray();
        var jobs = Enumerable.Range(0, 3).Select(j =>
        {
            var periods = 1;
            var earliest = rng.Between(0, 1);
            // Windows of at most three starts keep the enumeration small.
            var deadline = Math.Min(T - 1, earliest + rng.Between(0, 2));
            // The last job is worth most and usually needs both others first, so the chain rows decide the optimum.
            ImmutableArray<string> after = j == 2 ? [.. new[] { "j0", "j1" }.Where(_ => rng.Chance(0.8))] : [];
            var value = j == 2 ? rng.Between(20, 40) * 10_000 : rng.Between(0, 10) * 10_000;
            return new Job(
                $"j{j}", rng.Between(1, 5) * 100, periods, earliest, deadline,
                rng.Chance(0.5) ? null : [rng.Chance(0.5) ? "a" : "b"], value, rng.Between(0, 5) * 5_000,
                Math.Round(rng.Uniform(0, 1), 2), rng.Chance(0.25), after);
        }).ToImmutableArray();
        var spot = rng.Chance(0.85)
            ? new SpotMarket(Math.Round(rng.Uniform(0.05, 1.5), 2), rng.Chance(0.2) ? (rng.Chance(0.5) ? 0 : 1) : Math.Round(rng.Uniform(0.1, 1.0), 2))
            : null;
        var hours = rng.Between(1, 168);

        // Half of them price spot per period, from below a GPU's power cost to well above it: margins that come and go.
        if (spot is not null && rng.Chance(0.5))
        {
            ImmutableArray<double> prices = [.. Enumerable.Range(0, T).Select(_ => Math.Round(rng.Uniform(0.05, 1.5), 2))];
            spot = spot with { PricePerGpuHour = prices.Average(), PriceByPeriod = prices };
        }

        return new Instance($"unusual-{seed}", new Horizon(new DateOnly(2026, 7, 6), T, hours), sites, pools, leases, jobs, spot, null);
    }

    /// <summary>
    /// The best objective (less <paramref name="charge"/> of the plan, when given) over every feasible assignment, or
    /// null when none is feasible.
    /// </summary>
    public static double? OptimumByEnumeration(CompiledInstance instance, Func<Assignment, double>? charge = null, Assignment? fixedPlan = null, Func<Block, bool>? isFree = null)
    {
        double? best = null;
        foreach (var plan in Assignments(instance, fixedPlan, isFree))
        {
            var evaluation = PlanEvaluator.Evaluate(instance, plan);
            var score = evaluation.Objective.Total - (charge?.Invoke(plan) ?? 0);
            if (evaluation.IsFeasible && (best is null || score > best))
            {
                best = score;
            }
        }

        return best;
    }

    /// <summary>
    /// Every assignment of the instance's decisions, feasible or not: each lease and job left out (where it may be) or
    /// placed on each allowed pool at each allowed start. With <paramref name="fixedPlan"/>, only the blocks
    /// <paramref name="isFree"/> says vary; the others stay where that plan has them.
    /// </summary>
    public static IEnumerable<Assignment> Assignments(CompiledInstance instance, Assignment? fixedPlan = null, Func<Block, bool>? isFree = null)
    {
        List<(int Pool, int Start)> Fixed(bool isLease, int i, List<(int Pool, int Start)> all) =>
            fixedPlan is null || isFree!(isLease ? Block.Lease(i) : Block.Job(i)) ? all
            : [isLease ? (fixedPlan.LeasePool[i], fixedPlan.LeasePool[i] >= 0 ? fixedPlan.LeaseStart[i] : 0) : (fixedPlan.JobPool[i], fixedPlan.JobPool[i] >= 0 ? fixedPlan.JobStart[i] : 0)];
        var choices = Enumerable.Range(0, instance.LeaseCount).Select(l => Fixed(true, l, Choices(
                instance.LeasePools[l], instance.LeaseEarliestStart[l], instance.LeaseLatestStart[l], !instance.LeaseSigned[l])))
            .Concat(Enumerable.Range(0, instance.JobCount).Select(j => Fixed(false, j, Choices(
                instance.JobPools[j], instance.JobEarliestStart[j], instance.JobLatestStart(j), !instance.JobRequired[j]))))
            .ToArray();
        if (choices.Any(c => c.Count == 0))
        {
            yield break; // an item that must be placed and has nowhere to go: no assignment at all
        }

        var picked = new int[choices.Length];
        while (true)
        {
            var (leases, jobs) = (instance.LeaseCount, instance.JobCount);
            yield return new Assignment(
                [.. Enumerable.Range(0, leases).Select(l => choices[l][picked[l]].Pool)], [.. Enumerable.Range(0, leases).Select(l => choices[l][picked[l]].Start)],
                [.. Enumerable.Range(0, jobs).Select(j => choices[leases + j][picked[leases + j]].Pool)], [.. Enumerable.Range(0, jobs).Select(j => choices[leases + j][picked[leases + j]].Start)]);

            // The next choice, as an odometer: the last item turns fastest.
            var item = choices.Length - 1;
            while (item >= 0 && ++picked[item] == choices[item].Count)
            {
                picked[item--] = 0;
            }

            if (item < 0)
            {
                yield break;
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
