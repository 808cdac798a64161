using Allocator.Core.Evaluation;

namespace Allocator.Core.Scenarios;

/// <summary>
/// One scenario run period by period under the recourse rules (docs/scenarios.md): each <see cref="RunPeriod"/> runs
/// the next period with the plan given, so a fixed plan (open loop, <see cref="ReferenceScorer.Score"/>) and a plan
/// that changes between periods (the closed loop) share one definition. It holds the scenario's draws and what has
/// happened: each job's progress and finish, and the money so far.
/// </summary>
public sealed class ScenarioRun
{
    private readonly CompiledInstance _instance;
    private readonly int[] _needs;
    private readonly bool[] _succeeds;
    private readonly int[] _progress;
    private readonly int[] _finished;
    private readonly double[] _free;
    private readonly double[] _draw;
    private double _leaseRevenue;
    private double _penalty;
    private double _spotRevenue;
    private double _powerCost;
    private double _shortGpuHours;

    // The order jobs claim GPUs in, kept while the same plan runs period after period (the open loop's whole horizon).
    private Assignment? _orderedFor;
    private List<int> _jobOrder = [];

    /// <summary>Draws scenario <paramref name="scenario"/> of <paramref name="seed"/>; nothing has run yet.</summary>
    public ScenarioRun(CompiledInstance instance, ulong seed, long scenario)
    {
        ArgumentNullException.ThrowIfNull(instance);
        _instance = instance;
        var draws = ScenarioDraws.Of(instance, seed, scenario);
        Draws = draws;
        _needs = [.. Enumerable.Range(0, instance.JobCount).Select(j => instance.JobPeriods[j] + draws.OverrunPeriods[j])];
        _succeeds = [.. Enumerable.Range(0, instance.JobCount).Select(draws.Succeeds)];
        _progress = new int[instance.JobCount];
        _finished = [.. Enumerable.Repeat(-1, instance.JobCount)];
        _free = new double[instance.PoolCount];
        _draw = new double[instance.PoolCount];
    }

    /// <summary>What the scenario draws, which this run runs on.</summary>
    public ScenarioDraws Draws { get; }

    /// <summary>The next period to run (every period before it has run).</summary>
    public int Period { get; private set; }

    /// <summary>Periods job j has run.</summary>
    public int Progress(int job) => _progress[job];

    /// <summary>The period job j finished (or stopped at a known failure) in; -1 while it has not.</summary>
    public int FinishedAt(int job) => _finished[job];

    /// <summary>Periods job j needs in this scenario (its periods and its overrun).</summary>
    public int Needs(int job) => _needs[job];

    /// <summary>Whether job j succeeds in this scenario (the draw; with job success off, always).</summary>
    public bool Succeeds(int job) => _succeeds[job];

    /// <summary>Whether lease l is made in this scenario.</summary>
    public bool Made(int lease) => Draws.OfferMade[lease];

    /// <summary>The money so far: every period run, and the value of the jobs finished by now.</summary>
    public ScenarioOutcome Outcome => new(_leaseRevenue, _penalty, JobValue(), _spotRevenue, _powerCost, _shortGpuHours);

    /// <summary>Runs the next period with <paramref name="plan"/>'s commitments, site by site: leases, then jobs, then spot.</summary>
    public void RunPeriod(Assignment plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var t = Period;
        if (t >= _instance.Periods)
        {
            throw new InvalidOperationException("every period of the horizon has run.");
        }

        var (leaseGpus, leasePrice, leasePenalty) = Commitments(plan, t);
        // Jobs claim GPUs in the order the plan starts them (ties: instance order).
        if (!ReferenceEquals(plan, _orderedFor))
        {
            (_orderedFor, _jobOrder) = (plan, Enumerable.Range(0, _instance.JobCount).Where(j => plan.JobPool[j] >= 0).OrderBy(j => plan.JobStart[j]).ThenBy(j => j).ToList());
        }

        for (var s = 0; s < _instance.SiteCount; s++)
        {
            var powerLeftKw = _instance.PowerCapKw[s * _instance.Periods + t];
            Leases(s, t, leaseGpus, leasePrice, leasePenalty, ref powerLeftKw);
            Jobs(s, t, plan, _jobOrder, ref powerLeftKw);
            Spot(s, t, ref powerLeftKw);
            for (var p = 0; p < _instance.PoolCount; p++)
            {
                if (_instance.PoolSite[p] == s)
                {
                    _powerCost += _draw[p] * _instance.PowerCostPerGpuPeriod[p];
                }
            }
        }

        Period++;
    }

    /// <summary>
    /// Lease <paramref name="lease"/>, signed or accepted, was never placed before its window ended (closed loop: the
    /// policy found no plan while it could start): short in full, it earns nothing and pays its penalty on every GPU-hour
    /// (an accepted offer the scenario never made is not a commitment and costs nothing).
    /// </summary>
    public void Miss(int lease)
    {
        if (!Draws.OfferMade[lease])
        {
            return;
        }

        var gpuHours = (double)_instance.LeaseGpus[lease] * _instance.LeasePeriods[lease] * _instance.PeriodHours;
        _penalty += gpuHours * _instance.LeasePenaltyPerGpuHour[lease];
        _shortGpuHours += gpuHours;
    }

