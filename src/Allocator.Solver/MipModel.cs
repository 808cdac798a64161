using Allocator.Core.Evaluation;
using Google.OrTools.ModelBuilder;
using ModelSolver = Google.OrTools.ModelBuilder.Solver;

namespace Allocator.Solver;

/// <summary>
/// The exact model as a MIP (SCIP or HiGHS through OR-Tools' model builder), written as the contract's math:
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
/// The model builder (not the older linear-solver wrapper) is used because it hands the engines their own options
/// and a starting plan: measured with OR-Tools 9.15, the wrapper rejects every HiGHS option (so HiGHS stopped at its
/// default 1e-4 gap), crashes HiGHS on a hint, and stops SCIP after its first node when given one.
/// </summary>
internal sealed class MipModel
{
    // Objective in millions of USD keeps coefficients near 1..1000, which the LP engines handle best.
    public const double ObjectiveScale = 1e-6;

    private readonly PlacementCatalog _catalog;
    private readonly CompiledInstance _instance;
    private readonly Variable[][] _lease;
    private readonly Variable[][] _job;
    private readonly Variable?[] _spot;
    private LinearConstraint[] _capacityRows = [];
    private LinearConstraint?[] _powerRows = [];

    /// <summary>The model of <paramref name="catalog"/>; <paramref name="relaxed"/>: every choice continuous in [0, 1] (the LP relaxation, for its dual prices).</summary>
    public MipModel(PlacementCatalog catalog, bool relaxed = false)
    {
        _catalog = catalog;
        _instance = catalog.Instance;
        Variable Choice(string name) => relaxed ? Model.NewNumVar(0, 1, name) : Model.NewBoolVar(name);
        _lease = [.. catalog.Leases.Select((options, l) => options.Select((_, k) => Choice($"lease{l}_{k}")).ToArray())];
        _job = [.. catalog.Jobs.Select((options, j) => options.Select((_, k) => Choice($"job{j}_{k}")).ToArray())];
        _spot = new Variable?[_instance.PoolCount * _instance.Periods];
        for (var p = 0; p < _instance.PoolCount; p++)
        {
            for (var t = 0; t < _instance.Periods; t++)
            {
                if (catalog.SellsSpot(p, t))
                {
                    _spot[p * _instance.Periods + t] = Model.NewNumVar(0, _instance.SellThrough * _instance.CapacityAt(p, t), $"spot{p}_{t}");
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

    /// <summary>The model, ready for an engine.</summary>
    public Model Model { get; } = new();

    /// <summary>A row lo &lt;= (terms added later) &lt;= hi.</summary>
    private LinearConstraint Row(double lo, double hi, string name) =>
        Model.AddLinearConstraint(LinearExpr.Constant(0), lo, hi).WithName(name);

    /// <summary>Each lease is placed at most once; a signed lease exactly once.</summary>
    private void AddLeaseChoice()
    {
        for (var l = 0; l < _lease.Length; l++)
        {
            var row = Row(_catalog.MustPlaceLease(l) ? 1 : 0, 1, $"lease_choice{l}");
            foreach (var x in _lease[l])
            {
                row.SetVariableCoefficient(x, 1);
            }
        }
    }

    /// <summary>Each job runs at most once; a required job exactly once.</summary>
    private void AddJobChoice()
    {
        for (var j = 0; j < _job.Length; j++)
        {
            var row = Row(_catalog.MustPlaceJob(j) ? 1 : 0, 1, $"job_choice{j}");
            foreach (var x in _job[j])
            {
                row.SetVariableCoefficient(x, 1);
            }
        }
    }

    /// <summary>Leases, jobs and the spot sold (scaled by 1 / sellThrough) fit each pool's capacity in each period.</summary>
    private void AddPoolCapacity()
    {
        var rows = _capacityRows = new LinearConstraint[_instance.PoolCount * _instance.Periods];
        for (var p = 0; p < _instance.PoolCount; p++)
        {
            for (var t = 0; t < _instance.Periods; t++)
            {
                var i = p * _instance.Periods + t;
                rows[i] = Row(double.NegativeInfinity, _instance.CapacityAt(p, t), $"capacity{p}_{t}");
                if (_spot[i] is { } spot)
                {
                    rows[i].SetVariableCoefficient(spot, 1 / _instance.SellThrough);
                }
            }
        }

        foreach (var (option, x, gpus, periods) in Placements())
        {
            for (var t = option.Start; t < option.Start + periods; t++)
            {
                rows[option.Pool * _instance.Periods + t].SetVariableCoefficient(x, gpus);
            }
        }
    }

    /// <summary>Each site's draw (placements and spot) stays within its power cap; caps that can never bind are left out.</summary>
    private void AddSitePower()
    {
        var T = _instance.Periods;
        var rows = _powerRows = new LinearConstraint?[_instance.SiteCount * T];
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

                var row = Row(double.NegativeInfinity, cap, $"power{s}_{t}");
                rows[s * T + t] = row;
                for (var p = 0; p < _instance.PoolCount; p++)
                {
                    if (_instance.PoolSite[p] == s && _spot[p * T + t] is { } spot)
                    {
                        row.SetVariableCoefficient(spot, _instance.KwPerGpu[p] / 1000);
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
                    row.SetVariableCoefficient(x, gpus * _instance.KwPerGpu[option.Pool] / 1000);
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
                    var row = Row(double.NegativeInfinity, 0, $"chain{j}_{a}");
                    foreach (var k in started)
                    {
                        row.SetVariableCoefficient(_job[j][k], 1);
                    }

                    foreach (var k in finished)
                    {
                        row.SetVariableCoefficient(_job[a][k], -1);
                    }
                }
            }
        }
    }

    /// <summary>Net money of every placement plus the spot margin of every GPU-period sold.</summary>
    private void SetObjective()
    {
        var objective = LinearExpr.NewBuilder();
        foreach (var (option, x, _, _) in Placements())
        {
            objective.AddTerm(x, option.NetValue * ObjectiveScale);
        }

        for (var i = 0; i < _spot.Length; i++)
        {
            if (_spot[i] is { } spot)
            {
                objective.AddTerm(spot, _instance.SpotMargin[i] * ObjectiveScale);
            }
        }

        Model.Maximize(objective);
    }

    /// <summary>
    /// Hands the engine <paramref name="plan"/> (a feasible plan of this catalog, as evaluated) as a complete solution
    /// to start from: each placement variable 1 where the plan has that lease or job and 0 elsewhere, and spot as the
    /// contract's clearing sells it, so that the engine gets a whole solution to check rather than a partial one to
    /// complete.
    /// </summary>
    public void Hint(PlanEvaluation plan)
    {
        Model.ClearHints();
        foreach (var (variable, value) in Solution(plan))
        {
            Model.AddHint(variable, value);
        }
    }

    /// <summary>The same solution as <see cref="Hint"/>, as a value per variable index (for the linear-solver wrapper).</summary>
    public double[] Values(PlanEvaluation plan)
    {
        var values = new double[Model.VariablesCount()];
        foreach (var (variable, value) in Solution(plan))
        {
            values[variable.Index] = value;
        }

        return values;
    }

    /// <summary>
    /// <paramref name="plan"/> as a solution of this model: each placement variable 1 where the plan has that lease or
    /// job and 0 elsewhere, and spot as the contract's clearing sells it.
    /// </summary>
    private IEnumerable<(Variable Variable, double Value)> Solution(PlanEvaluation plan)
    {
        var assignment = plan.Assignment;
        for (var l = 0; l < _lease.Length; l++)
        {
            foreach (var hint in Placement(_catalog.Leases[l], _lease[l], assignment.LeasePool[l], assignment.LeaseStart[l]))
            {
                yield return hint;
            }
        }

        for (var j = 0; j < _job.Length; j++)
        {
            foreach (var hint in Placement(_catalog.Jobs[j], _job[j], assignment.JobPool[j], assignment.JobStart[j]))
            {
                yield return hint;
            }
        }

        for (var i = 0; i < _spot.Length; i++)
        {
            if (_spot[i] is { } spot)
            {
                yield return (spot, Math.Clamp(plan.Spot[i], 0, spot.UpperBound));
            }
        }
    }

    private static IEnumerable<(Variable, double)> Placement(System.Collections.Immutable.ImmutableArray<PlacementOption> options, Variable[] vars, int pool, int start)
    {
        for (var k = 0; k < vars.Length; k++)
        {
            yield return (vars[k], options[k].Pool == pool && options[k].Start == start ? 1 : 0);
        }
    }

    /// <summary>The assignment in <paramref name="solver"/>'s solution of this model.</summary>
    public Assignment Extract(ModelSolver solver) => Extract(solver.Value);

    /// <summary>
    /// After an LP solve of the relaxed model: what one more GPU in pool p and period t is worth (USD, <c>[p * T + t]</c>),
    /// and one more MW at site s and period t (USD, <c>[s * T + t]</c>; 0 where the cap cannot bind).
    /// </summary>
    public (double[] PerGpu, double[] PerMw) Duals(ModelSolver solver)
    {
        ArgumentNullException.ThrowIfNull(solver);
        return ([.. _capacityRows.Select(row => solver.DualValue(row) / ObjectiveScale)], [.. _powerRows.Select(row => row is null ? 0 : solver.DualValue(row) / ObjectiveScale)]);
    }

    /// <summary>
    /// Each placement's value in a solution of this model, read through <paramref name="value"/>, in the catalog's order
    /// (<c>Leases[l][k]</c> is lease l's option k): in the LP relaxation, the share of each lease and job the LP places there.
    /// </summary>
    public (double[][] Leases, double[][] Jobs) Shares(Func<Variable, double> value) =>
        ([.. _lease.Select(choices => choices.Select(value).ToArray())], [.. _job.Select(choices => choices.Select(value).ToArray())]);

    /// <summary>The assignment in a solution of this model, read through <paramref name="value"/> (a variable's value).</summary>
    public Assignment Extract(Func<Variable, double> value)
    {
        var leasePool = new int[_lease.Length];
        var leaseStart = new int[_lease.Length];
        for (var l = 0; l < _lease.Length; l++)
        {
            (leasePool[l], leaseStart[l]) = Chosen(value, _catalog.Leases[l], _lease[l]);
        }

        var jobPool = new int[_job.Length];
        var jobStart = new int[_job.Length];
        for (var j = 0; j < _job.Length; j++)
        {
            (jobPool[j], jobStart[j]) = Chosen(value, _catalog.Jobs[j], _job[j]);
        }

        return new Assignment([.. leasePool], [.. leaseStart], [.. jobPool], [.. jobStart]);
    }

    private static (int Pool, int Start) Chosen(Func<Variable, double> value, System.Collections.Immutable.ImmutableArray<PlacementOption> options, Variable[] vars)
    {
        for (var k = 0; k < vars.Length; k++)
        {
            if (value(vars[k]) > 0.5)
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
}
