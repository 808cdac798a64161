using Allocator.Core.Scenarios;

namespace Allocator.Kernels;

/// <summary>Outcomes of every (plan, scenario) pair of one scoring call, with how long the scoring itself took.</summary>
public sealed class ScoreMatrix
{
    internal ScoreMatrix(int plans, int scenarios, double[][] parts, TimeSpan scoringTime)
    {
        Plans = plans;
        Scenarios = scenarios;
        _parts = parts;
        ScoringTime = scoringTime;
    }

    private readonly double[][] _parts;

    /// <summary>A matrix of outcomes computed elsewhere: <paramref name="outcomes"/>[plan][scenario], every plan with as many scenarios.</summary>
    public static ScoreMatrix Of(IReadOnlyList<IReadOnlyList<ScenarioOutcome>> outcomes, TimeSpan scoringTime)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var scenarios = outcomes.Count == 0 ? 0 : outcomes[0].Count;
        var parts = Enumerable.Range(0, 6).Select(_ => new double[outcomes.Count * scenarios]).ToArray();
        for (var n = 0; n < outcomes.Count; n++)
        {
            for (var k = 0; k < scenarios; k++)
            {
                var o = outcomes[n][k];
                var i = n * scenarios + k;
                (parts[0][i], parts[1][i], parts[2][i], parts[3][i], parts[4][i], parts[5][i]) = (o.LeaseRevenue, o.Penalty, o.JobValue, o.SpotRevenue, o.PowerCost, o.ShortGpuHours);
            }
        }

        return new ScoreMatrix(outcomes.Count, scenarios, parts, scoringTime);
    }

    /// <summary>Number of plans scored.</summary>
    public int Plans { get; }

    /// <summary>Scenarios per plan.</summary>
    public int Scenarios { get; }

    /// <summary>Time spent scoring on the device (kernel, or CPU threads), without uploads and downloads.</summary>
    public TimeSpan ScoringTime { get; }

    /// <summary>Outcome of plan <paramref name="plan"/> in scenario <paramref name="scenario"/> (relative to the call's offset).</summary>
    public ScenarioOutcome this[int plan, int scenario]
    {
        get
        {
            var i = (long)plan * Scenarios + scenario;
            return new ScenarioOutcome(_parts[0][i], _parts[1][i], _parts[2][i], _parts[3][i], _parts[4][i], _parts[5][i]);
        }
    }

    /// <summary>All outcomes of one plan, in scenario order.</summary>
    public ScenarioOutcome[] ForPlan(int plan) => [.. Enumerable.Range(0, Scenarios).Select(k => this[plan, k])];
}

/// <summary>Each plan's risk summary from one scoring call, and how long scoring and summarising took.</summary>
public sealed record RiskReport(IReadOnlyList<RiskSummary> Plans, TimeSpan ScoringTime);
