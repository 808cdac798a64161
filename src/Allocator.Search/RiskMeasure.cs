using System.Globalization;
using Allocator.Core.Scenarios;

namespace Allocator.Search;

/// <summary>
/// What "best over what can happen" means for a run: the expected value, a mean penalised by its bad tail, or the best
/// mean among plans that short a lease customer rarely enough. Parsed from the command line's <c>--risk</c>.
/// </summary>
public abstract record RiskMeasure
{
    private RiskMeasure()
    {
    }

    /// <summary>The CVaR share the scorer summarises with (the measure's own, or 5% for reporting).</summary>
    public abstract double Alpha { get; }

    /// <summary>The measure's value for a plan (USD; higher is better), before admissibility.</summary>
    public abstract double ValueOf(RiskSummary summary);

    /// <summary>How a plan ranks under this measure.</summary>
    public virtual Fitness FitnessOf(RiskSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new Fitness(true, ValueOf(summary), 0);
    }

    /// <summary>The measure as the command line writes it.</summary>
    public abstract string Text { get; }

    /// <summary>Maximise the mean over scenarios.</summary>
    public sealed record Expected : RiskMeasure
    {
        /// <inheritdoc />
        public override double Alpha => 0.05;

        /// <inheritdoc />
        public override string Text => "expected";

        /// <inheritdoc />
        public override double ValueOf(RiskSummary summary)
        {
            ArgumentNullException.ThrowIfNull(summary);
            return summary.Mean;
        }
    }

    /// <summary>
    /// Maximise mean - lambda * (mean - CVaR_alpha): the mean, less lambda times how far the worst alpha of scenarios
    /// falls below it. Lambda 0 is the expected value; lambda 1 is the CVaR itself.
    /// </summary>
    public sealed record ConditionalValueAtRisk(double Share, double Lambda) : RiskMeasure
    {
        /// <inheritdoc />
        public override double Alpha => Share;

        /// <inheritdoc />
        public override string Text => string.Create(CultureInfo.InvariantCulture, $"cvar:{Share}:{Lambda}");

        /// <inheritdoc />
        public override double ValueOf(RiskSummary summary)
        {
            ArgumentNullException.ThrowIfNull(summary);
            return summary.Mean - Lambda * (summary.Mean - summary.CVaR);
        }
    }

    /// <summary>
    /// Maximise the mean among plans with P(any lease short) at most epsilon. Plans over the limit rank below every plan
    /// within it, and among themselves by how far over they are, so the search is pulled toward admissible plans.
    /// </summary>
    public sealed record Chance(double Epsilon) : RiskMeasure
    {
        /// <inheritdoc />
        public override double Alpha => 0.05;

        /// <inheritdoc />
        public override string Text => string.Create(CultureInfo.InvariantCulture, $"chance:{Epsilon}");

        /// <inheritdoc />
        public override double ValueOf(RiskSummary summary)
        {
            ArgumentNullException.ThrowIfNull(summary);
            return summary.Mean;
        }

        /// <inheritdoc />
        public override Fitness FitnessOf(RiskSummary summary)
        {
            ArgumentNullException.ThrowIfNull(summary);
            var excess = Math.Max(0, summary.ProbabilityAnyLeaseShort - Epsilon);
            return new Fitness(excess == 0, summary.Mean, excess);
        }
    }

    /// <summary>
    /// Parses <c>expected</c>, <c>cvar:ALPHA:LAMBDA</c> (ALPHA in (0, 1], LAMBDA in [0, 1]) or <c>chance:EPS</c>
    /// (EPS in [0, 1]). Returns null and a sentence naming the fix when the text is not one of them.
    /// </summary>
    public static RiskMeasure? Parse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        var parts = text.Trim().ToLowerInvariant().Split(':');
        switch (parts[0])
        {
            case "expected" or "mean" when parts.Length == 1:
                return new Expected();
            case "cvar" when parts.Length == 3 && Number(parts[1]) is { } alpha && Number(parts[2]) is { } lambda:
                if (alpha is <= 0 or > 1)
                {
                    error = $"--risk {text}: ALPHA is the share of worst scenarios CVaR averages and must be in (0, 1], e.g. cvar:0.05:0.5.";
                    return null;
                }

                if (lambda is < 0 or > 1)
                {
                    error = $"--risk {text}: LAMBDA weighs the tail against the mean and must be in [0, 1] (0: expected value, 1: CVaR alone), e.g. cvar:0.05:0.5.";
                    return null;
                }

                return new ConditionalValueAtRisk(alpha, lambda);
            case "chance" when parts.Length == 2 && Number(parts[1]) is { } epsilon:
                if (epsilon is < 0 or > 1)
                {
                    error = $"--risk {text}: EPS is the largest allowed probability that any lease is short and must be in [0, 1], e.g. chance:0.05.";
                    return null;
                }

                return new Chance(epsilon);
            default:
                error = $"--risk {text} is not a risk measure: use expected, cvar:ALPHA:LAMBDA (e.g. cvar:0.05:0.5) or chance:EPS (e.g. chance:0.05).";
                return null;
        }
    }

    private static double? Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;
}

/// <summary>
/// A plan's rank under a risk measure: admissible plans first, then by value (higher is better); inadmissible plans by
/// how far they break the measure's limit (less is better), then by value.
/// </summary>
public readonly record struct Fitness(bool Admissible, double Value, double Excess) : IComparable<Fitness>
{
    /// <summary>
    /// Compares for ranking; values are compared in whole dollars, so two backends whose sums differ in the last bits
    /// (CUDA agrees with the CPU to about 1e-13) rank the same plans the same way except in a near-tie of one dollar.
    /// </summary>
    public int CompareTo(Fitness other)
    {
        if (Admissible != other.Admissible)
        {
            return Admissible ? 1 : -1;
        }

        if (!Admissible && Excess != other.Excess)
        {
            return other.Excess.CompareTo(Excess);
        }

        return Math.Round(Value).CompareTo(Math.Round(other.Value));
    }

    /// <summary>True when this ranks strictly above <paramref name="other"/>.</summary>
    public bool Beats(Fitness other) => CompareTo(other) > 0;

    /// <inheritdoc />
    public static bool operator <(Fitness left, Fitness right) => left.CompareTo(right) < 0;

    /// <inheritdoc />
    public static bool operator >(Fitness left, Fitness right) => left.CompareTo(right) > 0;

    /// <inheritdoc />
    public static bool operator <=(Fitness left, Fitness right) => left.CompareTo(right) <= 0;

    /// <inheritdoc />
    public static bool operator >=(Fitness left, Fitness right) => left.CompareTo(right) >= 0;
}
