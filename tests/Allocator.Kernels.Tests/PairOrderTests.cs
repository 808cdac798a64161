namespace Allocator.Kernels.Tests;

/// <summary>
/// The kernels order pairs in tiles of scenarios and groups of plans (<see cref="BulkScorer.PairAt"/>): every pair has
/// exactly one slot whatever the group, a warp's slots are one plan against consecutive scenarios, and the warps of a
/// group take turns on one tile before the next.
/// </summary>
public sealed class PairOrderTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 70, 1)]
    [InlineData(3, 70, 2)]
    [InlineData(5, 64, 5)]
    [InlineData(5, 64, 8)]
    [InlineData(7, 31, 3)]
    [InlineData(2, 33, 1)]
    public void Every_pair_has_exactly_one_slot(int plans, int scenarios, int plansPerTile)
    {
        var p = default(ScoreParams) with { Plans = plans, Scenarios = scenarios, PlansPerTile = plansPerTile };
        var seen = new int[plans * scenarios];
        for (var slot = 0L; slot < BulkScorer.Slots(p); slot++)
        {
            if (BulkScorer.PairAt(slot, p) is var pair and >= 0)
            {
                seen[pair]++;
            }
        }

        Assert.All(seen, count => Assert.Equal(1, count));
        Assert.Equal(0, BulkScorer.Slots(p) % BulkScorer.ScenarioTile);
    }

    [Fact]
    public void One_plan_per_tile_is_the_order_of_the_pairs()
    {
        var p = default(ScoreParams) with { Plans = 3, Scenarios = 96, PlansPerTile = 1 };
        Assert.Equal(Enumerable.Range(0, 3 * 96).Select(i => (long)i), Enumerable.Range(0, 3 * 96).Select(slot => BulkScorer.PairAt(slot, p)));
    }

    [Fact]
    public void The_warps_of_a_group_score_its_plans_on_one_tile_before_the_next()
    {
        var p = default(ScoreParams) with { Plans = 4, Scenarios = 100, PlansPerTile = 2 };
        var tile = BulkScorer.ScenarioTile;
        (int Plan, int FirstScenario)[] expected = [(0, 0), (1, 0), (0, 32), (1, 32), (0, 64), (1, 64), (0, 96), (1, 96), (2, 0), (3, 0)];
        for (var warp = 0; warp < expected.Length; warp++)
        {
            var pairs = Enumerable.Range(0, tile).Select(lane => BulkScorer.PairAt((warp * tile) + lane, p)).Where(pair => pair >= 0).ToList();
            Assert.All(pairs, pair => Assert.Equal(expected[warp].Plan, pair / 100));
            Assert.Equal(expected[warp].FirstScenario, pairs.Min(pair => pair % 100));
        }
    }
}
