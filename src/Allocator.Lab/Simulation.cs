using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Allocator.Core.ClosedLoop;
using Allocator.Core.Evaluation;
using Allocator.Core.Policies;
using Allocator.Core.Scenarios;
using Allocator.Core.Text;
using Allocator.Solver;

namespace Allocator.Lab;

/// <summary>
/// A policy as the simulator runs it: re-planning every epoch, or (<see cref="Static"/>) planning once at period 0 and
/// keeping that plan, which is the open-loop decision scored under the same rules.
/// </summary>
public sealed record SimulatedPolicy(string Name, IPlanningPolicy Policy, bool Static);

/// <summary>What to simulate: every policy in every scenario, on the same draws.</summary>
public sealed record SimulationRequest(CompiledInstance Instance, IReadOnlyList<SimulatedPolicy> Policies, int Scenarios, ulong Seed, int ReplanEvery)
{
    /// <summary>The CVaR share: the mean of the worst alpha of scenarios.</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>Solve each scenario's hindsight instance for the clairvoyant value (null: not).</summary>
    public PlannerOptions? Hindsight { get; init; }

    /// <summary>Scenarios run at once.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>The first scenario number (a task of a split run starts further on).</summary>
    public long FirstScenario { get; init; }

    /// <summary>The scenario whose decisions are kept for the timeline.</summary>
    public long ShownScenario { get; init; }

    /// <summary>
    /// What else decides the results beyond the fields above: the policies' planner settings (time and node limits per
    /// epoch), as the caller words them. Only the <see cref="Fingerprint"/> reads it.
    /// </summary>
    public string Settings { get; init; } = "";

    /// <summary>
    /// What identifies this run's results, so that the tasks of a split run are told apart from another run's: the first
    /// 16 hex digits of the SHA-256 of the instance as written, the policies, the scenario count, the seed, the replanning
    /// interval, the hindsight solve's limits and <see cref="Settings"/>. Not the alpha, the threads or the scenario shown,
    /// which change only the summary or the timeline.
    /// </summary>
    public string Fingerprint()
    {
        var definition = string.Join('\n',
            Core.Json.InstanceWriter.Write(Instance.Source),
            string.Join(',', Policies.Select(p => p.Name)),
            Scenarios, Seed, ReplanEvery,
            Hindsight is { } h ? $"hindsight {h.TimeLimit.TotalSeconds} s, {h.NodeLimit} nodes" : "no hindsight",
            Settings);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(definition)))[..16];
    }
}

/// <summary>
/// One policy's results: its value in each scenario, the epochs it found no plan and those its solve stopped at its
/// limit, its mean value by period, and the decisions of the shown scenario (null where this run does not hold it:
/// another task's scenario, or a merge).
/// </summary>
public sealed record PolicyRuns(string Name, ImmutableArray<double> Values, ImmutableArray<int> FailedEpochs, ImmutableArray<int> LimitedEpochs, ImmutableArray<double> MeanValueByPeriod, LoopOutcome? Shown, double Seconds);

/// <summary>What a simulation found: each policy's runs and, when asked, each scenario's clairvoyant value.</summary>
public sealed record SimulationResult(SimulationRequest Request, ImmutableArray<PolicyRuns> Policies, ImmutableArray<double>? Clairvoyant, double Seconds)
{
    /// <summary>
    /// Each scenario's bound on its clairvoyant value: the hindsight solve's proven bound, less the same constant; equal
    /// to <see cref="Clairvoyant"/> where the solve proved its optimum, above it where a limit stopped it first (null:
    /// no hindsight, or a run from before bounds were kept).
    /// </summary>
    public ImmutableArray<double>? ClairvoyantBound { get; init; }

    /// <summary>How far the clairvoyant values may fall short of the hindsight optima; null when every solve was proven (or none ran).</summary>
    public HindsightShortfall? Shortfall =>
        Clairvoyant is { } values && ClairvoyantBound is { } bounds && values.Zip(bounds).Count(v => !(v.Second <= v.First)) is var unproven and > 0
            ? new HindsightShortfall(unproven, values.Length, values.Average(), bounds.Average())
            : null;
}

