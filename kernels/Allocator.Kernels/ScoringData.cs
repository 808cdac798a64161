namespace Allocator.Kernels;

/// <summary>
/// Scalars of a scoring call: the instance's shape (<see cref="ScoreShape"/>, named once there and read through the
/// properties below), the call's sizes, the seed and the uncertainty section, flattened for the device.
/// </summary>
public readonly record struct ScoreParams(
    ScoreShape Shape,
    int Deliveries,
    int Plans,
    int Scenarios,
    long ScenarioOffset,
    ulong Seed,
    double SlipProbability,
    int SlipMaxPeriods,
    double OutageMean,
    double OutageMax,
    double OverrunProbability,
    double OverrunMaxFraction,
    double SpotVolatility,
    double OfferArrival,
    int WindowCapacity = 0)
{
    /// <summary>Plans x scenarios.</summary>
    public long Pairs => (long)Plans * Scenarios;

    /// <inheritdoc cref="ScoreShape.Periods"/>
    public int Periods => Shape.Periods;

    /// <inheritdoc cref="ScoreShape.Pools"/>
    public int Pools => Shape.Pools;

    /// <inheritdoc cref="ScoreShape.Sites"/>
    public int Sites => Shape.Sites;

    /// <inheritdoc cref="ScoreShape.Jobs"/>
    public int Jobs => Shape.Jobs;

    /// <inheritdoc cref="ScoreShape.Offers"/>
    public int Offers => Shape.Offers;

    /// <inheritdoc cref="ScoreShape.JobSuccess"/>
    public int JobSuccess => Shape.JobSuccess;

    /// <inheritdoc cref="ScoreShape.ScratchStride"/>
    public int ScratchStride => Shape.ScratchStride;

    /// <inheritdoc cref="ScoreShape.TableStride"/>
    public int TableStride => Shape.TableStride;

    /// <inheritdoc cref="ScoreShape.SpotWords"/>
    public int SpotWords => Shape.SpotWords;

    /// <inheritdoc cref="ScoreShape.PeriodHours"/>
    public double PeriodHours => Shape.PeriodHours;

    /// <inheritdoc cref="ScoreShape.SellThrough"/>
    public double SellThrough => Shape.SellThrough;

    /// <summary>The scalars of scoring <paramref name="plans"/> plans of <paramref name="instance"/> in scenarios offset .. offset + scenarios - 1 of a seed.</summary>
    public static ScoreParams For(Core.Evaluation.CompiledInstance instance, int plans, int scenarios, long scenarioOffset, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (instance.PoolCount > MostPools)
        {
            throw new ArgumentException($"The scorer takes at most {MostPools:N0} pools (a spot order keeps a pool in {ScenarioSampler.PlaceBits} bits); this instance has {instance.PoolCount:N0}.", nameof(instance));
        }

        var u = instance.Source.Uncertainty;
        var offers = UncertainOffers(instance).Length;
        var spotWords = ScenarioSampler.SpotWords(instance.PoolSite.CountBy(site => site).Select(c => c.Value).DefaultIfEmpty(0).Max());
        var shape = new ScoreShape(
            instance.Periods, instance.PoolCount, instance.SiteCount, instance.JobCount, offers, u is { JobSuccess: true } ? 1 : 0,
            Math.Max(1, PairScorer.ScratchStride(instance.PoolCount, instance.SiteCount)),
            ScenarioSampler.TableStride(instance.Periods, instance.PoolCount, instance.SiteCount, instance.JobCount, offers, spotWords),
            spotWords, instance.PeriodHours, instance.SellThrough);
        return new ScoreParams(
            shape, instance.DeliveryPool.Length, plans, scenarios, scenarioOffset, seed,
            u?.DeliverySlip?.Probability ?? 0, u?.DeliverySlip?.MaxPeriods ?? 0, u?.Outage?.Mean ?? 0, u?.Outage?.Max ?? 0,
            u?.JobOverrun?.Probability ?? 0, u?.JobOverrun?.MaxFraction ?? 0, u?.SpotVolatility ?? 0, instance.OfferArrivalProbability);
    }

    /// <summary>The most pools an instance may have for the scorers (<see cref="ScenarioSampler.SpotPlace(double, int)"/>).</summary>
    public const int MostPools = (1 << ScenarioSampler.PlaceBits) - 1;

    /// <summary>
    /// The leases whose arrival a scenario draws (offers announced after period 0, with arrival uncertain), in lease
    /// order: the scorer keeps them out of the plan's per-cell sums and adds each where its scenario makes it.
    /// </summary>
    public static int[] UncertainOffers(Core.Evaluation.CompiledInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return [.. Enumerable.Range(0, instance.LeaseCount).Where(instance.OfferMayNotArrive)];
    }
}

