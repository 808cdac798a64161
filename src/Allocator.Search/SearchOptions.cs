namespace Allocator.Search;

/// <summary>How a robust search runs. The result is reproducible for a seed, a batch size and an evaluation budget.</summary>
public sealed record SearchOptions
{
    /// <summary>What the search maximises.</summary>
    public RiskMeasure Risk { get; init; } = new RiskMeasure.Expected();

    /// <summary>Scenarios every candidate is scored on (the same draws for all of them).</summary>
    public int Scenarios { get; init; } = 1000;

    /// <summary>Seed of the search's scenarios and of its random moves.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Wall-clock limit; the best plan found by then is returned. Null: only the budget stops the search.</summary>
    public TimeSpan? TimeLimit { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Most candidate plans to score (seeds excluded). Null: only the time limit stops the search.</summary>
    public long? EvaluationBudget { get; init; }

    /// <summary>Candidates proposed and scored together in one call of the scorer.</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>Distinct plans kept as parents between steps.</summary>
    public int PopulationSize { get; init; } = 32;

    /// <summary>Most moves applied to a parent to make one candidate (each candidate draws 1 .. this many).</summary>
    public int MaxMovesPerCandidate { get; init; } = 4;

    /// <summary>Shares of each pool kept free in the buffered seed plans built from the first seed.</summary>
    public IReadOnlyList<double> BufferShares { get; init; } = [0.02, 0.05, 0.10];

    /// <summary>Throws when an option is out of range, naming it and the fix.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Risk);
        Require(Scenarios >= 1, "Scenarios must be at least 1.");
        Require(BatchSize >= 1, "BatchSize must be at least 1.");
        Require(PopulationSize >= 1, "PopulationSize must be at least 1.");
        Require(MaxMovesPerCandidate >= 1, "MaxMovesPerCandidate must be at least 1.");
        Require(TimeLimit is null || TimeLimit > TimeSpan.Zero, "TimeLimit must be positive (or null for budget only).");
        Require(EvaluationBudget is null || EvaluationBudget >= 0, "EvaluationBudget must not be negative (or null for time only).");
        Require(TimeLimit is not null || EvaluationBudget is not null, "Give a TimeLimit, an EvaluationBudget, or both: otherwise the search never stops.");
        Require(BufferShares.All(s => s is > 0 and < 1), "BufferShares must each be in (0, 1).");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
