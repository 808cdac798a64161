using Allocator.Core.Evaluation;
using Allocator.Core.Randomness;
using Allocator.Core.Scenarios;
using Allocator.Kernels;

using Allocator.Core.Text;

namespace Allocator.Search;

/// <summary>An estimate with its 95% confidence interval.</summary>
public sealed record Interval(double Estimate, double Low, double High)
{
    /// <summary>True when the whole interval lies above zero.</summary>
    public bool AboveZero => Low > 0;

    /// <summary>True when the whole interval lies below zero.</summary>
    public bool BelowZero => High < 0;
}

/// <summary>Whether the candidate plan did better than the baseline out of sample, as far as the intervals can tell.</summary>
public enum Verdict
{
    /// <summary>Better under the risk measure, with a 95% interval that excludes zero.</summary>
    Better,

    /// <summary>Worse under the risk measure, with a 95% interval that excludes zero.</summary>
    Worse,

    /// <summary>The interval includes zero: no difference can be claimed.</summary>
    NotShown,
}

/// <summary>
/// Two plans scored on the same fresh scenarios (never the ones the search saw): each plan's statistics, and the paired
/// differences candidate - baseline with 95% intervals: of the mean, of the chosen risk measure's value, and of
/// P(any lease short).
/// </summary>
public sealed record PairedComparison(
    RiskMeasure Risk,
    ulong Seed,
    int Scenarios,
    RiskSummary Baseline,
    RiskSummary Candidate,
    Interval MeanDifference,
    Interval MeasureDifference,
    Interval ShortProbabilityDifference,
    Verdict Verdict,
    string Sentence);

/// <summary>Honest reporting: the chosen plan against the exact plan on an independent set of scenarios.</summary>
public static class OutOfSample
{
    // Normal quantile for a two-sided 95% interval.
    private const double Z95 = 1.959963984540054;

    /// <summary>Resamples for the bootstrap interval of the CVaR measure (a tail statistic has no simple variance formula).</summary>
    public const int BootstrapResamples = 1000;

    /// <summary>
    /// A seed for the out-of-sample scenarios that is independent of the search's <paramref name="searchSeed"/> (a
    /// different key into the same counter-based generator, so no scenario is shared).
    /// </summary>
    public static ulong FreshSeed(ulong searchSeed) => SplitMix64.Mix(searchSeed ^ 0x0005_5A3F_1E00_0000UL) | 1UL << 63;

