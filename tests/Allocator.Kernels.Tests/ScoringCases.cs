using System.Collections.Immutable;
using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Planning;
using Allocator.Core.Randomness;

namespace Allocator.Kernels.Tests;

/// <summary>Instances and plans for scorer tests: generated fleets with every uncertainty source, greedy plans and random (often overbooked) ones.</summary>
internal static class ScoringCases
{
    /// <summary>
    /// A small generated fleet. Seeds 2 and 3 add the closed loop's fields: seed 2 a spot price per period and jobs with
    /// milestones; seed 3 offers announced later (arriving with probability 0.6) and milestones. Seed 4 has seven pools,
    /// six of them at one site (the generator puts at most three at a site), so a site's spot order spans words.
    /// </summary>
    public static CompiledInstance Instance(ulong seed, Uncertainty? uncertainty = null, bool withUncertainty = true)
    {
        var options = new GeneratorOptions(seed == 4 ? 7 : 3, 14, 6, 8, seed, Uncertainty: withUncertainty)
        {
            AnnouncedShare = seed == 3 ? 0.6 : 0,
            MilestoneShare = seed is 2 or 3 ? 0.6 : 0,
        };
        var generated = InstanceGenerator.Generate(options);
        if (uncertainty is not null)
        {
            generated = generated with { Uncertainty = uncertainty };
        }

        if (seed == 2 && generated.Spot is { } spot)
        {
            ImmutableArray<double> prices = [.. Enumerable.Range(0, generated.Horizon.Periods).Select(t => spot.PricePerGpuHour * (0.6 + 0.15 * t))];
            generated = generated with { Spot = spot with { PricePerGpuHour = prices.Average(), PriceByPeriod = prices } };
        }

        if (seed == 4)
        {
            generated = generated with { Pools = [.. generated.Pools.Select((pool, i) => i < 6 ? pool with { Site = generated.Sites[0].Id } : pool)] };
        }

        // Tighten one site's power so the spot knapsack and job admission meet the cap.
        var sites = generated.Sites.SetItem(0, generated.Sites[0] with { PowerCapMw = [.. generated.Sites[0].PowerCapMw!.Value.Select(c => c * 0.6)] });
        return new CompiledInstance(generated with { Sites = sites });
    }

    public static IReadOnlyList<Assignment> Plans(CompiledInstance instance, ulong seed, int count)
    {
        var plans = new List<Assignment>();
        if (GreedyPlanner.Plan(instance) is { } greedy)
        {
            plans.Add(greedy);
        }

        var rng = new SplitMix64(seed);
        while (plans.Count < count)
        {
            plans.Add(Random(instance, ref rng));
        }

        return plans;
    }

    /// <summary>Each lease and job placed with probability 0.7 at a random allowed pool and start: overbooking included.</summary>
    public static Assignment Random(CompiledInstance instance, ref SplitMix64 rng)
    {
        var leasePool = new int[instance.LeaseCount];
        var leaseStart = new int[instance.LeaseCount];
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            var pools = instance.LeasePools[l];
            leasePool[l] = rng.Chance(0.7) ? pools[rng.Between(0, pools.Length - 1)] : -1;
            leaseStart[l] = rng.Between(instance.LeaseEarliestStart[l], instance.LeaseLatestStart[l]);
        }

        var jobPool = new int[instance.JobCount];
        var jobStart = new int[instance.JobCount];
        for (var j = 0; j < instance.JobCount; j++)
        {
            var pools = instance.JobPools[j];
            jobPool[j] = rng.Chance(0.7) ? pools[rng.Between(0, pools.Length - 1)] : -1;
            jobStart[j] = rng.Between(instance.JobEarliestStart[j], instance.JobLatestStart(j));
        }

        return new Assignment([.. leasePool], [.. leaseStart], [.. jobPool], [.. jobStart]);
    }

    public static ImmutableArray<double> Parts(Core.Scenarios.ScenarioOutcome o) =>
        [o.LeaseRevenue, o.Penalty, o.JobValue, o.SpotRevenue, o.PowerCost, o.ShortGpuHours];

    /// <summary>
    /// Seven pools at three sites, dealt round by the generator (pool p at site p mod 3), so each site's pools lie apart
    /// in the instance's order; every uncertainty source on, and each site's power cut to 60% so that it binds.
    /// </summary>
    public static CompiledInstance InterleavedSites()
    {
        var generated = InstanceGenerator.Generate(new GeneratorOptions(7, 20, 8, 10, 5, Uncertainty: true));
        return new CompiledInstance(generated with
        {
            Sites = [.. generated.Sites.Select(site => site with { PowerCapMw = [.. site.PowerCapMw!.Value.Select(c => c * 0.6)] })],
        });
    }
}
