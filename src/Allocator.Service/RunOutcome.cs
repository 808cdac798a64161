using Allocator.Planning.Pipeline;

namespace Allocator.Service;

/// <summary>How one instance's run ended, with what the history keeps of it.</summary>
public sealed record RunOutcome(
    RunStatus Status,
    string Summary,
    double? Objective = null,
    double? Bound = null,
    double? Gap = null,
    string? KpisJson = null,
    string? PlanJson = null,
    string? Device = null)
{
    /// <summary>Warnings to keep with the run (a GPU that fell back to the CPU, a previous plan that no longer fits).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The process exit code for this outcome, as the command line documents them.</summary>
    public int ExitCode => Status switch
    {
        RunStatus.Ok or RunStatus.Interrupted => 0,
        RunStatus.Invalid => 2,
        RunStatus.Infeasible => 3,
        _ => 4,
    };
}

/// <summary>What the host reports back to the command line: every run's record, and the exit code of the worst.</summary>
public sealed class NightlyReport
{
    private readonly List<RunRecord> _runs = [];
    private readonly Lock _gate = new();

    /// <summary>The process exit code: 0 when every run wrote a plan, else the first failing run's code.</summary>
    public int ExitCode { get; private set; }

    /// <summary>Runs finished so far.</summary>
    public IReadOnlyList<RunRecord> Runs
    {
        get
        {
            lock (_gate)
            {
                return [.. _runs];
            }
        }
    }

    /// <summary>Raised after each run is recorded (tests and the console wait on it).</summary>
    public event Action<RunRecord>? RunFinished;

    /// <summary>Raised when the scheduler starts waiting for its next run, its timer already set.</summary>
    public event Action<DateTimeOffset>? Waiting;

    internal void Add(RunRecord record, RunOutcome outcome)
    {
        lock (_gate)
        {
            _runs.Add(record);
            if (ExitCode == 0 && outcome.ExitCode != 0)
            {
                ExitCode = outcome.ExitCode;
            }
        }

        RunFinished?.Invoke(record);
    }

    internal void Fail(int exitCode)
    {
        lock (_gate)
        {
            ExitCode = ExitCode == 0 ? exitCode : ExitCode;
        }
    }

    internal void WaitingFor(DateTimeOffset next) => Waiting?.Invoke(next);
}
