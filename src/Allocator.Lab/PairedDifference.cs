using Allocator.Core.Randomness;
using Allocator.Core.Scenarios;
using MathNet.Numerics.Distributions;

namespace Allocator.Lab;

/// <summary>A paired difference (policy - baseline) with its 95% interval and two-sided p-value, and the p-value after Holm's adjustment.</summary>
public sealed record Difference(double Estimate, double Low, double High, double P)
{
    /// <summary>The p-value after Holm's step-down adjustment across the comparisons of one instance (set by <see cref="PairedDifference.Holm"/>).</summary>
    public double AdjustedP { get; init; } = double.NaN;

    /// <summary>Whether the difference is shown at the 5% level after the adjustment.</summary>
    public bool Shown => AdjustedP < 0.05;
}

/// <summary>
/// Paired comparisons of two policies on the same scenarios (scenario k is the same draw for both): the mean difference
/// by a paired t interval, the CVaR difference by a paired bootstrap, and Holm's adjustment across comparisons.
/// </summary>
public static class PairedDifference
{
    /// <summary>Resamples of the paired bootstrap.</summary>
    public const int BootstrapResamples = 1000;

    /// <summary>Mean of candidate - baseline, scenario by scenario, with the paired t interval.</summary>
    public static Difference Mean(IReadOnlyList<double> candidate, IReadOnlyList<double> baseline)
    {
        var d = Differences(candidate, baseline);
        var n = d.Length;
        var mean = d.Sum() / n;
        var sd = n > 1 ? Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (n - 1)) : 0;
        if (sd == 0 || n < 2)
        {
            // Every scenario differs by the same amount: the difference is known exactly.
            return new Difference(mean, mean, mean, mean == 0 ? 1 : 0);
        }

        var error = sd / Math.Sqrt(n);
        var half = StudentT.InvCDF(0, 1, n - 1, 0.975) * error;
        var p = 2 * (1 - StudentT.CDF(0, 1, n - 1, Math.Abs(mean / error)));
        return new Difference(mean, mean - half, mean + half, Math.Clamp(p, 0, 1));
    }

    /// <summary>
    /// CVaR at <paramref name="alpha"/> of candidate - baseline, with a paired percentile bootstrap (scenarios resampled
    /// together for both, from a generator keyed by <paramref name="seed"/>, so the interval is reproducible).
    /// </summary>
    public static Difference ConditionalValueAtRisk(IReadOnlyList<double> candidate, IReadOnlyList<double> baseline, double alpha, ulong seed)
    {
        var n = PairCount(candidate, baseline);
        var estimate = RiskSummary.ConditionalValueAtRisk(candidate, alpha) - RiskSummary.ConditionalValueAtRisk(baseline, alpha);
        var rng = new SplitMix64(SplitMix64.Mix(seed ^ 0xC0A1_B007_5700_0000UL));
        var resampled = new double[BootstrapResamples];
        var (a, b) = (new double[n], new double[n]);
        for (var r = 0; r < BootstrapResamples; r++)
        {
            for (var k = 0; k < n; k++)
            {
                var pick = rng.Between(0, n - 1);
                (a[k], b[k]) = (candidate[pick], baseline[pick]);
            }

            resampled[r] = RiskSummary.ConditionalValueAtRisk(a, alpha) - RiskSummary.ConditionalValueAtRisk(b, alpha);
        }

        Array.Sort(resampled);
        var below = resampled.Count(x => x <= 0) / (double)BootstrapResamples;
        var above = resampled.Count(x => x >= 0) / (double)BootstrapResamples;
        var p = resampled[0] == resampled[^1] ? (estimate == 0 ? 1 : 0) : Math.Min(1, 2 * Math.Min(below, above));
        return new Difference(estimate, resampled[(int)(0.025 * (BootstrapResamples - 1))], resampled[(int)Math.Ceiling(0.975 * (BootstrapResamples - 1))], p);
    }

    /// <summary>Holm's step-down adjustment of <paramref name="differences"/>' p-values (family-wise error across them).</summary>
    public static IReadOnlyList<Difference> Holm(IReadOnlyList<Difference> differences)
    {
        ArgumentNullException.ThrowIfNull(differences);
        var m = differences.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => differences[i].P).ToList();
        var adjusted = new double[m];
        var running = 0.0;
        for (var rank = 0; rank < m; rank++)
        {
            var i = order[rank];
            running = Math.Max(running, Math.Min(1, (m - rank) * differences[i].P));
            adjusted[i] = running;
        }

        return [.. differences.Select((d, i) => d with { AdjustedP = adjusted[i] })];
    }

    private static double[] Differences(IReadOnlyList<double> candidate, IReadOnlyList<double> baseline)
    {
        PairCount(candidate, baseline);
        return [.. candidate.Select((c, k) => c - baseline[k])];
    }

    /// <summary>The number of scenarios both policies were scored on; throws when they differ or there are none.</summary>
    private static int PairCount(IReadOnlyList<double> candidate, IReadOnlyList<double> baseline)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(baseline);
        if (candidate.Count != baseline.Count || candidate.Count == 0)
        {
            throw new ArgumentException("A paired comparison needs the same, non-zero number of scenarios for both policies.");
        }

        return candidate.Count;
    }
}
