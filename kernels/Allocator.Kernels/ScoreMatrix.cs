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
