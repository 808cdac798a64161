using System.Collections.Immutable;
using Allocator.Core.Evaluation;
using Allocator.Core.Planning;

namespace Allocator.Solver;

/// <summary>
/// A start plan from the LP relaxation: the placements the LP trusts most go in first, each where the LP puts most of
/// its lease or job, as long as capacity, power and chains allow (the greedy planner's own rules,
/// <see cref="GreedyPlanner.BestPlan(CompiledInstance, IReadOnlyList{ValueTuple{Block, int, int}})"/>); the greedy
/// planner then places the commitments left and fills the rest by value. Where the greedy order goes wrong early (an
/// offer that blocks better ones later, a job placed where it strands a chain) the LP's shares see the whole horizon at
/// once; where the LP is far from whole, its rounding can be worse than greedy, so the start keeps whichever plan is
/// worth more (benchmarks/RESULTS.md).
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
            .Select(threshold => GreedyPlanner.BestPlan(catalog.Instance, [.. byShare.Where(p => p.Share >= threshold).Select(p => (p.Block, p.Option.Pool, p.Option.Start))]))
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
}
