namespace Allocator.Kernels.Tests;

public sealed class EmptyBatchTests
{
    [Theory]
    [InlineData(ScoringDevice.Cpu)]
    [InlineData(ScoringDevice.IlgpuCpu)]
    public void An_empty_batch_of_plans_scores_to_nothing_on_every_backend(ScoringDevice device)
    {
        var instance = ScoringCases.Instance(1);
        using var scorer = BulkScorer.Create(device);

        Assert.Empty(scorer.Summarize(instance, [], 1, 8, 0.1).Plans);
        Assert.Equal(0, scorer.Score(instance, [], 1, 8).Plans);
    }
}