    /// <summary>Scores both plans on scenarios 0 .. <paramref name="scenarios"/> - 1 of <paramref name="seed"/> and compares them pairwise.</summary>
    public static PairedComparison Compare(
        CompiledInstance instance, IPlanScorer scorer, RiskMeasure risk, Assignment baseline, Assignment candidate, ulong seed, int scenarios)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(risk);
        var matrix = scorer.Score(instance, [baseline, candidate], seed, scenarios);
        return Compare(risk, seed, matrix.ForPlan(0), matrix.ForPlan(1));
    }

    /// <summary>Compares two plans' outcomes in the same scenarios (index k of both is scenario k).</summary>
    public static PairedComparison Compare(RiskMeasure risk, ulong seed, IReadOnlyList<ScenarioOutcome> baseline, IReadOnlyList<ScenarioOutcome> candidate)
    {
        ArgumentNullException.ThrowIfNull(risk);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        if (baseline.Count != candidate.Count || baseline.Count < 2)
        {
            throw new ArgumentException("Both plans need the same scenarios, at least two of them.", nameof(candidate));
        }

        var n = baseline.Count;
        var a = baseline.Select(o => o.Total).ToArray();
        var b = candidate.Select(o => o.Total).ToArray();
        var baseRisk = RiskSummary.Of(baseline, risk.Alpha);
        var candRisk = RiskSummary.Of(candidate, risk.Alpha);
        var mean = PairedMean([.. Enumerable.Range(0, n).Select(k => b[k] - a[k])]);
        var shortDiff = PairedMean([.. Enumerable.Range(0, n).Select(k => (candidate[k].AnyLeaseShort ? 1.0 : 0) - (baseline[k].AnyLeaseShort ? 1.0 : 0))]);
        var measure = risk switch
        {
            RiskMeasure.ConditionalValueAtRisk cvar => Bootstrap(a, b, cvar, seed),
            _ => mean,
        };

        var verdict = risk switch
        {
            RiskMeasure.Chance chance => ChanceVerdict(chance, baseRisk, candRisk, shortDiff, mean),
            _ => measure.AboveZero ? Verdict.Better : measure.BelowZero ? Verdict.Worse : Verdict.NotShown,
        };

        return new PairedComparison(risk, seed, n, baseRisk, candRisk, mean, measure, shortDiff, verdict, Sentence(risk, verdict, measure, shortDiff, candRisk, n));
    }

    /// <summary>
    /// Under a chance constraint the robust plan is better when it keeps to the limit and the exact plan does not
    /// (P(short) lower with an interval below zero), or when both keep to it and its mean is higher with an interval
    /// above zero.
    /// </summary>
    private static Verdict ChanceVerdict(RiskMeasure.Chance chance, RiskSummary baseRisk, RiskSummary candRisk, Interval shortDiff, Interval mean)
    {
        var candWithin = candRisk.ProbabilityAnyLeaseShort <= chance.Epsilon;
        var baseWithin = baseRisk.ProbabilityAnyLeaseShort <= chance.Epsilon;
        if (candWithin && !baseWithin)
        {
            return shortDiff.BelowZero ? Verdict.Better : Verdict.NotShown;
        }

        if (!candWithin && baseWithin)
        {
            return shortDiff.AboveZero ? Verdict.Worse : Verdict.NotShown;
        }

        return mean.AboveZero ? Verdict.Better : mean.BelowZero ? Verdict.Worse : Verdict.NotShown;
    }

    private static string Sentence(RiskMeasure risk, Verdict verdict, Interval measure, Interval shortDiff, RiskSummary cand, int n)
    {
        var what = risk switch
        {
            RiskMeasure.ConditionalValueAtRisk => $"under {risk.Text} (mean - lambda x (mean - CVaR))",
            RiskMeasure.Chance c => $"under {risk.Text} (P(any lease short) {Figures.Percent(cand.ProbabilityAnyLeaseShort)} against a limit of {Figures.Percent(c.Epsilon)}; difference {Points(shortDiff)})",
            _ => "in expected value",
        };
        var usd = $"{Figures.Usd(measure.Estimate)} (95% CI {Figures.Whole(measure.Low)} .. {Figures.Whole(measure.High)})";
        return verdict switch
        {
            Verdict.Better => $"The robust plan beats the exact plan out of sample {what}: {usd} over {n:N0} fresh scenarios.",
            Verdict.Worse => $"The robust plan does worse than the exact plan out of sample {what}: {usd} over {n:N0} fresh scenarios.",
            _ => $"No out-of-sample difference can be claimed {what}: {usd} over {n:N0} fresh scenarios; the interval includes zero.",
        };
    }

    private static string Points(Interval i) => $"{i.Estimate * 100:+0.0;-0.0} points, 95% CI {i.Low * 100:+0.0;-0.0} .. {i.High * 100:+0.0;-0.0}";

    /// <summary>Mean of paired differences with the normal 95% interval (n is in the thousands, so the CLT holds well).</summary>
    internal static Interval PairedMean(double[] differences)
    {
        var n = differences.Length;
        var mean = differences.Sum() / n;
        var variance = differences.Sum(d => (d - mean) * (d - mean)) / (n - 1);
        var half = Z95 * Math.Sqrt(variance / n);
        return new Interval(mean, mean - half, mean + half);
    }

    /// <summary>
    /// Paired bootstrap of the difference in mean - lambda x (mean - CVaR): scenarios are resampled together for both
    /// plans (keeping the pairing), with a keyed generator so the interval is reproducible. Percentile interval.
    /// </summary>
    private static Interval Bootstrap(double[] a, double[] b, RiskMeasure.ConditionalValueAtRisk cvar, ulong seed)
    {
        var n = a.Length;
        double Value(double[] totals)
        {
            var mean = totals.Average();
            return mean - cvar.Lambda * (mean - RiskSummary.ConditionalValueAtRisk(totals, cvar.Share));
        }

        var estimate = Value(b) - Value(a);
        var draws = new double[BootstrapResamples];
        Parallel.For(0, BootstrapResamples, r =>
        {
            var rng = new SplitMix64(SplitMix64.Mix(seed ^ 0xB0075_0000UL ^ ((ulong)r << 32)));
            var ra = new double[n];
            var rb = new double[n];
            for (var k = 0; k < n; k++)
            {
                var pick = rng.Between(0, n - 1);
                ra[k] = a[pick];
                rb[k] = b[pick];
            }

            draws[r] = Value(rb) - Value(ra);
        });
        Array.Sort(draws);
        return new Interval(estimate, draws[(int)(0.025 * (BootstrapResamples - 1))], draws[(int)Math.Ceiling(0.975 * (BootstrapResamples - 1))]);
    }
}
