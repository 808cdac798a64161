using Allocator.Core.Evaluation;
using Google.OrTools.Sat;

namespace Allocator.Solver;

/// <summary>
/// The exact model on CP-SAT, one method per constraint family, named as <see cref="MipModel"/>'s. CP-SAT is
/// integer-only, so spot is sold in units of 1 / <see cref="SpotUnitsPerGpu"/> GPU, power is counted in watts and money
/// in units of <see cref="MoneyUnitUsd"/>. Such a model can miss a sliver of spot revenue: <see cref="RoundingSlackUsd"/>
/// is the most that rounding can hide, by which the bound CP-SAT proves is raised.
/// </summary>
internal sealed class CpSatModel
{
    public const long SpotUnitsPerGpu = 100;
    public const double MoneyUnitUsd = 1e-5;

    private readonly PlacementCatalog _catalog;
    private readonly CompiledInstance _instance;
    private readonly BoolVar[][] _lease;
    private readonly BoolVar[][] _job;
    private readonly IntVar?[] _spot;
    private readonly long _sellUnits;
    private readonly long[] _watts;

    public CpSatModel(PlacementCatalog catalog)
    {
        _catalog = catalog;
        _instance = catalog.Instance;
        _lease = [.. catalog.Leases.Select((options, l) => options.Select((_, k) => Model.NewBoolVar($"lease{l}_{k}")).ToArray())];
        _job = [.. catalog.Jobs.Select((options, j) => options.Select((_, k) => Model.NewBoolVar($"job{j}_{k}")).ToArray())];

        // Integer scale factors; a factor that cannot be made exact makes the model conservative and its bound unusable.
        _sellUnits = (long)Math.Floor(_instance.SellThrough * SpotUnitsPerGpu + 1e-9);
        _watts = [.. _instance.KwPerGpu.Select(kw => (long)Math.Ceiling(kw * 1000 - 1e-9))];
        ScalesAreExact = Math.Abs(_sellUnits - _instance.SellThrough * SpotUnitsPerGpu) < 1e-6
            && _watts.Select((w, p) => Math.Abs(w - _instance.KwPerGpu[p] * 1000) < 1e-6).All(x => x);

        var T = _instance.Periods;
        _spot = new IntVar?[_instance.PoolCount * T];
        for (var p = 0; p < _instance.PoolCount; p++)
        {
            for (var t = 0; t < T; t++)
            {
                if (catalog.SellsSpot(p, t) && _sellUnits > 0)
                {
                    _spot[p * T + t] = Model.NewIntVar(0, _sellUnits * _instance.CapacityAt(p, t), $"spot{p}_{t}");
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

    /// <summary>The model, ready for the solver.</summary>
    public CpModel Model { get; } = new();

    /// <summary>Whether every scale factor is exact; when not, the model is conservative and its bound is no bound.</summary>
    public bool ScalesAreExact { get; }

    /// <summary>The most, in USD, that rounding the objective's coefficients and the spot grid can hide.</summary>
    public double RoundingSlackUsd { get; private set; }

    /// <summary>Each lease is placed at most once; a signed lease exactly once.</summary>
    private void AddLeaseChoice()
    {
        for (var l = 0; l < _lease.Length; l++)
        {
            if (_catalog.MustPlaceLease(l)) { Model.AddExactlyOne(_lease[l]); } else { Model.AddAtMostOne(_lease[l]); }
        }
    }

    /// <summary>Each job is scheduled at most once; a required job exactly once.</summary>
    private void AddJobChoice()
    {
        for (var j = 0; j < _job.Length; j++)
        {
            if (_catalog.MustPlaceJob(j)) { Model.AddExactlyOne(_job[j]); } else { Model.AddAtMostOne(_job[j]); }
        }
    }

    /// <summary>Pool capacity: sellUnits x used + spotUnits &lt;= sellUnits x capacity (with no spot: used &lt;= capacity).</summary>
    private void AddPoolCapacity()
    {
        var T = _instance.Periods;
        var rows = Enumerable.Range(0, _instance.PoolCount * T).Select(_ => LinearExpr.NewBuilder()).ToArray();
        foreach (var (option, x, gpus, periods) in Placements())
        {
            for (var t = option.Start; t < option.Start + periods; t++)
            {
                rows[option.Pool * T + t].AddTerm(x, _spot[option.Pool * T + t] is null ? gpus : gpus * _sellUnits);
            }
        }

        for (var i = 0; i < rows.Length; i++)
        {
            var capacity = _instance.CapacityAt(i / T, i % T);
            if (_spot[i] is { } spot)
            {
                rows[i].Add(spot);
                Model.Add(rows[i] <= _sellUnits * capacity);
            }
            else
            {
                Model.Add(rows[i] <= capacity);
            }
        }
    }

    /// <summary>Site power, placed GPUs and spot, in watts x spot units, within each capped site's cap.</summary>
    private void AddSitePower()
    {
        var T = _instance.Periods;
        var rows = Enumerable.Range(0, _instance.SiteCount * T).Select(_ => LinearExpr.NewBuilder()).ToArray();
        foreach (var (option, x, gpus, periods) in Placements())
        {
            var site = _instance.PoolSite[option.Pool];
            for (var t = option.Start; t < option.Start + periods; t++)
            {
                rows[site * T + t].AddTerm(x, gpus * _watts[option.Pool] * SpotUnitsPerGpu);
            }
        }

        for (var i = 0; i < _spot.Length; i++)
        {
            if (_spot[i] is { } spot)
            {
                rows[_instance.PoolSite[i / T] * T + i % T].AddTerm(spot, _watts[i / T]);
            }
        }

        for (var i = 0; i < rows.Length; i++)
        {
            var cap = _instance.PowerCapMw[i];
            if (double.IsFinite(cap))
            {
                Model.Add(rows[i] <= (long)Math.Floor(cap * 1e6 * SpotUnitsPerGpu + 1e-6));
            }
        }
    }

    /// <summary>Job chains, cumulative form: started(j, by t) &lt;= finished(a, by t) (<see cref="PlacementCatalog.ChainRows"/>).</summary>
    private void AddJobChains()
    {
        for (var j = 0; j < _job.Length; j++)
        {
            foreach (var a in _instance.JobAfter[j])
            {
                CpSatEngine.AddChain(Model, _catalog, i => _job[i], j, a);
            }
        }
    }

    /// <summary>Net value of every placement plus spot margin, in money units; the rounding slack is kept to correct the bound.</summary>
    private void SetObjective()
    {
        var T = _instance.Periods;
        var objective = LinearExpr.NewBuilder();
        var slack = 0.0;
        foreach (var (option, x, _, _) in Placements())
        {
            var units = Math.Round(option.NetValue / MoneyUnitUsd);
            objective.AddTerm(x, (long)units);
            slack += Math.Abs(units * MoneyUnitUsd - option.NetValue);
        }

        for (var i = 0; i < _spot.Length; i++)
        {
            if (_spot[i] is { } spot)
            {
                var perUnitUsd = _instance.SpotMargin[i] / SpotUnitsPerGpu;
                var units = Math.Round(perUnitUsd / MoneyUnitUsd);
                objective.AddTerm(spot, (long)units);

                // Rounded price per unit, plus up to one unit of spot that the integer grid cannot sell.
                slack += Math.Abs(units * MoneyUnitUsd - perUnitUsd) * _sellUnits * _instance.CapacityAt(i / T, i % T) + perUnitUsd;
            }
        }

        Model.Maximize(objective);
        RoundingSlackUsd = slack;
    }

    /// <summary>Starts the search from <paramref name="plan"/>: each option it uses at 1, every other at 0.</summary>
    public void Hint(Assignment plan)
    {
        foreach (var (option, x, block) in Choices())
        {
            Model.AddHint(x, plan.Placement(block) == (option.Pool, option.Start) ? 1 : 0);
        }
    }

    /// <summary>The plan of the solver's solution.</summary>
    public Assignment Extract(CpSolver solver)
    {
        var leasePool = Enumerable.Repeat(-1, _lease.Length).ToArray();
        var leaseStart = new int[_lease.Length];
        var jobPool = Enumerable.Repeat(-1, _job.Length).ToArray();
        var jobStart = new int[_job.Length];
        foreach (var (option, x, block) in Choices())
        {
            if (solver.BooleanValue(x))
            {
                if (block.IsJob) { (jobPool[block.Index], jobStart[block.Index]) = (option.Pool, option.Start); }
                else { (leasePool[block.Index], leaseStart[block.Index]) = (option.Pool, option.Start); }
            }
        }

        return new Assignment([.. leasePool], [.. leaseStart], [.. jobPool], [.. jobStart]);
    }

    private IEnumerable<(PlacementOption Option, BoolVar X, Block Block)> Choices()
    {
        for (var l = 0; l < _lease.Length; l++)
        {
            for (var k = 0; k < _lease[l].Length; k++) { yield return (_catalog.Leases[l][k], _lease[l][k], Block.Lease(l)); }
        }

        for (var j = 0; j < _job.Length; j++)
        {
            for (var k = 0; k < _job[j].Length; k++) { yield return (_catalog.Jobs[j][k], _job[j][k], Block.Job(j)); }
        }
    }

    private IEnumerable<(PlacementOption Option, BoolVar X, int Gpus, int Periods)> Placements() =>
        Choices().Select(c => (c.Option, c.X, _instance.Gpus(c.Block), _instance.Periods(c.Block)));
}