/// <summary>
/// The scalars of <see cref="ScoreParams"/> that only the instance sets: the pair kernels take them as a specialized
/// value, so ILGPU compiles one kernel per instance shape with each of them a constant (loop bounds, table offsets,
/// strides) rather than a parameter the GPU reloads from its constant bank.
/// </summary>
/// <param name="Periods">Periods of the horizon.</param>
/// <param name="Pools">Pools.</param>
/// <param name="Sites">Sites.</param>
/// <param name="Jobs">Jobs.</param>
/// <param name="Offers">Leases whose arrival a scenario draws (<see cref="ScoreParams.UncertainOffers"/>).</param>
/// <param name="JobSuccess">1 where a scenario draws each job's success, else 0 (its probability weighs its value).</param>
/// <param name="ScratchStride">Doubles of scratch per pair (<see cref="PairScorer.ScratchStride"/>).</param>
/// <param name="TableStride">Doubles per scenario's table (<see cref="ScenarioSampler.TableStride"/>).</param>
/// <param name="SpotWords">Table words per site and period for its spot order (<see cref="ScenarioSampler.SpotWords"/>).</param>
/// <param name="PeriodHours">Hours per period.</param>
/// <param name="SellThrough">The share of free GPUs spot sells.</param>
public readonly record struct ScoreShape(
    int Periods, int Pools, int Sites, int Jobs, int Offers, int JobSuccess, int ScratchStride, int TableStride, int SpotWords, double PeriodHours, double SellThrough);

/// <summary>
/// The instance as columns (see <c>CompiledInstance</c> for each array's meaning and layout). <c>JobAfter</c> lists the
/// jobs each job waits for, one job's after the other's (where each job's list lies is in its plan record,
/// <see cref="JobRecord"/>). The Offer columns list the offers whose arrival is uncertain
/// (<see cref="ScoreParams.UncertainOffers"/>): lease index, GPUs, periods, and price and penalty per hour for all its GPUs.
/// Pools are numbered by site (<c>HostData.PoolOrder</c>): <c>PoolNumber</c> gives each the instance's number (its
/// scenario draws are keyed by it), and site s's pools are those from <c>SiteFirstPool[s]</c> up to
/// <c>SiteFirstPool[s + 1]</c>. Every pool index in these columns and the plans' is the scorer's.
/// </summary>
public readonly record struct FleetData<TInt, TDouble>(
    TInt PoolSite,
    TInt PoolInitialGpus,
    TDouble PoolPower,
    TDouble PowerCapKw,
    TInt DeliveryPool,
    TInt DeliveryPeriod,
    TInt DeliveryGpus,
    TInt JobPeriods,
    TInt JobEarliestStart,
    TDouble JobValue,
    TDouble JobDecay,
    TDouble JobProbability,
    TInt JobAfter,
    TDouble SpotPrice,
    TInt OfferLease,
    TInt OfferGpus,
    TInt OfferPeriods,
    TDouble OfferPrice,
    TDouble OfferPenalty,
    TInt PoolNumber,
    TInt SiteFirstPool)
    where TInt : struct, IColumn<int>
    where TDouble : struct, IColumn<double>
{
    /// <summary>kW per GPU in <paramref name="pool"/>.</summary>
    public double KwPerGpu(int pool) => PoolPower[PoolRecord.Fields * pool, PoolRecord.KwPerGpu];

    /// <summary>Power cost per GPU and period in <paramref name="pool"/> (USD).</summary>
    public double PowerCostPerGpuPeriod(int pool) => PoolPower[PoolRecord.Fields * pool, PoolRecord.PowerCostPerGpuPeriod];
}

