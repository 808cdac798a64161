using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Scenarios;

namespace Allocator.Core.ClosedLoop;

/// <summary>
/// The hindsight instance of a scenario (closed-loop.md, "The clairvoyant benchmark"): the scenario's draws written into
/// the instance, so that its exact optimum is the best a plan could have made knowing the future. Pure.
/// </summary>
public static class HindsightInstance
{
    /// <summary>The hindsight instance of scenario <paramref name="scenario"/> of <paramref name="seed"/>.</summary>
    public static Instance Of(CompiledInstance instance, ulong seed, long scenario) => Of(instance, ScenarioDraws.Of(instance, seed, scenario));

    /// <summary>The hindsight instance of the scenario that drew <paramref name="draws"/>.</summary>
    public static Instance Of(CompiledInstance instance, ScenarioDraws draws)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(draws);
        var source = instance.Source;
        var T = instance.Periods;
        var available = draws.AvailableGpus;
        var prices = draws.SpotPrice;
        return source with
        {
            Pools = [.. source.Pools.Select((pool, p) => CapacityAsDeliveries.Write(pool, [.. Enumerable.Range(0, T).Select(t => (long)Math.Floor(Math.Max(0, available[p * T + t])))]))],
            Leases = [.. Leases(instance, draws)],
            Jobs = [.. Jobs(instance, draws)],
            Spot = source.Spot is { } spot ? spot with { PricePerGpuHour = prices.Average(), PriceByPeriod = [.. prices] } : null,
            Uncertainty = null,
        };
    }

    /// <summary>
    /// The penalty of every signed lease over its full length: the constant that turning signed leases into offers at
    /// price + penalty adds to every plan's objective. The clairvoyant value is the hindsight optimum less this.
    /// </summary>
    public static double SignedPenalty(CompiledInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return Enumerable.Range(0, instance.LeaseCount).Where(l => instance.LeaseSigned[l])
            .Sum(l => (double)instance.LeaseGpus[l] * instance.LeasePeriods[l] * instance.PeriodHours * instance.LeasePenaltyPerGpuHour[l]);
    }

    /// <summary>The offers the scenario made; signed leases as offers at price + penalty, so a feasible plan always exists.</summary>
    private static IEnumerable<Lease> Leases(CompiledInstance instance, ScenarioDraws draws)
    {
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            if (!draws.OfferMade[l])
            {
                continue;
            }

            var lease = instance.Source.Leases[l] with { AnnouncedAt = 0 };
            yield return lease.Status == LeaseStatus.Signed
                ? lease with { Status = LeaseStatus.Offer, PricePerGpuHour = lease.PricePerGpuHour + lease.PenaltyPerGpuHour }
                : lease;
        }
    }

    /// <summary>
    /// Each job with its actual length and the decay its overrun costs; failed jobs absent (and out of <c>after</c>),
    /// succeeded ones certain; absent when it no longer fits its window, with every job after it; <c>required</c> dropped.
    /// </summary>
    private static IEnumerable<Job> Jobs(CompiledInstance instance, ScenarioDraws draws)
    {
        var source = instance.Source;
        var outcomeDrawn = source.Uncertainty is { JobSuccess: true };
        var kept = new Job?[source.Jobs.Length];
        var late = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < source.Jobs.Length; j++)
        {
            var job = source.Jobs[j];
            if (!draws.Succeeds(j))
            {
                continue;
            }

            var overrun = draws.OverrunPeriods[j];
            var periods = job.Periods + overrun;
            if (job.EarliestStart + periods - 1 > instance.JobLastPeriod[j])
            {
                late.Add(job.Id);
                continue;
            }

            kept[j] = job with
            {
                Periods = periods,
                Value = Math.Max(0, job.Value - (job.DecayPerPeriod * overrun)),
                SuccessProbability = outcomeDrawn ? 1 : job.SuccessProbability,
                SuccessKnownAfter = null,
                Required = false,
            };
        }

        return JobChains.Present(kept, late);
    }
}
