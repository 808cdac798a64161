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
            for (var n = 0; n < plans.Count; n++)
            {
                for (var k = 0; k < scenarios; k++)
                {
                    var (x, y) = (ScoringCases.Parts(b[n, k]), ScoringCases.Parts(a[n, k]));
                    for (var i = 0; i < x.Length; i++)
                    {
                        Assert.True(x[i].Equals(y[i]), $"{width}: plan {n}, scenario {k} of {scenarios}, part {i}: scalar {x[i]:R}, lanes {y[i]:R}");
                    }
                }
            }
        }
    }
}
