namespace Allocator.Kernels.Tests;

/// <summary>The small pieces the pair scorer's steps are made of, against what they stand for.</summary>
public sealed class ScorerStepTests
{
    [Fact]
    public void Smaller_and_larger_give_math_min_and_max_for_numbers()
    {
        var random = new Random(5);
        double[] special = [0, -0.0, 1, -1, double.MaxValue, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon];
        for (var i = 0; i < 100_000; i++)
        {
            var a = i % 4 == 0 ? special[random.Next(special.Length)] : (random.NextDouble() - 0.5) * 1e6;
            var b = i % 3 == 0 ? a : i % 5 == 0 ? special[random.Next(special.Length)] : (random.NextDouble() - 0.5) * 1e6;
            Assert.Equal(Math.Min(a, b), PairScorer.Smaller(a, b));
            Assert.Equal(Math.Max(a, b), PairScorer.Larger(a, b));
        }
    }
}
