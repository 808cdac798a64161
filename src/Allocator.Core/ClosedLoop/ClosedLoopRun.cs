using System.Collections.Immutable;
using System.Diagnostics;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Core.Policies;
using Allocator.Core.Scenarios;

namespace Allocator.Core.ClosedLoop;

/// <summary>What a policy decided at one epoch: whether it planned, the offers it answered, and how long it took.</summary>
public sealed record EpochDecision(int Epoch, PolicyOutcome Outcome, ImmutableArray<string> Accepted, ImmutableArray<string> Declined, double Seconds)
{
    /// <summary>The state the policy was given (its residual instance is <see cref="ResidualInstance.Of"/> of it).</summary>
    public required LoopState State { get; init; }

    /// <summary>The policy's plan for that residual instance, in its terms (null: it found none).</summary>
    public Assignment? Plan { get; init; }

    /// <summary>Why the policy's solve ended, as plan.json says (<see cref="PlanReport.Ended"/>; null for a policy that does not solve).</summary>
    public string? Ended { get; init; }
}

/// <summary>
/// A policy's run through one scenario: the money made, the money made by the end of each period (jobs count when they
/// finish), each epoch's decision, and the epochs it found no plan.
/// </summary>
public sealed record LoopOutcome(ScenarioOutcome Outcome, ImmutableArray<double> ValueByPeriod, ImmutableArray<EpochDecision> Epochs)
{
    /// <summary>Epochs at which the policy returned no feasible plan and the previous plan ran on.</summary>
    public int FailedEpochs => Epochs.Count(e => e.Outcome != PolicyOutcome.Planned);

    /// <summary>Epochs at which the policy's solve stopped at its limit before proving its plan optimal.</summary>
    public int LimitedEpochs => Epochs.Count(e => e.Ended == PlanReport.EndedAtLimit);
}

/// <summary>
/// The closed loop (closed-loop.md): at each epoch 0, k, 2k, ... the policy is given the residual instance of what is
/// known and returns a plan for it; the scenario then runs periods t .. t+k-1 of that plan under the recourse
/// (<see cref="ScenarioRun"/>, the same rules as the open loop) and the state moves on. The policy sees only the residual
/// instance: nothing drawn for a period it has not reached.
/// </summary>
public static class ClosedLoopRun
{
    /// <summary>Runs <paramref name="policy"/> through scenario <paramref name="scenario"/> of <paramref name="seed"/>, re-planning every <paramref name="replanEvery"/> periods.</summary>
    public static LoopOutcome Run(CompiledInstance instance, IPlanningPolicy policy, ulong seed, long scenario, int replanEvery, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfLessThan(replanEvery, 1);
        var run = new ScenarioRun(instance, seed, scenario);
        var multipliers = ReferenceScorer.SpotMultipliers(instance, seed, scenario);
        var arrivals = run.Draws.DeliveryArrival;
        var state = LoopState.Start(instance);
        var ranOn = Enumerable.Repeat(-1, instance.JobCount).ToArray();
        var current = Assignment.Empty(instance);
        var epochs = ImmutableArray.CreateBuilder<EpochDecision>();
        var valueByPeriod = ImmutableArray.CreateBuilder<double>(instance.Periods);
        for (var t = 0; t < instance.Periods; t += replanEvery)
        {
            state = Miss(instance, run, Observe(instance, run, state, t, arrivals, multipliers, ranOn), t);
            var clock = Stopwatch.StartNew();
            var residual = new CompiledInstance(ResidualInstance.Of(instance, state));
            var planned = policy.Plan(new PolicyInput(residual), null, cancellation);
            if (planned.Assignment is { } plan)
            {
                current = Lift(instance, residual, plan, state, current);
            }

            var (answered, accepted, declined) = Answer(instance, state, current);
            epochs.Add(new EpochDecision(t, planned.Outcome, accepted, declined, clock.Elapsed.TotalSeconds) { State = state, Plan = planned.Assignment, Ended = planned.Report.Ended });
            state = answered;
            for (var u = t; u < Math.Min(t + replanEvery, instance.Periods); u++)
            {
                var before = Enumerable.Range(0, instance.JobCount).Select(run.Progress).ToArray();
                run.RunPeriod(current);
                valueByPeriod.Add(run.Outcome.Total);
                state = Started(instance, state, current, u);
                for (var j = 0; j < instance.JobCount; j++)
                {
                    ranOn[j] = run.Progress(j) > before[j] ? current.JobPool[j] : ranOn[j];
                }
            }
        }

        // A commitment still waiting at the end was never placed: it counts as missed in the horizon's last period.
        Miss(instance, run, state, instance.Periods);
        if (valueByPeriod.Count > 0)
        {
            valueByPeriod[^1] = run.Outcome.Total;
        }

        return new LoopOutcome(run.Outcome, valueByPeriod.ToImmutable(), epochs.ToImmutable());
    }

    /// <summary>
    /// Each accepted lease whose window ended before epoch t without a plan placing it (a policy that found none while it
    /// could start: its plan before epoch 0 is the empty one) is missed: charged in full to the scenario, gone from the residual.
    /// </summary>
    private static LoopState Miss(CompiledInstance instance, ScenarioRun run, LoopState state, int t)
    {
        var leases = state.Leases.ToBuilder();
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            if (leases[l].Stage == LeaseStage.Accepted && instance.LeaseLatestStart[l] < t)
            {
                leases[l] = new LeaseState(LeaseStage.Missed);
                run.Miss(l);
            }
        }