/// <summary>
/// Hindsight solves stopped before proving their optimum: <see cref="Unproven"/> of <see cref="Solved"/>. Each scenario's
/// hindsight optimum lies between its solve's value and its bound, so the clairvoyant mean lies between
/// <see cref="Mean"/> and <see cref="BoundMean"/>, and every regret may be up to the difference larger.
/// </summary>
public sealed record HindsightShortfall(int Unproven, int Solved, double Mean, double BoundMean)
{
    /// <summary>What a reader must know before reading the regrets.</summary>
    public string Sentence =>
        $"{Unproven} of {Solved} hindsight solves stopped before proving their optimum: the clairvoyant mean {Figures.Whole(Mean)} is a lower estimate "
        + (double.IsFinite(BoundMean)
            ? $"(at most {Figures.Whole(BoundMean)}, the mean of their bounds), so each regret may be up to {Figures.Whole(BoundMean - Mean)} larger"
            : "(some proved no bound at all), so the regrets may be larger by any amount")
        + " and 'beat clairvoyant' counts scenarios whose solves did not finish. Give the hindsight solves more time for figures to rely on.";
}

/// <summary>
/// The closed-loop simulator (closed-loop.md): every policy through every scenario with <see cref="ClosedLoopRun"/>,
/// scenarios in parallel; scenario k is the same draw for every policy, and reruns give the same numbers.
/// </summary>
public static class Simulation
{
    /// <summary>
    /// Runs <paramref name="request"/>, reporting each finished (policy, scenario) to <paramref name="progress"/>. A stop
    /// (<paramref name="cancellation"/>) throws <see cref="OperationCanceledException"/>, however late it comes: the solves
    /// it cut short handed over early plans, so no result is returned.
    /// </summary>
    public static SimulationResult Run(SimulationRequest request, Action<string>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var plans = new RememberedPlans();
        var runs = request.Policies.Select(p => Simulate(request, p, plans, progress, cancellation)).ToImmutableArray();
        (ImmutableArray<double> Values, ImmutableArray<double> Bounds)? clairvoyant = request.Hindsight is { } options ? Clairvoyant(request, options, progress, cancellation) : null;
        cancellation.ThrowIfCancellationRequested();
        return new SimulationResult(request, runs, clairvoyant?.Values, clock.Elapsed.TotalSeconds) { ClairvoyantBound = clairvoyant?.Bounds };
    }

