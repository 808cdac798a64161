namespace Allocator.Kernels.Tests;

/// <summary>
/// A device scorer keeps the instance, the drawn scenarios and its buffers between calls. Reusing them must never show:
/// one scorer taken through other instances, seeds, scenario ranges, plans and batch sizes returns, call by call, exactly what
/// a fresh scorer returns.
/// </summary>
public sealed class DeviceWorkspaceTests
{
    [Fact]
    public void A_scorer_reused_across_instances_seeds_ranges_and_batch_sizes_returns_what_a_fresh_one_returns()
    {
        var first = ScoringCases.Instance(21);
        var second = ScoringCases.Instance(22);
        var plansOfFirst = ScoringCases.Plans(first, 21, 3);
        var plansOfSecond = ScoringCases.Plans(second, 22, 2);
        var calls = new (Core.Evaluation.CompiledInstance Instance, IReadOnlyList<Core.Evaluation.Assignment> Plans, ulong Seed, int Scenarios, long Offset)[]
        {
            (first, plansOfFirst, 1, 9, 0),
            (first, plansOfFirst.Take(1).ToList(), 1, 9, 0), // same scenarios, smaller batch: reused tables
            (first, plansOfFirst.Skip(1).ToList(), 1, 9, 0), // other plans in the same plan buffers
            (first, plansOfFirst, 2, 9, 0), // another seed
            (first, plansOfFirst, 2, 5, 4), // another range of it
            (second, plansOfSecond, 2, 5, 4), // another instance, same seed and range: must not reuse the tables
            (first, plansOfFirst, 1, 12, 0), // back, with more scenarios than before: larger buffers
        };

        using var reused = BulkScorer.Create(ScoringDevice.IlgpuCpu);
        foreach (var (instance, plans, seed, scenarios, offset) in calls)
        {
            using var fresh = BulkScorer.Create(ScoringDevice.IlgpuCpu);
            var expected = fresh.Score(instance, plans, seed, scenarios, offset);
            var actual = reused.Score(instance, plans, seed, scenarios, offset);
            for (var n = 0; n < plans.Count; n++)
            {
                Assert.Equal(expected.ForPlan(n), actual.ForPlan(n));
            }

            Assert.Equal(fresh.Summarize(instance, plans, seed, scenarios, 0.2, offset).Plans, reused.Summarize(instance, plans, seed, scenarios, 0.2, offset).Plans);
        }
    }
}
