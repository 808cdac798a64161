namespace Allocator.Kernels.Tests;

/// <summary>
/// The kernels score pairs in tiles of scenarios (<see cref="BulkScorer.PairAt"/>): every pair has exactly one slot,
/// a warp's slots are one plan against consecutive scenarios, and the warps of a tile take consecutive plans.
/// </summary>
public sealed class PairOrderTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 70)]
    [InlineData(5, 64)]
    [InlineData(7, 31)]
    [InlineData(2, 33)]
    public void Every_pair_has_exactly_one_slot(int plans, int scenarios)
    {
        var p = default(ScoreParams) with { Plans = plans, Scenarios = scenarios };
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
    public void A_warp_scores_one_plan_and_the_next_warp_the_next_plan_on_the_same_scenarios()
    {
        var p = default(ScoreParams) with { Plans = 4, Scenarios = 100 };
        var tile = BulkScorer.ScenarioTile;
        for (var warp = 0; warp < 8; warp++)
        {
            var pairs = Enumerable.Range(0, tile).Select(lane => BulkScorer.PairAt((warp * tile) + lane, p)).ToList();
            Assert.All(pairs, pair => Assert.Equal(warp % 4, pair / 100));
            Assert.Equal(Enumerable.Range(warp / 4 * tile, tile), pairs.Select(pair => (int)(pair % 100)));
        }
    }
}