    private static PolicyRuns Simulate(SimulationRequest request, SimulatedPolicy policy, RememberedPlans plans, Action<string>? progress, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var instance = request.Instance;
        var every = policy.Static ? instance.Periods : request.ReplanEvery;
        var outcomes = new LoopOutcome[request.Scenarios];
        var (made, reused) = (plans.Made, plans.Reused);
        var planning = plans.Around(policy.Policy);
        Parallel.For(0, request.Scenarios, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.Threads), CancellationToken = cancellation }, k =>
            outcomes[k] = ClosedLoopRun.Run(instance, planning, request.Seed, request.FirstScenario + k, every, cancellation));
        progress?.Invoke($"{policy.Name}: {request.Scenarios} scenarios in {clock.Elapsed.TotalSeconds:0.0} s ({plans.Made - made} plan(s) made, {plans.Reused - reused} reused for a residual instance planned before)");
        var shown = request.ShownScenario - request.FirstScenario;
        return new PolicyRuns(
            policy.Name,
            [.. outcomes.Select(o => o.Outcome.Total)],
            [.. outcomes.Select(o => o.FailedEpochs)],
            [.. outcomes.Select(o => o.LimitedEpochs)],
            [.. Enumerable.Range(0, instance.Periods).Select(t => outcomes.Average(o => o.ValueByPeriod[t]))],
            shown >= 0 && shown < request.Scenarios ? outcomes[shown] : null,
            clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Each scenario's clairvoyant value: the exact optimum of its hindsight instance less the signed leases' penalty, and
    /// its bound (the value itself where the solve proved it). A hindsight instance that another scenario's draws also
    /// make (where only discrete draws are uncertain: slips, offers, outcomes; or none) is solved once.
    /// </summary>
    private static (ImmutableArray<double> Values, ImmutableArray<double> Bounds) Clairvoyant(SimulationRequest request, PlannerOptions options, Action<string>? progress, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var instance = request.Instance;
        var (values, bounds) = (new double[request.Scenarios], new double[request.Scenarios]);
        var constant = HindsightInstance.SignedPenalty(instance);
        var optima = new ConcurrentDictionary<string, Lazy<(double Value, double Bound)>>();
        Parallel.For(0, request.Scenarios, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.Threads), CancellationToken = cancellation }, k =>
        {
            var hindsight = new CompiledInstance(HindsightInstance.Of(instance, request.Seed, request.FirstScenario + k));
            var optimum = optima.GetOrAdd(RememberedPlans.Key(hindsight), _ => new Lazy<(double, double)>(() => Optimum(hindsight, options, cancellation), LazyThreadSafetyMode.ExecutionAndPublication));
            (values[k], bounds[k]) = (optimum.Value.Value - constant, optimum.Value.Bound - constant);
        });
        progress?.Invoke($"hindsight: {request.Scenarios} scenarios in {clock.Elapsed.TotalSeconds:0.0} s ({optima.Count} distinct hindsight instance(s) solved)");
        return ([.. values], [.. bounds]);
    }

    /// <summary>The hindsight instance's best plan found (NaN: none) and the bound on its optimum (the plan's value where proven; infinity: no bound).</summary>
    private static (double Value, double Bound) Optimum(CompiledInstance hindsight, PlannerOptions options, CancellationToken cancellation)
    {
        var solved = ExactPlanner.Solve(hindsight, options, cancellation: cancellation);
        var value = solved.Objective ?? double.NaN;
        return (value, solved.End == SolveEnd.Proven ? value : solved.Bound ?? double.PositiveInfinity);
    }

    /// <summary>Epochs a policy plans in one scenario: one for a static policy, else one every replanning interval.</summary>
    private static int EpochsPerScenario(SimulationRequest request, SimulatedPolicy policy) =>
        policy.Static ? 1 : (request.Instance.Periods + request.ReplanEvery - 1) / request.ReplanEvery;

    /// <summary>Per policy: mean, CVaR, epochs without a plan and stopped at their limit, the value of adapting (policy - the first static policy) and the regret against the clairvoyant value.</summary>
    public static IReadOnlyList<SimulatedSummary> Summarize(SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var request = result.Request;
        var baseline = result.Policies.Zip(request.Policies).FirstOrDefault(p => p.Second.Static).First;
        return
        [
            .. result.Policies.Select((p, i) => new SimulatedSummary(
                p.Name,
                p.Values.Average(),
                RiskSummary.ConditionalValueAtRisk(p.Values, request.Alpha),
                p.FailedEpochs.Sum(),
                p.LimitedEpochs.Sum(),
                p.Values.Length * EpochsPerScenario(request, request.Policies[i]),
                baseline is null || baseline == p ? null : PairedDifference.Mean(p.Values, baseline.Values),
                result.Clairvoyant is { } c ? PairedDifference.Mean(c, p.Values) : null,
                result.Clairvoyant is { } beat ? p.Values.Zip(beat).Count(v => v.First > v.Second + (1e-9 * Math.Abs(v.Second))) / (double)p.Values.Length : null,
                p.Seconds)),
        ];
    }
}

/// <summary>
/// One policy's line of a simulation report. <see cref="Adapting"/>: its mean minus the static policy's, paired;
/// <see cref="Regret"/>: E[clairvoyant] - E[policy], paired; <see cref="BeatClairvoyant"/>: the share of scenarios in
/// which it made more than the clairvoyant plan (possible through recourse the plan rules do not allow);
/// <see cref="LimitedEpochs"/> of its <see cref="Epochs"/> decisions came from solves stopped at their time or node limit.
/// </summary>
public sealed record SimulatedSummary(string Name, double Mean, double ConditionalValueAtRisk, int FailedEpochs, int LimitedEpochs, int Epochs, Difference? Adapting, Difference? Regret, double? BeatClairvoyant, double Seconds);