        return state with { Leases = leases.ToImmutable() };
    }

    /// <summary>
    /// What is known at epoch t: deliveries arrived by t, offers announced by t (and whether they were made), each job's
    /// progress, outcome once known (at its milestone or its end) and overrun once revealed (when it has run its planned
    /// periods and is not finished), and the spot multiplier up to period t-1.
    /// </summary>
    private static LoopState Observe(CompiledInstance instance, ScenarioRun run, LoopState state, int t, ImmutableArray<int> arrivals, double?[] multipliers, int[] ranOn)
    {
        var jobSuccess = instance.Source.Uncertainty is { JobSuccess: true };
        var leases = state.Leases.Select((lease, l) => lease.Stage switch
        {
            LeaseStage.NotAnnounced when instance.LeaseAnnouncedAt[l] <= t => new LeaseState(run.Made(l) ? LeaseStage.Open : LeaseStage.NotMade),
            LeaseStage.Open when instance.LeaseLatestStart[l] < t => new LeaseState(LeaseStage.Declined),
            _ => lease,
        });
        var jobs = Enumerable.Range(0, instance.JobCount).Select(j =>
        {
            var (ran, done) = (run.Progress(j), run.FinishedAt(j) >= 0);
            var knownAfter = instance.JobSuccessKnownAfter[j];
            var known = jobSuccess && (done || (knownAfter > 0 && ran >= knownAfter));
            var overrun = !done && ran >= instance.JobPeriods[j] ? run.Needs(j) - instance.JobPeriods[j] : 0;
            return new JobState(ran, ran > 0 ? ranOn[j] : -1, done && (!known || run.Succeeds(j)), known ? run.Succeeds(j) : null, overrun);
        });
        return new LoopState(
            t,
            [.. arrivals.Select(a => a <= t)],
            [.. leases],
            [.. jobs],
            t > 0 && multipliers[t - 1] is { } m ? m : 1.0);
    }

    /// <summary>
    /// The residual plan in the instance's terms: leases and jobs by id, starts moved on by t; a started lease keeps its
    /// start; what the residual leaves out is not placed (a finished job keeps its record).
    /// </summary>
    private static Assignment Lift(CompiledInstance instance, CompiledInstance residual, Assignment plan, LoopState state, Assignment previous)
    {
        var t = state.Epoch;
        var leasePool = Enumerable.Repeat(-1, instance.LeaseCount).ToArray();
        var leaseStart = instance.LeaseEarliestStart.ToArray();
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            if (state.Leases[l] is { Stage: LeaseStage.Started } started)
            {
                (leasePool[l], leaseStart[l]) = (started.Pool, started.Start);
            }
        }

        for (var r = 0; r < residual.LeaseCount; r++)
        {
            var l = instance.LeaseIndex(residual.Source.Leases[r].Id);
            if (plan.LeasePool[r] >= 0 && state.Leases[l].Stage != LeaseStage.Started)
            {
                (leasePool[l], leaseStart[l]) = (plan.LeasePool[r], t + plan.LeaseStart[r]);
            }
        }

        var jobPool = Enumerable.Range(0, instance.JobCount).Select(j => state.Jobs[j].Finished ? previous.JobPool[j] : -1).ToArray();
        var jobStart = Enumerable.Range(0, instance.JobCount).Select(j => state.Jobs[j].Finished ? previous.JobStart[j] : instance.JobEarliestStart[j]).ToArray();
        for (var r = 0; r < residual.JobCount; r++)
        {
            var j = instance.JobIndex(residual.Source.Jobs[r].Id);
            (jobPool[j], jobStart[j]) = plan.JobPool[r] >= 0 ? (plan.JobPool[r], t + plan.JobStart[r]) : (-1, instance.JobEarliestStart[j]);
        }

        return new Assignment([.. leasePool], [.. leaseStart], [.. jobPool], [.. jobStart]);
    }

    /// <summary>Each open offer is answered now: accepted if the plan places it, declined for good otherwise.</summary>
    private static (LoopState State, ImmutableArray<string> Accepted, ImmutableArray<string> Declined) Answer(CompiledInstance instance, LoopState state, Assignment plan)
    {
        var open = Enumerable.Range(0, instance.LeaseCount).Where(l => state.Leases[l].Stage == LeaseStage.Open).ToList();
        var accepted = open.Where(l => plan.LeasePool[l] >= 0).ToList();
        var leases = state.Leases.ToBuilder();
        foreach (var l in open)
        {
            leases[l] = new LeaseState(accepted.Contains(l) ? LeaseStage.Accepted : LeaseStage.Declined);
        }

        return (state with { Leases = leases.ToImmutable() }, [.. accepted.Select(l => instance.Source.Leases[l].Id)],
            [.. open.Except(accepted).Select(l => instance.Source.Leases[l].Id)]);
    }

    /// <summary>An accepted lease whose planned start period has just run has started: it keeps its pool and start.</summary>
    private static LoopState Started(CompiledInstance instance, LoopState state, Assignment plan, int period)
    {
        var leases = state.Leases.ToBuilder();
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            if (leases[l].Stage == LeaseStage.Accepted && plan.LeasePool[l] >= 0 && plan.LeaseStart[l] == period)
            {
                leases[l] = new LeaseState(LeaseStage.Started, plan.LeasePool[l], period);
            }
        }

        return state with { Leases = leases.ToImmutable() };
    }
}
