namespace Allocator.Kernels.Tests;

/// <summary>
/// <see cref="PairScorer.Megawatts"/> on CUDA replaces the division by 1000 with a product and one correction by fused
/// multiply-adds (inline PTX, which only a GPU runs). These tests check that arithmetic itself, written here with the
/// CPU's fused multiply-add, against the division bit for bit; and that off CUDA the method divides.
/// </summary>
public sealed class MegawattsTests
{
    [Fact]
    public void One_correction_after_the_product_gives_the_divisions_result_bit_for_bit()
    {
        var random = new Random(11);
        for (var i = 0; i < 2_000_000; i++)
        {
            // Loads of every magnitude the plain range admits, and whole and fractional GPU counts times kW.
            var load = (i % 4) switch
            {
                0 => Math.Exp((random.NextDouble() * 1380) - 690),
                1 => random.Next(1, 200_000) * Math.Round(random.NextDouble() * 3, 2),
                2 => BitConverter.Int64BitsToDouble(random.NextInt64(0x0180000000000000L, 0x7E80000000000000L)),
                _ => -random.NextDouble() * 1e6,
            };
            var q = load * 0.001;
            var corrected = Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(-q, 1000, load), 0.001, q);
            Assert.True(BitConverter.DoubleToInt64Bits(corrected) == BitConverter.DoubleToInt64Bits(load / 1000), $"{load:R}: {corrected:R} against {load / 1000:R}");
        }
    }

    [Theory]
    [InlineData(12.0, 1.4)]
    [InlineData(0.3333333333333333, 0.7)]
    [InlineData(0.0, 1.2)]
    [InlineData(1e-310, 1.0)]
    public void Off_cuda_it_is_the_division(double gpus, double kw) =>
        Assert.Equal(BitConverter.DoubleToInt64Bits(gpus * kw / 1000), BitConverter.DoubleToInt64Bits(PairScorer.Megawatts(gpus, kw)));
}
