using Allocator.Core.Evaluation;
using Google.OrTools.LinearSolver;

namespace Allocator.Solver;

/// <summary>
/// The exact model as a MIP (HiGHS or SCIP through OR-Tools' linear-solver wrapper), written as the contract's math:
/// <code>
///   max  sum_o net[o] x[o] + sum_{p,t} margin[p] spot[p,t]
///   s.t. sum_{o of lease l} x[o] &lt;= 1   (= 1 if signed)            AddLeaseChoice
///        sum_{o of job j}   x[o] &lt;= 1   (= 1 if required)          AddJobChoice
///        used[p,t] + spot[p,t] / sellThrough &lt;= capacity[p,t]      AddPoolCapacity
///        sum_{p at s} kw[p]/1000 (used[p,t] + spot[p,t]) &lt;= cap[s,t] AddSitePower
///        started(j, &lt;= t) &lt;= finished(a, &lt;= t) for j after a       AddJobChains
/// </code>
/// Spot is a continuous variable: for fixed placements the LP over spot is exactly the contract's fractional
/// knapsack, so the model's optimum is the contract's optimum. Capacity and spot share one row because
/// spot &lt;= sellThrough * (capacity - used) is the same as used + spot / sellThrough &lt;= capacity.
/// </summary>
internal sealed class MipModel : IDisposable
{
    // Objective in millions of USD keeps coefficients near 1..1000, which the LP engines handle best.
    public const double ObjectiveScale = 1e-6;

    private readonly PlacementCatalog _catalog;
    private readonly CompiledInstance _instance;
    private readonly Variable[][] _lease;
    private readonly Variable[][] _job;
    private readonly Variable?[] _spot;

    public MipModel(PlacementCatalog catalog, string engine)
    {
        _catalog = catalog;
        _instance = catalog.Instance;
        Solver = Google.OrTools.LinearSolver.Solver.CreateSolver(engine)
            ?? throw new InvalidOperationException($"OR-Tools could not create the {engine} solver on this platform.");
        _lease = [.. catalog.Leases.Select((options, l) => options.Select((_, k) => Solver.MakeBoolVar($"lease{l}_{k}")).ToArray())];
        _job = [.. catalog.Jobs.Select((options, j) => options.Select((_, k) => Solver.MakeBoolVar($"job{j}_{k}")).ToArray())];
        _spot = new Variable?[_instance.PoolCount * _instance.Periods];
        for (var p = 0; p < _instance.PoolCount; p++)
        {
            for (var t = 0; t < _instance.Periods; t++)
            {
                if (catalog.SellsSpot(p))
                {
                    _spot[p * _instance.Periods + t] = Solver.MakeNumVar(0, _instance.SellThrough * _instance.CapacityAt(p, t), $"spot{p}_{t}");
                }
            }
        }

        AddLeaseChoice();
        AddJobChoice();
        AddPoolCapacity();
        AddSitePower();
        AddJobChains();
        SetObjective();
    }

    public Google.OrTools.LinearSolver.Solver Solver { get; }

    /// <summary>Each lease is placed at most once; a signed lease exactly once.</summary>
    private void AddLeaseChoice()
    {
        for (var l = 0; l < _lease.Length; l++)
        {
            var row = Solver.MakeConstraint(_catalog.MustPlaceLease(l) ? 1 : 0, 1, $"lease_choice{l}");
            foreach (var x in _lease[l])
            {
                row.SetCoefficient(x, 1);
            }
        }
    }

    /// <summary>Each job runs at most once; a required job exactly once.</summary>
    private void AddJobChoice()
    {
        for (var j = 0; j < _job.Length; j++)
        {
            var row = Solver.MakeConstraint(_catalog.MustPlaceJob(j) ? 1 : 0, 1, $"job_choice{j}");
            foreach (var x in _job[j])
            {
                row.SetCoefficient(x, 1);
            }
        }
    }

    /// <summary>Leases, jobs and the spot sold (scaled by 1 / sellThrough) fit each pool's capacity in each period.</summary>
    private void AddPoolCapacity()
    {
        var rows = new Constraint[_instance.PoolCount * _instance.Periods];
        for (var p = 0; p < _instance.PoolCount; p++)
        {
            for (var t = 0; t < _instance.Periods; t++)
            {
                var i = p * _instance.Periods + t;
                rows[i] = Solver.MakeConstraint(double.NegativeInfinity, _instance.CapacityAt(p, t), $"capacity{p}_{t}");
                if (_spot[i] is { } spot)
                {
                    rows[i].SetCoefficient(spot, 1 / _instance.SellThrough);
                }
            }
        }

        foreach (var (option, x, gpus, periods) in Placements())
        {
            for (var t = option.Start; t < option.Start + periods; t++)
            {
                rows[option.Pool * _instance.Periods + t].SetCoefficient(x, gpus);
            }
        }
    }

