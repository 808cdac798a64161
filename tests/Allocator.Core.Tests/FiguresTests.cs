using Allocator.Core.Text;

namespace Allocator.Core.Tests;

public sealed class FiguresTests
{
    [Theory]
    [InlineData(-0.4, "0")]
    [InlineData(-0.0, "0")]
    [InlineData(1234567.49, "1,234,567")]
    [InlineData(-2500.6, "-2,501")]
    public void Whole_numbers_have_separators_and_never_read_minus_zero(double value, string written) =>
        Assert.Equal(written, Figures.Whole(value));

    [Theory]
    [InlineData(0.0, "0.0%")]
    [InlineData(-0.000000001, "0.0%")]
    [InlineData(0.00771, "0.771%")]
    [InlineData(0.125, "12.5%")]
    [InlineData(0.000012345, "0.0012%")]
    public void Shares_are_percentages_one_way(double share, string written) =>
        Assert.Equal(written, Figures.Percent(share));

    [Fact]
    public void Enum_values_are_words()
    {
        Assert.Equal("time limit", Figures.Words(Sample.TimeLimit));
        Assert.Equal("exhausted", Figures.Words(Sample.Exhausted));
    }

    private enum Sample
    {
        TimeLimit,
        Exhausted,
    }
}
