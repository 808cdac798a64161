using System.Numerics;
using Allocator.Core.Evaluation;
using Allocator.Core.Generation;

namespace Allocator.Kernels.Tests;

/// <summary>
/// The SIMD-lane CPU path against the scalar one, at each width: the same operations per lane, so equal doubles (a zero
/// may differ in sign). 512-bit lanes run emulated where the machine lacks AVX-512: slower, the same numbers.
/// </summary>
public sealed class LanePathTests
{
    public static TheoryData<int, int, int, int, ulong, LaneWidth> Shapes()
    {
        var shapes = new TheoryData<int, int, int, int, ulong, LaneWidth>();
        foreach (var width in new[] { LaneWidth.Vector512, LaneWidth.Vector, LaneWidth.TwinVector, LaneWidth.TwinVector512 })
        {
            // pools, leases, jobs, periods, seed: uncertainty on (volatile spot prices reorder pools by lane).
            shapes.Add(6, 120, 20, 26, 1, width);
            shapes.Add(3, 30, 12, 16, 7, width);
            shapes.Add(8, 60, 6, 20, 11, width);
        }

        return shapes;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Lanes_give_exactly_the_scalar_paths_numbers_for_any_scenario_count(int pools, int leases, int jobs, int periods, ulong seed, LaneWidth lanesAs)
    {
        var instance = new CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(pools, leases, jobs, periods, seed, Uncertainty: true)));
        var plans = ScoringCases.Plans(instance, seed, 5);
        using var lanes = BulkScorer.Create(ScoringDevice.Cpu, options: new ScorerOptions(CpuLaneWidth: lanesAs));
        using var scalar = BulkScorer.Create(ScoringDevice.Cpu, options: new ScorerOptions(CpuLanes: false));
        var width = lanesAs switch
        {
            LaneWidth.Vector512 => "8 SIMD lanes of 512 bits",
            LaneWidth.Vector => $"{VectorLanes.Count} SIMD lanes of {VectorLanes.Bits} bits",
            LaneWidth.TwinVector512 => "16 SIMD lanes of 2 x 512 bits",
            _ => $"{2 * VectorLanes.Count} SIMD lanes of 2 x {VectorLanes.Bits} bits",
        };
        Assert.Equal(Vector.IsHardwareAccelerated, lanes.Description.Contains(width, StringComparison.Ordinal));

        // 37: not a multiple of any lane width, so the last block is partly padding.
        foreach (var scenarios in new[] { 1, 37, 200 })
        {
            var a = lanes.Score(instance, plans, seed: 5, scenarios, scenarioOffset: 3);
            var b = scalar.Score(instance, plans, seed: 5, scenarios, scenarioOffset: 3);
            AssertSameNumbers(b, a, plans.Count, scenarios, width);
        }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 4, 10)]
    [InlineData(7, 5, 7)]
    [InlineData(100, 3, 5)]
    [InlineData(4, 2, 9)]
    public void Tiles_of_plans_take_every_block_and_plan_once_a_tile_at_a_time(int tile, int blocks, int plans)
    {
        var seen = new HashSet<(int Block, int Plan)>();
        var lastTile = 0;
        for (long unit = 0; unit < (long)blocks * plans; unit++)
        {
            var (block, plan) = LaneBlocks.Unit(unit, tile, blocks, plans);
            Assert.InRange(block, 0, blocks - 1);
            Assert.InRange(plan, 0, plans - 1);
            Assert.True(seen.Add((block, plan)), $"unit {unit}: block {block}, plan {plan} came twice");
            Assert.True(plan / tile >= lastTile, $"unit {unit}: plan {plan} is in a tile before the one being scored");
            lastTile = plan / tile;
        }

        Assert.Equal(blocks * plans, seen.Count);
    }

    [Fact]
    public void Lanes_over_several_tiles_of_plans_give_the_scalar_paths_numbers()
    {
        // Large plans (8 pools x 40 periods of lease cells) make small tiles: two tiles and three plans more.
        var instance = new CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(8, 60, 10, 40, 3, Uncertainty: true)));
        var tile = LaneBlocks.PlansPerTile(ScoreParams.For(instance, plans: 1000, scenarios: 37, scenarioOffset: 0, seed: 5));
        Assert.InRange(tile, 2, 200);
        var plans = ScoringCases.Plans(instance, 3, (2 * tile) + 3);
        using var lanes = BulkScorer.Create(ScoringDevice.Cpu);
        using var scalar = BulkScorer.Create(ScoringDevice.Cpu, options: new ScorerOptions(CpuLanes: false));
        var a = lanes.Score(instance, plans, seed: 5, 37);
        var b = scalar.Score(instance, plans, seed: 5, 37);
        AssertSameNumbers(b, a, plans.Count, 37, $"tiles of {tile}");
    }

    /// <summary>Every part of every pair equal (Equals: a zero's sign aside).</summary>
    private static void AssertSameNumbers(ScoreMatrix scalar, ScoreMatrix lanes, int plans, int scenarios, string what)
    {
        for (var n = 0; n < plans; n++)
        {
            for (var k = 0; k < scenarios; k++)
            {
                var (x, y) = (ScoringCases.Parts(scalar[n, k]), ScoringCases.Parts(lanes[n, k]));
                for (var i = 0; i < x.Length; i++)
                {
                    Assert.True(x[i].Equals(y[i]), $"{what}: plan {n}, scenario {k} of {scenarios}, part {i}: scalar {x[i]:R}, lanes {y[i]:R}");
                }
            }
        }
    }
}