    /// <summary>
    /// What the plan commits in period t per pool: lease GPUs and their price and penalty per hour. An accepted offer that
    /// the scenario never makes is not placed: no revenue, no penalty, its GPUs stay free.
    /// </summary>
    private (double[] Gpus, double[] Price, double[] Penalty) Commitments(Assignment plan, int t)
    {
        var (gpus, price, penalty) = (new double[_instance.PoolCount], new double[_instance.PoolCount], new double[_instance.PoolCount]);
        for (var l = 0; l < _instance.LeaseCount; l++)
        {
            var p = plan.LeasePool[l];
            if (p < 0 || !Draws.OfferMade[l] || t < plan.LeaseStart[l] || t >= plan.LeaseStart[l] + _instance.LeasePeriods[l])
            {
                continue;
            }

            gpus[p] += _instance.LeaseGpus[l];
            price[p] += _instance.LeaseGpus[l] * _instance.LeasePricePerGpuHour[l];
            penalty[p] += _instance.LeaseGpus[l] * _instance.LeasePenaltyPerGpuHour[l];
        }

        return (gpus, price, penalty);
    }

    /// <summary>Leases take what is there first (pools in order): when short, each in proportion, paying penalty on the rest.</summary>
    private void Leases(int s, int t, double[] leaseGpus, double[] leasePrice, double[] leasePenalty, ref double powerLeftKw)
    {
        var hours = _instance.PeriodHours;
        for (var p = 0; p < _instance.PoolCount; p++)
        {
            if (_instance.PoolSite[p] != s)
            {
                continue;
            }

            var available = Draws.AvailableGpus[p * _instance.Periods + t];
            var delivered = Math.Min(leaseGpus[p], Math.Max(0, available));
            delivered = Math.Min(delivered, ReferenceScorer.GpusWithinPower(powerLeftKw, _instance.KwPerGpu[p]));
            var share = leaseGpus[p] > 0 ? delivered / leaseGpus[p] : 1;
            _leaseRevenue += hours * leasePrice[p] * share;
            _penalty += hours * leasePenalty[p] * (1 - share);
            _shortGpuHours += hours * (leaseGpus[p] - delivered);
            _free[p] = Math.Max(0, available - delivered);
            _draw[p] = delivered;
            powerLeftKw -= delivered * _instance.KwPerGpu[p];
        }
    }

    /// <summary>Then jobs, in plan order: all their GPUs and the power, or they pause.</summary>
    private void Jobs(int s, int t, Assignment plan, List<int> jobOrder, ref double powerLeftKw)
    {
        foreach (var j in jobOrder)
        {
            var p = plan.JobPool[j];
            if (_instance.PoolSite[p] != s || _finished[j] >= 0 || t < plan.JobStart[j] || t > _instance.JobLastPeriod[j])
            {
                continue;
            }

            // A job starts only once every job it follows has finished (in an earlier period).
            if (_instance.JobAfter[j].Any(a => _finished[a] < 0 || _finished[a] >= t))
            {
                continue;
            }

            var gpus = _instance.JobGpus[j];
            if (_free[p] >= gpus && ReferenceScorer.GpusWithinPower(powerLeftKw, _instance.KwPerGpu[p]) >= gpus)
            {
                _free[p] -= gpus;
                _draw[p] += gpus;
                powerLeftKw -= (double)gpus * _instance.KwPerGpu[p];

                // Done, or known to have failed at its milestone: it stops and counts as finished for the jobs after it.
                if (++_progress[j] == _needs[j] || ReferenceScorer.FailureKnown(_instance, j, _progress[j], _succeeds[j]))
                {
                    _finished[j] = t;
                }
            }
        }
    }

    /// <summary>Spot last: the contract's fractional knapsack with this period's price.</summary>
    private void Spot(int s, int t, ref double powerLeftKw)
    {
        foreach (var p in ReferenceScorer.SpotOrder(_instance, s, Draws.SpotPrice[t]))
        {
            var sell = Math.Min(_instance.SellThrough * _free[p], ReferenceScorer.GpusWithinPower(powerLeftKw, _instance.KwPerGpu[p]));
            _spotRevenue += sell * _instance.PeriodHours * Draws.SpotPrice[t];
            _draw[p] += sell;
            powerLeftKw -= sell * _instance.KwPerGpu[p];
        }
    }

    /// <summary>
    /// A finished job is worth its value, less decay for every period it finishes later than it could have, if it
    /// finished by its deadline and (with jobSuccess) succeeded; without jobSuccess, the expected value.
    /// </summary>
    private double JobValue()
    {
        var jobSuccess = _instance.Source.Uncertainty is { JobSuccess: true };
        double value = 0;
        for (var j = 0; j < _instance.JobCount; j++)
        {
            if (_finished[j] < 0)
            {
                continue;
            }

            var delay = _finished[j] - (_instance.JobEarliestStart[j] + _instance.JobPeriods[j] - 1);
            var worth = Math.Max(0, _instance.JobValue[j] - _instance.JobDecayPerPeriod[j] * delay);
            value += jobSuccess ? (_succeeds[j] ? worth : 0) : _instance.JobSuccessProbability[j] * worth;
        }

        return value;
    }
}
