using Allocator.Kernels;
using Allocator.Planning.Policies;
using Allocator.Search;
using Allocator.Solver;
using Cronos;
using Microsoft.Extensions.Options;

namespace Allocator.Service;

/// <summary>
/// What a night runs, bound from the <c>Nightly</c> section of appsettings.json, environment variables
/// (<c>ALLOCATOR_Nightly__TimeLimitSeconds=900</c>) and command-line flags, in that order of precedence (last wins).
/// </summary>
public sealed class NightlyOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Nightly";

    /// <summary>Instance files to plan each night.</summary>
    public IList<string> Instances { get; init; } = [];

    /// <summary>Folder for plan.json and plan.csv (one sub-folder per instance when there are several).</summary>
    public string OutputDirectory { get; set; } = "";

    /// <summary>Cron expression (five fields, or six with seconds) of when a night runs.</summary>
    public string Schedule { get; set; } = "0 2 * * *";

    /// <summary>Time zone the schedule is read in (IANA id, e.g. Europe/Paris).</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Seconds a night may take per instance: the exact solve, plus the robust search when enabled.</summary>
    public double TimeLimitSeconds { get; set; } = 600;

    /// <summary>
    /// Stop the exact solve once its plan is proven within this relative gap of the bound (0.005 = 0.5%), before the
    /// time limit; 0: run to the optimum or the limit.
    /// </summary>
    public double TargetGap { get; set; }

    /// <summary>Solver threads.</summary>
    public int Threads { get; set; } = 2;

    /// <summary>The exact engine: scip, highs or cpsat.</summary>
    public SolverKind Solver { get; set; } = SolverKind.Scip;

    /// <summary>USD per GPU-period moved away from last night's placement (0: plans may reshuffle freely).</summary>
    public double MoveCostPerGpuPeriod { get; set; }

    /// <summary>Run the robust search after the exact solve.</summary>
    public bool Robust { get; set; }

    /// <summary>The robust search's risk measure (expected, cvar:ALPHA:LAMBDA, chance:EPS).</summary>
    public string Risk { get; set; } = "expected";

    /// <summary>Scenarios per candidate in the robust search.</summary>
    public int Scenarios { get; set; } = 1000;

    /// <summary>Seed of the robust search's scenarios and moves.</summary>
    public ulong ScenarioSeed { get; set; } = 1;

    /// <summary>Candidates the robust search scores together per step.</summary>
    public int BatchSize { get; set; } = 1024;

    /// <summary>Most candidates the robust search scores (null: until its time is up); with the seed, a reproducible night.</summary>
    public long? Evaluations { get; set; }

    /// <summary>Fresh scenarios the robust plan is compared with the exact plan on.</summary>
    public int OutOfSampleScenarios { get; set; } = 10_000;

    /// <summary>Of <see cref="Threads"/>, how many the MIP gets (null: the planner's default).</summary>
    public int? MipThreads { get; set; }

    /// <summary>The exact planner's settings (its time limit is set by the run).</summary>
    public PlannerOptions PlannerOptions() => new()
    {
        Solver = Solver,
        Threads = Threads,
        MipThreads = MipThreads,
        TargetGap = TargetGap,
        MoveCostPerGpuPeriod = MoveCostPerGpuPeriod,
    };

    /// <summary>The robust search's settings, the same record <c>plan --robust</c> fills; null when the night is not robust.</summary>
    public RobustSettings? RobustSettings() => !Robust ? null : new RobustSettings
    {
        Risk = RiskMeasure.Parse(Risk, out _) ?? throw new InvalidOperationException($"{Section}:Risk '{Risk}' is not a risk measure (the options validator says why)."),
        Scenarios = Scenarios,
        Seed = ScenarioSeed,
        BatchSize = BatchSize,
        Evaluations = Evaluations,
        OutOfSampleScenarios = OutOfSampleScenarios,
    };

    /// <summary>Where the robust search scores: auto, cuda, opencl, cpu.</summary>
    public ScoringDevice Device { get; set; } = ScoringDevice.Auto;

    /// <summary>The SQLite history file (default: history.db in the output folder).</summary>
    public string? HistoryPath { get; set; }

    /// <summary>Run every instance once and stop (run-once), instead of on the schedule (serve).</summary>
    public bool RunOnce { get; set; }

    /// <summary>Where an instance's plan goes: <c>OUT/NAME/plan.json</c>, NAME being the instance file's name without its extension.</summary>
    public static string InstanceFolder(string outputDirectory, string instancePath) =>
        Path.Combine(outputDirectory, Path.GetFileNameWithoutExtension(instancePath));

    /// <summary>The history file actually used.</summary>
    public string HistoryFile => string.IsNullOrWhiteSpace(HistoryPath) ? Path.Combine(OutputDirectory, "history.db") : HistoryPath;

    /// <summary>The parsed schedule (valid after validation).</summary>
    public CronExpression Cron => CronExpression.Parse(Schedule, Schedule.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
}