/// <summary>
/// The candidate plans as columns, reduced to what scoring needs: per plan, pool and period (a cell,
/// <c>plan * Pools * Periods + pool * Periods + t</c>) the leased GPUs and their price and penalty per hour, summed over
/// leases whose arrival is certain, side by side in <c>Leases</c> at <c>3 * cell</c>, <c>+ 1</c> and <c>+ 2</c> (one
/// address serves the three reads); per plan and job its record (<see cref="JobRecord"/>), per plan and period the
/// jobs that may run then, and per plan and uncertain offer (<c>[plan * Offers + u]</c>) its pool (-1: declined) and
/// start. The jobs that may run in period t are the scheduled ones whose window holds t (started by t, last period not
/// passed), in the order they claim GPUs (by start, ties in instance order): <c>WindowJobs[k]</c> for k from
/// <c>WindowFirst[plan * (Periods + 1) + t]</c> up to the next period's first. Laid out on the host once per plan, the
/// list spares every pair the scan over jobs not started or past their window (a chain of dependent loads on a GPU).
/// <c>WindowJobs</c> holds one element past the last plan's last list: the scorer reads the next job a step ahead and
/// needs no bound on its last step.
/// </summary>
public readonly record struct PlanData<TInt, TDouble>(
    TDouble Leases,
    TInt JobMilestones,
    TInt WindowFirst,
    TInt WindowJobs,
    TInt OfferPool,
    TInt OfferStart,
    TDouble JobDraws)
    where TInt : struct, IColumn<int>
    where TDouble : struct, IColumn<double>;

/// <summary>What a step reads about a pool's power, side by side in <c>PoolPower</c> from <c>Fields * pool</c> (see <see cref="JobRecord"/>).</summary>
public static class PoolRecord
{
    /// <summary>Doubles per pool.</summary>
    public const int Fields = 2;

    /// <summary>kW per GPU.</summary>
    public const int KwPerGpu = 0;

    /// <summary>Power cost per GPU and period (USD).</summary>
    public const int PowerCostPerGpuPeriod = 1;
}

/// <summary>
/// What a job step reads about job j under plan n, side by side so that one address serves every read (a chain of
/// dependent loads on a GPU is what a pair waits on most): its failure milestone in <c>JobMilestones</c> at
/// <c>Integers * (n * Jobs + j)</c>, doubles in <c>JobDraws</c> from <c>Draws * (n * Jobs + j)</c>. The draws are
/// computed once on the host as the reference computes them; a job the plan leaves out has pool -1 and draws nothing.
/// </summary>
public static class JobRecord
{
    /// <summary>Integers per plan and job.</summary>
    public const int Integers = 1;

    /// <summary>The periods run after which its failure is known (job success on).</summary>
    public const int FailureKnownAfter = 0;

    /// <summary>Doubles per plan and job.</summary>
    public const int Draws = 6;

    /// <summary>Its GPUs.</summary>
    public const int Gpus = 0;

    /// <summary>Its pool's kW per GPU.</summary>
    public const int KwPerGpu = 1;

    /// <summary>What it draws: GPUs x kW per GPU.</summary>
    public const int Kw = 2;

    /// <summary>Its pool's power cost per GPU and period (USD).</summary>
    public const int PowerCostPerGpuPeriod = 3;

    /// <summary>
    /// Its pool and site as two integers in one double's bits (<see cref="Low"/>, <see cref="High"/>): the job step
    /// reads all it needs from the one record, where the integers' own column would cost a second address.
    /// </summary>
    public const int Where = 4;

    /// <summary>Where the jobs it waits for start and end in <c>JobAfter</c>, as two integers in one double's bits.</summary>
    public const int Waits = 5;

    /// <summary>Two integers as one double's bits: <paramref name="low"/> in the low 32 bits, <paramref name="high"/> above.</summary>
    public static double Pack(int low, int high) => BitConverter.Int64BitsToDouble(((long)high << 32) | (uint)low);

    /// <summary>The integer in the low 32 bits of <paramref name="packed"/> (<see cref="Pack"/>).</summary>
    public static int Low(double packed) => (int)ILGPU.Interop.FloatAsInt(packed);

    /// <summary>The integer in the high 32 bits of <paramref name="packed"/> (<see cref="Pack"/>).</summary>
    public static int High(double packed) => (int)(ILGPU.Interop.FloatAsInt(packed) >> 32);
}

/// <summary>Per (plan, scenario) outputs, indexed plan * scenarios + scenario.</summary>
public readonly record struct OutcomeData<TDouble>(
    TDouble LeaseRevenue,
    TDouble Penalty,
    TDouble JobValue,
    TDouble SpotRevenue,
    TDouble PowerCost,
    TDouble ShortGpuHours)
    where TDouble : struct, IColumn<double>;