    /// <summary>Each site's draw (placements and spot) stays within its power cap; caps that can never bind are left out.</summary>
    private void AddSitePower()
    {
        var T = _instance.Periods;
        var rows = new Constraint?[_instance.SiteCount * T];
        for (var s = 0; s < _instance.SiteCount; s++)
        {
            for (var t = 0; t < T; t++)
            {
                var cap = _instance.PowerCapMw[s * T + t];
                var fullDraw = Enumerable.Range(0, _instance.PoolCount).Where(p => _instance.PoolSite[p] == s)
                    .Sum(p => _instance.CapacityAt(p, t) * _instance.KwPerGpu[p] / 1000);
                if (fullDraw <= cap)
                {
                    continue;
                }

                var row = Solver.MakeConstraint(double.NegativeInfinity, cap, $"power{s}_{t}");
                rows[s * T + t] = row;
                for (var p = 0; p < _instance.PoolCount; p++)
                {
                    if (_instance.PoolSite[p] == s && _spot[p * T + t] is { } spot)
                    {
                        row.SetCoefficient(spot, _instance.KwPerGpu[p] / 1000);
                    }
                }
            }
        }

        foreach (var (option, x, gpus, periods) in Placements())
        {
            var site = _instance.PoolSite[option.Pool];
            for (var t = option.Start; t < option.Start + periods; t++)
            {
                if (rows[site * T + t] is { } row)
                {
                    row.SetCoefficient(x, gpus * _instance.KwPerGpu[option.Pool] / 1000);
                }
            }
        }
    }

    /// <summary>
    /// A job after job a starts only once a has finished: for every period t, "j has started by t" implies "a has
    /// finished by t". This cumulative form is much tighter in the LP than a big-M on start times, and with t at
    /// j's latest start it also says that j runs only if a does.
    /// </summary>
    private void AddJobChains()
    {
        for (var j = 0; j < _job.Length; j++)
        {
            foreach (var a in _instance.JobAfter[j])
            {
                foreach (var (started, finished) in _catalog.ChainRows(j, a))
                {
                    var row = Solver.MakeConstraint(double.NegativeInfinity, 0, $"chain{j}_{a}");
                    foreach (var k in started)
                    {
                        row.SetCoefficient(_job[j][k], 1);
                    }

                    foreach (var k in finished)
                    {
                        row.SetCoefficient(_job[a][k], -1);
                    }
                }
            }
        }
    }

    /// <summary>Net money of every placement plus the spot margin of every GPU-period sold.</summary>
    private void SetObjective()
    {
        var objective = Solver.Objective();
        foreach (var (option, x, _, _) in Placements())
        {
            objective.SetCoefficient(x, option.NetValue * ObjectiveScale);
        }

        for (var i = 0; i < _spot.Length; i++)
        {
            if (_spot[i] is { } spot)
            {
                objective.SetCoefficient(spot, _instance.SpotMargin[i / _instance.Periods] * ObjectiveScale);
            }
        }

        objective.SetMaximization();
    }

    /// <summary>The assignment in the engine's current solution.</summary>
    public Assignment Extract()
    {
        var leasePool = new int[_lease.Length];
        var leaseStart = new int[_lease.Length];
        for (var l = 0; l < _lease.Length; l++)
        {
            (leasePool[l], leaseStart[l]) = Chosen(_catalog.Leases[l], _lease[l]);
        }

        var jobPool = new int[_job.Length];
        var jobStart = new int[_job.Length];
        for (var j = 0; j < _job.Length; j++)
        {
            (jobPool[j], jobStart[j]) = Chosen(_catalog.Jobs[j], _job[j]);
        }

        return new Assignment([.. leasePool], [.. leaseStart], [.. jobPool], [.. jobStart]);
    }

    private static (int Pool, int Start) Chosen(System.Collections.Immutable.ImmutableArray<PlacementOption> options, Variable[] vars)
    {
        for (var k = 0; k < vars.Length; k++)
        {
            if (vars[k].SolutionValue() > 0.5)
            {
                return (options[k].Pool, options[k].Start);
            }
        }

        return (-1, 0);
    }

    private IEnumerable<(PlacementOption Option, Variable X, int Gpus, int Periods)> Placements()
    {
        for (var l = 0; l < _lease.Length; l++)
        {
            for (var k = 0; k < _lease[l].Length; k++)
            {
                yield return (_catalog.Leases[l][k], _lease[l][k], _instance.LeaseGpus[l], _instance.LeasePeriods[l]);
            }
        }

        for (var j = 0; j < _job.Length; j++)
        {
            for (var k = 0; k < _job[j].Length; k++)
            {
                yield return (_catalog.Jobs[j][k], _job[j][k], _instance.JobGpus[j], _instance.JobPeriods[j]);
            }
        }
    }

    public void Dispose() => Solver.Dispose();
}
