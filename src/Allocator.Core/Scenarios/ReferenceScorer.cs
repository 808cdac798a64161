using Allocator.Core.Evaluation;

namespace Allocator.Core.Scenarios;

/// <summary>
/// The executable definition of scenarios (docs/scenarios.md): what one plan makes in scenario k of a seed, and the
/// scenario's draws. Plain, readable and slow on purpose; the bulk scorers (CPU fast path, ILGPU kernels) are checked
/// against it. Period by period it is <see cref="ScenarioRun"/>, which the closed loop also runs, changing the plan
/// between periods.
/// </summary>
public static class ReferenceScorer
{
    /// <summary>Scores <paramref name="plan"/> in scenario <paramref name="scenario"/> of <paramref name="seed"/>.</summary>
    public static ScenarioOutcome Score(CompiledInstance instance, Assignment plan, ulong seed, long scenario)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var run = new ScenarioRun(instance, seed, scenario);
        while (run.Period < instance.Periods)
        {
            run.RunPeriod(plan);
        }

        return run.Outcome;
    }

    /// <summary>
    /// GPUs of pool p working in each period (<c>[p * Periods + t]</c>): its GPUs and the deliveries arrived by then (at
    /// <paramref name="arrivals"/>, slips included), times 1 - the share down (<paramref name="outageShare"/>, same layout).
    /// </summary>
    public static double[] AvailableGpus(CompiledInstance instance, IReadOnlyList<int> arrivals, IReadOnlyList<double> outageShare)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(arrivals);
        ArgumentNullException.ThrowIfNull(outageShare);
        var T = instance.Periods;
        var gpus = new double[instance.PoolCount * T];
        for (var p = 0; p < instance.PoolCount; p++)
        {
            for (var t = 0; t < T; t++)
            {
                gpus[p * T + t] = instance.PoolInitialGpus[p];
            }
        }

        for (var d = 0; d < instance.DeliveryPool.Length; d++)
        {
            for (var t = Math.Max(0, arrivals[d]); t < T; t++)
            {
                gpus[instance.DeliveryPool[d] * T + t] += instance.DeliveryGpus[d];
            }
        }

        for (var i = 0; i < gpus.Length; i++)
        {
            gpus[i] *= 1 - outageShare[i];
        }

        return gpus;
    }

    /// <summary>
    /// The share of pool <paramref name="pool"/>'s GPUs down in period <paramref name="period"/>: max x U^a with
    /// a = max / mean - 1, within [0, max] and of mean exactly `mean`; 0 without outages.
    /// </summary>
    public static double OutageShare(CompiledInstance instance, ulong seed, long scenario, int pool, int period)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.Source.Uncertainty?.Outage is { Max: > 0, Mean: > 0 } outage
            ? outage.Max * Math.Pow(ScenarioRandom.Uniform(seed, scenario, ScenarioRandom.Outage, pool, period), (outage.Max / outage.Mean) - 1)
            : 0;
    }

    /// <summary>Extra periods job j needs in this scenario: 0, or 1..ceil(maxFraction * periods).</summary>
    public static int OverrunPeriods(CompiledInstance instance, ulong seed, long scenario, int job)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var overrun = instance.Source.Uncertainty?.JobOverrun;
        if (overrun is null || ScenarioRandom.Uniform(seed, scenario, ScenarioRandom.JobOverrun, job, 0) >= overrun.Probability)
        {
            return 0;
        }

        var most = (int)Math.Ceiling(overrun.MaxFraction * instance.JobPeriods[job]);
        return most <= 0 ? 0 : 1 + (int)(ScenarioRandom.Uniform(seed, scenario, ScenarioRandom.JobOverrunPeriods, job, 0) * most);
    }

    /// <summary>Whether job <paramref name="job"/> succeeds in the scenario (the draw; it matters only with <c>jobSuccess</c> on).</summary>
    public static bool JobSucceeds(CompiledInstance instance, ulong seed, long scenario, int job)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return ScenarioRandom.Uniform(seed, scenario, ScenarioRandom.JobSuccess, job, 0) < instance.JobSuccessProbability[job];
    }

    /// <summary>Whether lease <paramref name="lease"/> is made in the scenario: always, unless it is an offer announced later with uncertain arrival.</summary>
    public static bool OfferMade(CompiledInstance instance, ulong seed, long scenario, int lease)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return !instance.OfferMayNotArrive(lease)
            || ScenarioRandom.Uniform(seed, scenario, ScenarioRandom.OfferArrival, lease, 0) < instance.OfferArrivalProbability;
    }

    /// <summary>Whether a job that has run <paramref name="progress"/> periods is now known to have failed (its milestone, with job success uncertain).</summary>
    internal static bool FailureKnown(CompiledInstance instance, int job, int progress, bool succeeds) =>
        !succeeds && instance.Source.Uncertainty is { JobSuccess: true } && instance.JobSuccessKnownAfter[job] > 0 && progress == instance.JobSuccessKnownAfter[job];

    /// <summary>
    /// Spot price per period: the base price of each period times a log-normal random walk with mean-preserving steps
    /// (<see cref="SpotMultipliers"/>).
    /// </summary>
    public static double[] SpotPrices(CompiledInstance instance, ulong seed, long scenario)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var multipliers = SpotMultipliers(instance, seed, scenario);
        return [.. Enumerable.Range(0, instance.Periods).Select(t => multipliers[t] is { } m ? instance.SpotPrice[t] * m : instance.SpotPrice[t])];
    }

    /// <summary>
    /// The spot price multiplier of each period, M[t] = M[t-1] exp(sigma Z[t] - sigma^2 / 2) from M[-1] = 1
    /// (closed-loop.md); null in every period without volatility (the price is the base price).
    /// </summary>
    public static double?[] SpotMultipliers(CompiledInstance instance, ulong seed, long scenario)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var multipliers = new double?[instance.Periods];
        var sigma = instance.Source.Uncertainty?.SpotVolatility ?? 0;
        var logMultiplier = 0.0;
        for (var t = 0; t < instance.Periods && sigma > 0; t++)
        {
            var radius = 1 - ScenarioRandom.Uniform(seed, scenario, ScenarioRandom.SpotStepRadius, 0, t);
            var angle = ScenarioRandom.Uniform(seed, scenario, ScenarioRandom.SpotStepAngle, 0, t);
            var z = Math.Sqrt(-2 * Math.Log(radius)) * Math.Cos(2 * Math.PI * angle);
            logMultiplier += sigma * z - sigma * sigma / 2;
            multipliers[t] = Math.Exp(logMultiplier);
        }

        return multipliers;
    }

    /// <summary>The period delivery d arrives in the scenario: its planned period, or later when it slips.</summary>
    public static int DeliveryArrival(CompiledInstance instance, ulong seed, long scenario, int delivery)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var slip = instance.Source.Uncertainty?.DeliverySlip;
        var arrival = instance.DeliveryPeriod[delivery];
        if (slip is not null && ScenarioRandom.Uniform(seed, scenario, ScenarioRandom.DeliverySlip, delivery, 0) < slip.Probability)
        {
            arrival += 1 + (int)(ScenarioRandom.Uniform(seed, scenario, ScenarioRandom.DeliverySlipPeriods, delivery, 0) * slip.MaxPeriods);
        }

        return arrival;
    }

    /// <summary>GPUs of <paramref name="kwPerGpu"/> kW that a site's remaining power (in kW) can run; infinite without a cap or a draw.</summary>
    internal static double GpusWithinPower(double powerLeftKw, double kwPerGpu) =>
        double.IsPositiveInfinity(powerLeftKw) || kwPerGpu <= 0 ? double.PositiveInfinity : Math.Max(0, powerLeftKw) / kwPerGpu;

    /// <summary>The site's pools with a positive margin at this price, best margin per MW first (ties: pool order).</summary>
    internal static IEnumerable<int> SpotOrder(CompiledInstance instance, int site, double price)
    {
        if (instance.SellThrough <= 0)
        {
            return [];
        }

        return Enumerable.Range(0, instance.PoolCount)
            .Where(p => instance.PoolSite[p] == site && Margin(instance, p, price) > 0)
            .OrderByDescending(p => instance.KwPerGpu[p] > 0 ? Margin(instance, p, price) / instance.KwPerGpu[p] : double.PositiveInfinity)
            .ThenBy(p => p);
    }

    private static double Margin(CompiledInstance instance, int pool, double price) =>
        instance.PeriodHours * price - instance.PowerCostPerGpuPeriod[pool];
}
