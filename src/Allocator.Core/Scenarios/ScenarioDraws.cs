using System.Collections.Immutable;
using Allocator.Core.Evaluation;

namespace Allocator.Core.Scenarios;

/// <summary>
/// Everything scenario <see cref="Scenario"/> of a seed draws (docs/scenarios.md, "Distributions"), as the recourse uses
/// it: when each delivery arrives, the share of each pool down in each period and the GPUs then working, each job's
/// overrun and outcome, which offers are made, the spot price of each period. <see cref="ScenarioRun"/> runs on these,
/// and <c>allocator scenarios</c> writes them, so what a researcher reads is what every scorer used.
/// </summary>
/// <param name="Scenario">The scenario's number.</param>
/// <param name="DeliveryArrival">Per delivery (pools in order, then their deliveries in order): the period it arrives, slip included (may be past the horizon).</param>
/// <param name="OutageShare">Per pool and period (<c>[pool * Periods + t]</c>): the share of its GPUs down.</param>
/// <param name="AvailableGpus">Per pool and period: its GPUs and the deliveries arrived by then, times (1 - the share down).</param>
/// <param name="OverrunPeriods">Per job: the extra periods it needs (0: none).</param>
/// <param name="JobSucceeds">Per job: whether it succeeds; empty where the instance does not draw outcomes (no <c>jobSuccess</c>).</param>
/// <param name="OfferMade">Per lease: whether it is made (signed leases and offers announced at 0 always are).</param>
/// <param name="SpotPrice">Per period: the spot price in USD per GPU-hour.</param>
public sealed record ScenarioDraws(
    long Scenario,
    ImmutableArray<int> DeliveryArrival,
    ImmutableArray<double> OutageShare,
    ImmutableArray<double> AvailableGpus,
    ImmutableArray<int> OverrunPeriods,
    ImmutableArray<bool> JobSucceeds,
    ImmutableArray<bool> OfferMade,
    ImmutableArray<double> SpotPrice)
{
    /// <summary>Draws scenario <paramref name="scenario"/> of <paramref name="seed"/> on <paramref name="instance"/>.</summary>
    public static ScenarioDraws Of(CompiledInstance instance, ulong seed, long scenario)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var T = instance.Periods;
        var drawsOutcomes = instance.Source.Uncertainty is { JobSuccess: true };
        int[] arrivals = [.. Enumerable.Range(0, instance.DeliveryPool.Length).Select(d => ReferenceScorer.DeliveryArrival(instance, seed, scenario, d))];
        double[] down = [.. Enumerable.Range(0, instance.PoolCount * T).Select(i => ReferenceScorer.OutageShare(instance, seed, scenario, i / T, i % T))];
        return new ScenarioDraws(
            scenario,
            [.. arrivals],
            [.. down],
            [.. ReferenceScorer.AvailableGpus(instance, arrivals, down)],
            [.. Enumerable.Range(0, instance.JobCount).Select(j => ReferenceScorer.OverrunPeriods(instance, seed, scenario, j))],
            drawsOutcomes ? [.. Enumerable.Range(0, instance.JobCount).Select(j => ReferenceScorer.JobSucceeds(instance, seed, scenario, j))] : [],
            [.. Enumerable.Range(0, instance.LeaseCount).Select(l => ReferenceScorer.OfferMade(instance, seed, scenario, l))],
            [.. ReferenceScorer.SpotPrices(instance, seed, scenario)]);
    }

    /// <summary>Whether job j succeeds as the recourse counts it: its draw, or always where outcomes are not drawn.</summary>
    public bool Succeeds(int job) => JobSucceeds.IsEmpty || JobSucceeds[job];
}
