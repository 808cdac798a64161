using System.Collections.Immutable;
using Allocator.Core.Contract;
using Allocator.Core.Evaluation;

namespace Allocator.Core.ClosedLoop;

/// <summary>Where a lease stands at a decision epoch (closed-loop.md, "Commitments").</summary>
public enum LeaseStage
{
    /// <summary>An offer not announced yet (its <c>announcedAt</c> is after the epoch).</summary>
    NotAnnounced,

    /// <summary>An offer announced and made, not answered yet: the policy answers it now.</summary>
    Open,

    /// <summary>An offer whose scenario never made it.</summary>
    NotMade,

    /// <summary>An offer declined (or whose window passed before it was answered): gone for good.</summary>
    Declined,

    /// <summary>Signed, or an offer accepted, not started: a later plan may move it within its window and pools.</summary>
    Accepted,

    /// <summary>Started (its planned start period has run): it keeps its pool and start.</summary>
    Started,

    /// <summary>
    /// Signed or accepted, but its window passed with no plan placing it (the policy found none while it could start):
    /// wholly short, every GPU-hour paying its penalty (docs/scenarios.md); it leaves the residual.
    /// </summary>
    Missed,
}

/// <summary>A lease at an epoch: its stage, and for a started lease its pool and start.</summary>
public sealed record LeaseState(LeaseStage Stage, int Pool = -1, int Start = -1);

/// <summary>
/// A job at an epoch: periods run, its pool once started (-1 before), whether it finished, its outcome where known
/// (null: not known), and its overrun once revealed (0 before).
/// </summary>
public sealed record JobState(int PeriodsRun, int Pool, bool Finished, bool? Success, int Overrun)
{
    /// <summary>A job that has not run.</summary>
    public static JobState NotStarted { get; } = new(0, -1, false, null, 0);

    /// <summary>Whether it has run a period.</summary>
    public bool Started => PeriodsRun > 0;

    /// <summary>Whether it failed and that is known: it is gone.</summary>
    public bool KnownFailed => Success == false;
}

/// <summary>
/// What is known at decision epoch <see cref="Epoch"/> (periods 0..Epoch-1 have run): which deliveries have arrived
/// (arrivals in period Epoch included), each lease's stage, each job's progress, and the spot price multiplier drawn
/// up to the period before (M[Epoch-1]; 1 at epoch 0). Deliveries are in the compiled instance's order (pool by pool).
/// </summary>
public sealed record LoopState(int Epoch, ImmutableArray<bool> DeliveryArrived, ImmutableArray<LeaseState> Leases, ImmutableArray<JobState> Jobs, double SpotMultiplier)
{
    /// <summary>
    /// The state before anything has run: deliveries planned for period 0 have arrived, signed leases are accepted, offers
    /// announced at 0 are open, later ones not announced, no job has run.
    /// </summary>
    public static LoopState Start(CompiledInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return new LoopState(
            0,
            [.. instance.DeliveryPeriod.Select(p => p <= 0)],
            [.. instance.Source.Leases.Select(l => new LeaseState(
                l.Status == LeaseStatus.Signed ? LeaseStage.Accepted : l.AnnouncedAt == 0 ? LeaseStage.Open : LeaseStage.NotAnnounced))],
            [.. instance.Source.Jobs.Select(_ => JobState.NotStarted)],
            1.0);
    }
}
