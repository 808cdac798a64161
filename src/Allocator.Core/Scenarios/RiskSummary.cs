namespace Allocator.Core.Scenarios;

/// <summary>A plan's money over a set of scenarios: mean, spread, the bad case, lease shortfalls, and the split.</summary>
public sealed record RiskSummary(
    int Scenarios,
    double Mean,
    double StandardDeviation,
    double Alpha,
    double CVaR,
    double ProbabilityAnyLeaseShort,
    double ExpectedShortGpuHours,
    double MeanLeaseRevenue,
    double MeanPenalty,
    double MeanJobValue,
    double MeanSpotRevenue,
    double MeanPowerCost)
{
    /// <summary>
    /// Summarises one plan's outcomes. CVaR at <paramref name="alpha"/> is the mean of the worst ceil(alpha * S)
    /// totals (the bad case the board asks about). Sums run in scenario order, so the same outcomes give the same
    /// summary on every backend. This is the plain definition; the bulk scorer's <c>RiskKernels.Summarize</c>
    /// computes the same where the outcomes are, and tests hold the two equal.
    /// </summary>
    public static RiskSummary Of(IReadOnlyList<ScenarioOutcome> outcomes, double alpha)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentOutOfRangeException.ThrowIfZero(outcomes.Count);
        if (alpha is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha is the share of worst scenarios CVaR averages: in (0, 1].");
        }

        var n = outcomes.Count;
        double total = 0, lease = 0, penalty = 0, job = 0, spot = 0, power = 0, shortHours = 0;
        var shortCount = 0;
        var totals = new double[n];
        for (var k = 0; k < n; k++)
        {
            var o = outcomes[k];
            totals[k] = o.Total;
            total += o.Total;
            lease += o.LeaseRevenue;
            penalty += o.Penalty;
            job += o.JobValue;
            spot += o.SpotRevenue;
            power += o.PowerCost;
            shortHours += o.ShortGpuHours;
            shortCount += o.AnyLeaseShort ? 1 : 0;
        }

        var mean = total / n;
        var squares = 0.0;
        for (var k = 0; k < n; k++)
        {
            squares += (totals[k] - mean) * (totals[k] - mean);
        }

        Array.Sort(totals);
        return new RiskSummary(
            n, mean, n > 1 ? Math.Sqrt(squares / (n - 1)) : 0, alpha, TailMean(totals, alpha), (double)shortCount / n, shortHours / n,
            lease / n, penalty / n, job / n, spot / n, power / n);
    }

    /// <summary>CVaR at <paramref name="alpha"/> of <paramref name="totals"/> (any order; not changed): the mean of the worst ceil(alpha * S).</summary>
    public static double ConditionalValueAtRisk(IReadOnlyList<double> totals, double alpha)
    {
        ArgumentNullException.ThrowIfNull(totals);
        var sorted = totals.ToArray();
        Array.Sort(sorted);
        return TailMean(sorted, alpha);
    }

    /// <summary>The mean of the worst ceil(alpha * S) of <paramref name="sorted"/> totals, sorted worst first.</summary>
    private static double TailMean(double[] sorted, double alpha)
    {
        var worst = Math.Max(1, (int)Math.Ceiling(alpha * sorted.Length - 1e-9));
        var tail = 0.0;
        for (var k = 0; k < worst; k++)
        {
            tail += sorted[k];
        }

        return tail / worst;
    }
}
