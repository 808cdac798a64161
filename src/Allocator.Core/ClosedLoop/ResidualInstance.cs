using System.Collections.Immutable;
using Allocator.Core.Contract;
using Allocator.Core.Evaluation;

namespace Allocator.Core.ClosedLoop;

/// <summary>
/// The residual instance at a decision epoch (closed-loop.md): a valid instance of the contract whose objective for any
/// plan is the remainder of the original objective given what is known, so that every planner is a policy. Pure: the
/// same instance and state give the same residual. Pools, leases and jobs keep their order.
/// </summary>
public static class ResidualInstance
{
    /// <summary>The residual of <paramref name="instance"/> at <paramref name="state"/>'s epoch.</summary>
    public static Instance Of(CompiledInstance instance, LoopState state)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(state);
        var t = state.Epoch;
        if (t < 0 || t >= instance.Periods)
        {
            throw new ArgumentOutOfRangeException(nameof(state), t, $"an epoch is a period of the horizon: 0..{instance.Periods - 1}.");
        }

        var source = instance.Source;
        return source with
        {
            Horizon = source.Horizon with
            {
                Start = source.Horizon.Start.AddDays((int)Math.Floor(t * source.Horizon.PeriodHours / 24)),
                Periods = instance.Periods - t,
            },
            Sites = [.. source.Sites.Select(s => s with { PowerCapMw = s.PowerCapMw is { } cap ? [.. cap.Skip(t)] : null })],
            Pools = [.. source.Pools.Select((pool, p) => CapacityAsDeliveries.Write(pool, Capacity(instance, state, p)))],
            Leases = [.. Leases(instance, state)],
            Jobs = [.. Jobs(instance, state)],
            Spot = Spot(source.Spot, t, state.SpotMultiplier),
        };
    }

    /// <summary>
    /// The pool's GPUs in each residual period: its GPUs, the deliveries arrived by the epoch, and those still to come at
    /// their planned period (one overdue is expected at residual period 1). Outages are not included.
    /// </summary>
    private static long[] Capacity(CompiledInstance instance, LoopState state, int pool)
    {
        var t = state.Epoch;
        var capacity = new long[instance.Periods - t];
        Array.Fill(capacity, instance.PoolInitialGpus[pool]);
        for (var d = 0; d < instance.DeliveryPool.Length; d++)
        {
            if (instance.DeliveryPool[d] != pool)
            {
                continue;
            }

            var from = state.DeliveryArrived[d] ? 0 : Math.Max(1, instance.DeliveryPeriod[d] - t);
            for (var u = from; u < capacity.Length; u++)
            {
                capacity[u] += instance.DeliveryGpus[d];
            }
        }

        return capacity;
    }

    /// <summary>Started leases pinned to their pool for their remaining periods, accepted ones signed, open offers shifted; no others.</summary>
    private static IEnumerable<Lease> Leases(CompiledInstance instance, LoopState state)
    {
        var t = state.Epoch;
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            var (lease, stage) = (instance.Source.Leases[l], state.Leases[l]);
            switch (stage.Stage)
            {
                case LeaseStage.Started when stage.Start + lease.Periods > t:
                    yield return lease with
                    {
                        Status = LeaseStatus.Signed, Pools = [instance.Source.Pools[stage.Pool].Id], EarliestStart = 0, LatestStart = 0,
                        Periods = stage.Start + lease.Periods - t, AnnouncedAt = 0,
                    };
                    break;
                case LeaseStage.Accepted when lease.LatestStart < t:
                    throw new ArgumentException($"lease '{lease.Id}' is accepted and not started, but its latest start {lease.LatestStart} is before epoch {t}.", nameof(state));
                case LeaseStage.Accepted:
                    yield return Shifted(lease, t) with { Status = LeaseStatus.Signed };
                    break;
                case LeaseStage.Open when lease.LatestStart >= t:
                    yield return Shifted(lease, t);
                    break;
            }
        }
    }

    private static Lease Shifted(Lease lease, int t) =>
        lease with { EarliestStart = Math.Max(0, lease.EarliestStart - t), LatestStart = lease.LatestStart - t, AnnouncedAt = 0 };

    /// <summary>
    /// Every job not finished or known to have failed, with what it still needs: r = periods + revealed overrun - periods
    /// run; its value so that the decay rule gives the original decay for the same finish period; absent (with every job
    /// after it) when it can no longer finish by its deadline.
    /// </summary>
    private static IEnumerable<Job> Jobs(CompiledInstance instance, LoopState state)
    {
        var t = state.Epoch;
        var source = instance.Source;
        var remaining = new Job?[source.Jobs.Length];
        var late = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < source.Jobs.Length; j++)
        {
            var (job, run) = (source.Jobs[j], state.Jobs[j]);
            if (run.Finished || run.KnownFailed)
            {
                continue;
            }

            var r = job.Periods + run.Overrun - run.PeriodsRun;
            var earliest = run.Started ? 0 : Math.Max(0, job.EarliestStart - t);
            var deadline = instance.JobLastPeriod[j] - t;
            if (earliest + r - 1 > deadline)
            {
                late.Add(job.Id);
                continue;
            }

            remaining[j] = job with
            {
                Periods = r,
                EarliestStart = earliest,
                Deadline = job.Deadline is null ? null : deadline,
                Pools = run.Started ? [source.Pools[run.Pool].Id] : job.Pools,
                Value = Math.Max(0, job.Value - (job.DecayPerPeriod * (t + earliest + r - job.EarliestStart - job.Periods))),
                SuccessProbability = run.Success == true ? 1 : job.SuccessProbability,
                SuccessKnownAfter = job.SuccessKnownAfter is { } m && m - run.PeriodsRun >= 1 ? m - run.PeriodsRun : null,
            };
        }

        return JobChains.Present(remaining, late);
    }

    /// <summary>The base prices of the remaining periods times the multiplier drawn so far (its expectation from here on).</summary>
    private static SpotMarket? Spot(SpotMarket? spot, int t, double multiplier)
    {
        if (spot is null)
        {
            return null;
        }

        if (spot.PriceByPeriod is not { } prices)
        {
            return spot with { PricePerGpuHour = spot.PricePerGpuHour * multiplier };
        }

        ImmutableArray<double> rest = [.. prices.Skip(t).Select(p => p * multiplier)];
        return spot with { PricePerGpuHour = rest.Average(), PriceByPeriod = rest };
    }
}
