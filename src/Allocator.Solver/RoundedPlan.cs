using System.Collections.Immutable;
using Allocator.Core.Evaluation;
using Allocator.Core.Planning;

namespace Allocator.Solver;

/// <summary>
/// A start plan from the LP relaxation: the placements the LP trusts most go in first, each where the LP puts most of
/// its lease or job, as long as capacity, power and chains allow; the greedy planner then places the commitments left
/// and fills the rest by value. Where the greedy order goes wrong early (an offer that blocks better ones later, a job
/// placed where it strands a chain) the LP's shares see the whole horizon at once; where the LP is far from whole, its
/// rounding can be worse than greedy, so the start keeps whichever plan is worth more (benchmarks/RESULTS.md).
/// </summary>
internal static class RoundedPlan
{
    /// <summary>
    /// The lowest share a placement needs to go in before the greedy fill, tried in turn: placements the LP takes whole,
    /// nearly whole, more than half, and every placement it uses at all.
    /// </summary>
    private static readonly double[] Thresholds = [0.99, 0.9, 0.5, 1e-6];

    /// <summary>The best feasible plan of the roundings at <see cref="Thresholds"/>, or null when none is feasible.</summary>
    public static PlanEvaluation? Best(PlacementCatalog catalog, LpRelaxation relaxation)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(relaxation);
        var byShare = Placements(catalog, relaxation);
        return Thresholds
            .Select(threshold => GreedyPlanner.BestPlan(catalog.Instance, keep: Placed(catalog.Instance, byShare.Where(p => p.Share >= threshold))))
            .OfType<PlanEvaluation>()
            .OrderByDescending(plan => plan.Objective.Total)
            .FirstOrDefault();
    }

    /// <summary>Every placement the LP uses, the largest share first (ties: the one worth more).</summary>
    private static List<(Block Block, PlacementOption Option, double Share)> Placements(PlacementCatalog catalog, LpRelaxation relaxation)
    {
        IEnumerable<(Block, PlacementOption, double)> Of(ImmutableArray<ImmutableArray<PlacementOption>> options, double[][] shares, Func<int, Block> block) =>
            options.SelectMany((choices, i) => choices.Select((option, k) => (block(i), option, shares[i][k])));

        return [.. Of(catalog.Leases, relaxation.LeaseShares, Block.Lease).Concat(Of(catalog.Jobs, relaxation.JobShares, Block.Job))
            .Where(p => p.Item3 > 0)
            .OrderByDescending(p => p.Item3).ThenByDescending(p => p.Item2.NetValue)];
    }

    /// <summary>
    /// The placements that fit, in the order given, each lease or job once: capacity and power by the ledger, and a job only
    /// after every job it follows has been placed to finish before it and before every placed job that follows it.
    /// Passes repeat while they place something, so a job listed before the job it follows still goes in.
    /// </summary>
    private static Assignment Placed(CompiledInstance instance, IEnumerable<(Block Block, PlacementOption Option, double Share)> placements)
    {
        var ledger = new CapacityLedger(instance);
        var placed = new Dictionary<Block, PlacementOption>();
        var waiting = placements.ToList();
        for (var pass = 0; pass < 1 + instance.JobCount && waiting.Count > 0; pass++)
        {
            var before = placed.Count;
            foreach (var (block, option, _) in waiting)
            {
                var (gpus, periods) = (instance.Gpus(block), instance.Periods(block));
                if (!placed.ContainsKey(block) && InChain(instance, placed, block, option.Start) && ledger.Fits(option.Pool, option.Start, periods, gpus))
                {
                    ledger.Add(option.Pool, option.Start, periods, gpus);
                    placed[block] = option;
                }
            }

            waiting.RemoveAll(p => placed.ContainsKey(p.Block));
            if (placed.Count == before)
            {
                break;
            }
        }

        return Assignment(instance, placed);
    }

    /// <summary>Whether <paramref name="block"/> starting at <paramref name="start"/> keeps every chain with what is placed.</summary>
    private static bool InChain(CompiledInstance instance, Dictionary<Block, PlacementOption> placed, Block block, int start)
    {
        if (!block.IsJob)
        {
            return true;
        }

        var end = start + instance.JobPeriods[block.Index];
        return instance.Predecessors(block).All(before => placed.TryGetValue(before, out var at) && at.Start + instance.Periods(before) <= start)
            && placed.All(p => !p.Key.IsJob || !instance.JobAfter[p.Key.Index].Contains(block.Index) || end <= p.Value.Start);
    }

    private static Assignment Assignment(CompiledInstance instance, Dictionary<Block, PlacementOption> placed)
    {
        var leasePool = Enumerable.Repeat(-1, instance.LeaseCount).ToArray();
        var leaseStart = instance.LeaseEarliestStart.ToArray();
        var jobPool = Enumerable.Repeat(-1, instance.JobCount).ToArray();
        var jobStart = instance.JobEarliestStart.ToArray();
        foreach (var (block, option) in placed)
        {
            (block.IsJob ? jobPool : leasePool)[block.Index] = option.Pool;
            (block.IsJob ? jobStart : leaseStart)[block.Index] = option.Start;
        }

        return new Assignment([.. leasePool], [.. leaseStart], [.. jobPool], [.. jobStart]);
    }
}