/// <summary>Checks every option at start-up and names each bad one with its configuration key and the fix.</summary>
public sealed class NightlyOptionsValidator : IValidateOptions<NightlyOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, NightlyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        var key = NightlyOptions.Section;
        if (options.Instances.Count == 0)
        {
            problems.Add($"{key}:Instances is empty: name at least one instance file (--instance PATH).");
        }

        for (var i = 0; i < options.Instances.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.Instances[i]))
            {
                problems.Add($"{key}:Instances:{i} is blank: give the path of an instance file.");
            }
        }

        foreach (var clash in options.Instances.Where(i => !string.IsNullOrWhiteSpace(i)).GroupBy(i => Path.GetFileNameWithoutExtension(i), StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"{key}:Instances name {string.Join(" and ", clash)}, which would both write to the folder '{clash.Key}': give the files different names.");
        }

        if (string.IsNullOrWhiteSpace(options.OutputDirectory))
        {
            problems.Add($"{key}:OutputDirectory is not set: name the folder for plan.json (--out DIR).");
        }
        else if (Core.IO.OutputFolder.Problem(options.OutputDirectory) is { } folderProblem)
        {
            problems.Add($"{key}:OutputDirectory {folderProblem} (--out DIR).");
        }

        try
        {
            _ = options.Cron;
        }
        catch (CronFormatException e)
        {
            problems.Add($"{key}:Schedule '{options.Schedule}' is not a cron expression ({e.Message}); e.g. '0 2 * * *' for 02:00 every night.");
        }

        try
        {
            _ = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            problems.Add($"{key}:TimeZone '{options.TimeZone}' is not a known time zone: use an IANA id such as UTC or Europe/Paris.");
        }

        // The planner's numeric settings have one set of rules, shared with the command line (PlannerOptionRules).
        foreach (var (setting, flag, problem) in new[]
        {
            ("TimeLimitSeconds", "--time-limit S", PlannerOptionRules.TimeLimitSeconds(options.TimeLimitSeconds)),
            ("TargetGap", "--gap G", PlannerOptionRules.TargetGap(options.TargetGap)),
            ("Threads", "--threads N", PlannerOptionRules.Threads(options.Threads)),
            ("MoveCostPerGpuPeriod", "--move-cost USD", PlannerOptionRules.MoveCostPerGpuPeriod(options.MoveCostPerGpuPeriod)),
        })
        {
            if (problem is not null)
            {
                problems.Add($"{key}:{setting} {problem} ({flag}).");
            }
        }

        if (RiskMeasure.Parse(options.Risk ?? "", out var riskError) is null)
        {
            problems.Add($"{key}:Risk: {riskError}");
        }

        problems.AddRange(new Planning.Policies.RobustSettings
        {
            Scenarios = options.Scenarios,
            BatchSize = options.BatchSize,
            Evaluations = options.Evaluations,
            OutOfSampleScenarios = options.OutOfSampleScenarios,
        }.Validate().Select(p => $"{key}:{p.Setting} {p.Problem}"));
        if (PlannerOptionRules.MipThreads(options.MipThreads, options.Threads) is { } mipThreads)
        {
            problems.Add($"{key}:MipThreads {mipThreads} (--mip-threads N).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
