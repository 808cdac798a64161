using Allocator.Search;

namespace Allocator.Planning.Policies;

/// <summary>
/// How the robust search runs after the exact solve, and how its plan is checked against the exact one on fresh
/// scenarios. The command line and the service fill the same record, so a night and a command plan alike.
/// </summary>
public sealed record RobustSettings
{
    /// <summary>What the search maximises across scenarios.</summary>
    public RiskMeasure Risk { get; init; } = new RiskMeasure.Expected();

    /// <summary>Scenarios every candidate is scored on.</summary>
    public int Scenarios { get; init; } = 1000;

    /// <summary>Seed of the search's scenarios and moves; the out-of-sample scenarios use an independent seed derived from it.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Candidates scored together per step.</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>Most candidates to score (null: until the time runs out). With a seed and batch size, a budget makes a run reproducible.</summary>
    public long? Evaluations { get; init; }

    /// <summary>Fresh scenarios the robust plan and the exact plan are compared on.</summary>
    public int OutOfSampleScenarios { get; init; } = 10_000;

    /// <summary>Seconds for the exact solve (null: half of the whole limit; the search gets the rest).</summary>
    public double? ExactSeconds { get; init; }

    /// <summary>Every setting out of range, named by its property, with what is wrong; empty when all are fine.</summary>
    public IReadOnlyList<(string Setting, string Problem)> Validate() =>
    [
        .. new (bool Wrong, string Setting, string Problem)[]
        {
            (Risk is null, nameof(Risk), "is not set."),
            (Scenarios < 1, nameof(Scenarios), $"must be at least 1 (it is {Scenarios})."),
            (BatchSize < 1, nameof(BatchSize), $"must be at least 1 (it is {BatchSize})."),
            (Evaluations is < 0, nameof(Evaluations), $"must not be negative (it is {Evaluations})."),
            (OutOfSampleScenarios < 2, nameof(OutOfSampleScenarios), $"must be at least 2 (it is {OutOfSampleScenarios}): an interval needs two."),
            (ExactSeconds is <= 0, nameof(ExactSeconds), $"must be positive (it is {ExactSeconds})."),
        }.Where(c => c.Wrong).Select(c => (c.Setting, c.Problem)),
    ];
}
