using Allocator.Core.Evaluation;

namespace Allocator.Core.Scenarios;

/// <summary>
/// The executable definition of scenarios (docs/scenarios.md): what one plan makes in scenario k of a seed. Plain,
/// readable and slow on purpose; the bulk scorers (CPU fast path, ILGPU kernels) are checked against it.
/// </summary>
public static class ReferenceScorer
{
    /// <summary>Scores <paramref name="plan"/> in scenario <paramref name="scenario"/> of <paramref name="seed"/>.</summary>
    public static ScenarioOutcome Score(CompiledInstance instance, Assignment plan, ulong seed, long scenario)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(plan);
        var T = instance.Periods;
        var hours = instance.PeriodHours;
        var u = instance.Source.Uncertainty;

        // 1. The draws of this scenario.
        var available = AvailableGpus(instance, seed, scenario);
        var jobNeeds = new int[instance.JobCount];
        var succeeds = new bool[instance.JobCount];
        for (var j = 0; j < instance.JobCount; j++)
        {
            jobNeeds[j] = instance.JobPeriods[j] + OverrunPeriods(instance, seed, scenario, j);
            succeeds[j] = u is not { JobSuccess: true } || JobSucceeds(instance, seed, scenario, j);
        }

        var spotPrice = SpotPrices(instance, seed, scenario);

        // 2. What the plan commits per pool and period: lease GPUs and their price and penalty per GPU-hour.
        var leaseGpus = new double[instance.PoolCount * T];
        var leasePrice = new double[instance.PoolCount * T];
        var leasePenalty = new double[instance.PoolCount * T];
        // An accepted offer that the scenario never makes is not placed: no revenue, no penalty, its GPUs stay free.
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            var p = plan.LeasePool[l];
            if (p < 0 || !OfferMade(instance, seed, scenario, l))
            {
                continue;
            }

