namespace Allocator.Kernels;

/// <summary>How the scorer computes: double throughout, or mixed (each period's money in float32).</summary>
public enum ScoringPrecision
{
    /// <summary>Every quantity in float64: agrees with the reference scorer to 1e-9 relative, pair by pair.</summary>
    Double,

    /// <summary>
    /// Each period's money (price x hours x GPUs) multiplied in float32 and added to float64 sums; GPU counts, power and
    /// job progress stay float64, so every recourse decision (who gets GPUs, which job runs) is the double path's.
    /// A pair's parts are within <see cref="ScoringArithmetic.MixedRelativeBound"/> of its gross (docs/scoring.md).
    /// </summary>
    Mixed,
}

/// <summary>
/// The arithmetic the per-pair scorer does its money in, as a type argument so that each precision compiles to its
/// own kernel with no branch: <see cref="DoubleArithmetic"/>, <see cref="MixedArithmetic"/>, and
/// <see cref="CountedArithmetic"/>, which counts the floating-point operations of one run (for the arithmetic bound).
/// </summary>
public interface IScoringArithmetic
{
    /// <summary>a x b x c, money of one period (USD).</summary>
    double Money(double a, double b, double c);

    /// <summary>Records <paramref name="operations"/> float64 operations done outside <see cref="Money"/>.</summary>
    void Count(int operations);
}

/// <summary>How the precisions are named on the command line, and the mixed path's accuracy.</summary>
public static class ScoringArithmetic
{
    /// <summary>
    /// The largest difference from the double path, relative to the pair's gross (lease revenue + penalty + job value
    /// + spot revenue + power cost): each product rounds its three operands and two results to float32, at most
    /// 5 x 2^-24 (3.0e-7) relative to the product, and the float64 sums add no more than 1e-12 of the gross.
    /// </summary>
    public const double MixedRelativeBound = 3.0e-7;

    /// <summary>Every precision with its word.</summary>
    public static IReadOnlyList<(string Word, ScoringPrecision Precision)> Words { get; } =
    [
        ("double", ScoringPrecision.Double),
        ("mixed", ScoringPrecision.Mixed),
    ];

    /// <summary>The word for <paramref name="precision"/>.</summary>
    public static string Word(ScoringPrecision precision) => Words.First(w => w.Precision == precision).Word;
}

/// <summary>Everything in float64.</summary>
public readonly struct DoubleArithmetic : IScoringArithmetic
{
    /// <inheritdoc />
    public double Money(double a, double b, double c) => a * b * c;

    /// <inheritdoc />
    public void Count(int operations)
    {
    }
}

/// <summary>Money products in float32, widened to float64 before they are summed.</summary>
public readonly struct MixedArithmetic : IScoringArithmetic
{
    /// <inheritdoc />
    public double Money(double a, double b, double c) => (float)a * (float)b * (float)c;

    /// <inheritdoc />
    public void Count(int operations)
    {
    }
}

/// <summary>
/// The double path, counting as it goes: float64 operations (<see cref="IScoringArithmetic.Count"/>) and money
/// products (two multiplications each, float32 on the mixed path). CPU only: it writes to a shared counter.
/// </summary>
public readonly struct CountedArithmetic(OperationCount count) : IScoringArithmetic
{
    private readonly OperationCount _count = count;

    /// <inheritdoc />
    public double Money(double a, double b, double c)
    {
        _count.MoneyProducts++;
        return a * b * c;
    }

    /// <inheritdoc />
    public void Count(int operations) => _count.Float64 += operations;
}

/// <summary>Operations counted by <see cref="CountedArithmetic"/>.</summary>
public sealed class OperationCount
{
    /// <summary>float64 operations outside the money products.</summary>
    public long Float64 { get; set; }

    /// <summary>Money products: two multiplications each.</summary>
    public long MoneyProducts { get; set; }
}
