namespace Allocator.Kernels.Tests;

/// <summary>
/// The scorer's power test without a division (<see cref="PairScorer.WithinPower"/>) gives exactly the minimum the
/// division gives, bit for bit, on random values and on the ties where the power binds to the last unit in the last place.
/// </summary>
public sealed class PowerTestTests
{
    [Fact]
    public void The_test_without_a_division_equals_the_minimum_with_it_bit_for_bit()
    {
        var random = new Random(7);
        double[] kws = [0, -1, 0.7, 1.0, 1.2, 1.35, 1.4, 2.8, 10.2];
        var checkedCases = 0;
        for (var i = 0; i < 200_000; i++)
        {
            var kw = i % 3 == 0 ? kws[random.Next(kws.Length)] : random.NextDouble() * 3;
            var powerLeft = random.Next(10) switch
            {
                0 => double.MaxValue,
                1 => -random.NextDouble(),
                2 => 0,
                _ => random.NextDouble() * 200_000,
            };
            var quotient = PairScorer.GpusWithinPower(powerLeft, kw);
            // Around the binding point: the quotient itself and its neighbours a few units in the last place away, and
            // whole GPU counts near it; elsewhere anything.
            var near = double.IsFinite(quotient) ? quotient : random.Next(1, 100_000);
            double[] gpus = [near, Math.BitIncrement(near), Math.BitDecrement(near), Math.BitIncrement(Math.BitIncrement(near)), Math.Floor(near), Math.Ceiling(near), random.NextDouble() * 2 * near, 0];
            foreach (var g in gpus)
            {
                var expected = Math.Min(g, quotient);
                var actual = PairScorer.WithinPower(g, powerLeft, kw, default(DoubleArithmetic));
                Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"gpus {g:R}, power left {powerLeft:R} kW, {kw:R} kW per GPU: {actual:R} against {expected:R}");
                checkedCases++;
            }
        }

        Assert.Equal(1_600_000, checkedCases);
    }
}