            var price = instance.LeasePricePerGpuHour[l];
            for (var t = plan.LeaseStart[l]; t < plan.LeaseStart[l] + instance.LeasePeriods[l] && t < T; t++)
            {
                leaseGpus[p * T + t] += instance.LeaseGpus[l];
                leasePrice[p * T + t] += instance.LeaseGpus[l] * price;
                leasePenalty[p * T + t] += instance.LeaseGpus[l] * instance.LeasePenaltyPerGpuHour[l];
            }
        }

        // Jobs claim GPUs in the order the plan starts them (ties: instance order).
        var jobOrder = Enumerable.Range(0, instance.JobCount).Where(j => plan.JobPool[j] >= 0).OrderBy(j => plan.JobStart[j]).ThenBy(j => j).ToList();
        var progress = new int[instance.JobCount];
        var finished = Enumerable.Repeat(-1, instance.JobCount).ToArray();

        // 3. Period by period: leases take what is there first, then jobs (gang: all their GPUs or they pause), then
        //    spot sells what is left; when GPUs are missing, spot gives way first, then jobs, and only then leases.
        double leaseRevenue = 0, penalty = 0, spotRevenue = 0, powerCost = 0, shortGpuHours = 0;
        var free = new double[instance.PoolCount];
        var draw = new double[instance.PoolCount];
        for (var t = 0; t < T; t++)
        {
            for (var s = 0; s < instance.SiteCount; s++)
            {
                var powerLeftMw = instance.PowerCapMw[s * T + t];
                for (var p = 0; p < instance.PoolCount; p++)
                {
                    if (instance.PoolSite[p] != s)
                    {
                        continue;
                    }

                    var i = p * T + t;
                    var delivered = Math.Min(leaseGpus[i], Math.Max(0, available[i]));
                    delivered = Math.Min(delivered, GpusWithinPower(powerLeftMw, instance.KwPerGpu[p]));
                    var share = leaseGpus[i] > 0 ? delivered / leaseGpus[i] : 1;
                    leaseRevenue += hours * leasePrice[i] * share;
                    penalty += hours * leasePenalty[i] * (1 - share);
                    shortGpuHours += hours * (leaseGpus[i] - delivered);
                    free[p] = Math.Max(0, available[i] - delivered);
                    draw[p] = delivered;
                    powerLeftMw -= delivered * instance.KwPerGpu[p] / 1000;
                }

                foreach (var j in jobOrder)
                {
                    var p = plan.JobPool[j];
                    if (instance.PoolSite[p] != s || finished[j] >= 0 || t < plan.JobStart[j] || t > instance.JobLastPeriod[j])
                    {
                        continue;
                    }

                    // A job starts only once every job it follows has finished (in an earlier period).
                    if (instance.JobAfter[j].Any(a => finished[a] < 0 || finished[a] >= t))
                    {
                        continue;
                    }

                    var gpus = instance.JobGpus[j];
                    if (free[p] >= gpus && GpusWithinPower(powerLeftMw, instance.KwPerGpu[p]) >= gpus)
                    {
                        free[p] -= gpus;
                        draw[p] += gpus;
                        powerLeftMw -= gpus * instance.KwPerGpu[p] / 1000;
                        // Done, or known to have failed at its milestone: it stops and counts as finished for the jobs after it.
                        if (++progress[j] == jobNeeds[j] || FailureKnown(instance, j, progress[j], succeeds[j]))
                        {
                            finished[j] = t;
                        }
                    }
                }

                // Spot: the contract's fractional knapsack with this period's price.
                foreach (var p in SpotOrder(instance, s, spotPrice[t]))
                {
                    var sell = Math.Min(instance.SellThrough * free[p], GpusWithinPower(powerLeftMw, instance.KwPerGpu[p]));
                    spotRevenue += sell * hours * spotPrice[t];
                    draw[p] += sell;
                    powerLeftMw -= sell * instance.KwPerGpu[p] / 1000;
                }

                for (var p = 0; p < instance.PoolCount; p++)
                {
                    if (instance.PoolSite[p] == s)
                    {
                        powerCost += draw[p] * instance.PowerCostPerGpuPeriod[p];
                    }
                }
            }
        }

        // 4. A job is worth its value, less decay for every period it finishes later than it could have, if it
        //    finished by its deadline and (with jobSuccess) succeeded; without jobSuccess, the expected value.
        double jobValue = 0;
        for (var j = 0; j < instance.JobCount; j++)
        {
            if (finished[j] < 0)
            {
                continue;
            }

            var delay = finished[j] - (instance.JobEarliestStart[j] + instance.JobPeriods[j] - 1);
            var value = Math.Max(0, instance.JobValue[j] - instance.JobDecayPerPeriod[j] * delay);
            jobValue += u is { JobSuccess: true } ? (succeeds[j] ? value : 0) : instance.JobSuccessProbability[j] * value;
        }

        return new ScenarioOutcome(leaseRevenue, penalty, jobValue, spotRevenue, powerCost, shortGpuHours);
    }

    /// <summary>GPUs of pool p working in each period: deliveries arrive when they slip to, then outages strike.</summary>
    public static double[] AvailableGpus(CompiledInstance instance, ulong seed, long scenario)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var T = instance.Periods;
        var slip = instance.Source.Uncertainty?.DeliverySlip;
        var outage = instance.Source.Uncertainty?.Outage;
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
            var arrival = instance.DeliveryPeriod[d];
            if (slip is not null && ScenarioRandom.Uniform(seed, scenario, ScenarioRandom.DeliverySlip, d, 0) < slip.Probability)
            {
                arrival += 1 + (int)(ScenarioRandom.Uniform(seed, scenario, ScenarioRandom.DeliverySlipPeriods, d, 0) * slip.MaxPeriods);
            }

            for (var t = Math.Max(0, arrival); t < T; t++)
            {
                gpus[instance.DeliveryPool[d] * T + t] += instance.DeliveryGpus[d];
            }
        }

        if (outage is { Max: > 0, Mean: > 0 })
        {
            // Down share f = max * U^a with a = max / mean - 1: within [0, max], mean exactly `mean`.
            var a = outage.Max / outage.Mean - 1;
            for (var p = 0; p < instance.PoolCount; p++)
            {
                for (var t = 0; t < T; t++)
                {
                    var down = outage.Max * Math.Pow(ScenarioRandom.Uniform(seed, scenario, ScenarioRandom.Outage, p, t), a);
                    gpus[p * T + t] *= 1 - down;
                }
            }
        }

        return gpus;
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
    private static bool FailureKnown(CompiledInstance instance, int job, int progress, bool succeeds) =>
        !succeeds && instance.Source.Uncertainty is { JobSuccess: true } && instance.JobSuccessKnownAfter[job] > 0 && progress == instance.JobSuccessKnownAfter[job];

    /// <summary>
    /// Spot price per period: the base price of each period times a log-normal random walk with mean-preserving steps,
    /// M[t] = M[t-1] exp(sigma Z[t] - sigma^2 / 2) from M[-1] = 1 (closed-loop.md).
    /// </summary>
    public static double[] SpotPrices(CompiledInstance instance, ulong seed, long scenario)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var prices = new double[instance.Periods];
        var sigma = instance.Source.Uncertainty?.SpotVolatility ?? 0;
        var logMultiplier = 0.0;
        for (var t = 0; t < instance.Periods; t++)
        {
            prices[t] = instance.SpotPrice[t];
            if (sigma > 0)
            {
                var radius = 1 - ScenarioRandom.Uniform(seed, scenario, ScenarioRandom.SpotStepRadius, 0, t);
                var angle = ScenarioRandom.Uniform(seed, scenario, ScenarioRandom.SpotStepAngle, 0, t);
                var z = Math.Sqrt(-2 * Math.Log(radius)) * Math.Cos(2 * Math.PI * angle);
                logMultiplier += sigma * z - sigma * sigma / 2;
                prices[t] *= Math.Exp(logMultiplier);
            }
        }

        return prices;
    }

    private static double GpusWithinPower(double powerLeftMw, double kwPerGpu) =>
        double.IsPositiveInfinity(powerLeftMw) || kwPerGpu <= 0 ? double.PositiveInfinity : Math.Max(0, powerLeftMw) * 1000 / kwPerGpu;

    /// <summary>The site's pools with a positive margin at this price, best margin per MW first (ties: pool order).</summary>
    private static IEnumerable<int> SpotOrder(CompiledInstance instance, int site, double price)
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
