using Allocator.Core.Evaluation;

namespace Allocator.Core.Planning;

/// <summary>
/// A fast constructive plan: commitments first (signed leases, required jobs and the jobs these must follow), with a
/// repair step that makes room for a commitment that no longer fits by taking others off; then everything else by net
/// value per GPU-period, each at its best placement that still fits capacity and power. Commitments are placed three
/// ways and the plan worth most is kept: the one with the fewest placements left first, spread over the emptiest
/// stretches or packed where each fits most tightly (packing fits more commitments when they are tight), and the best
/// paying first, spread (which leaves the most room for offers when commitments are loose). It is no optimiser; it gives
/// the exact planner a plan to hold from the first second.
/// </summary>
public static class GreedyPlanner
{
    /// <summary>
    /// A feasible assignment, or null when the commitments could not all be placed. Placements of
    /// <paramref name="keep"/> (a feasible plan, or part of one) are kept as they are and the rest is filled around them.
    /// </summary>
    public static Assignment? Plan(CompiledInstance instance, Assignment? keep = null) => BestPlan(instance, keep)?.Assignment;

    /// <summary>
    /// <see cref="Plan"/> with its evaluation, which choosing among the three ways computed anyway. After the commitments,
    /// the rest is added as <paramref name="fill"/> says (default: by net value per GPU-period).
    /// </summary>
    public static PlanEvaluation? BestPlan(CompiledInstance instance, Assignment? keep = null, FillRule? fill = null)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return Best(instance, fill ?? FillRule.ByValue, plan =>
        {
            if (keep is not null)
            {
                plan.Keep(keep);
            }
        });
    }

    /// <summary>
    /// <see cref="BestPlan"/> that first places <paramref name="preferred"/>, in the order given: each lease or job at the
    /// first of its placements there that fits capacity, power and chains with what is placed by then (a job once every
    /// job it follows is placed). Those are kept as they are and the rest is filled around them.
    /// </summary>
    public static PlanEvaluation? BestPlan(CompiledInstance instance, IReadOnlyList<(Block Block, int Pool, int Start)> preferred)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(preferred);
        return Best(instance, FillRule.ByValue, plan => plan.Prefer(preferred));
    }

    /// <summary>The plan worth most of the three ways of placing commitments, each started by <paramref name="first"/>.</summary>
    private static PlanEvaluation? Best(CompiledInstance instance, FillRule fill, Action<GreedyPlan> first) =>
        new[]
            {
                (CommitmentOrder.FewestPlacements, CommitmentFit.Spread),
                (CommitmentOrder.FewestPlacements, CommitmentFit.Tight),
                (CommitmentOrder.Value, CommitmentFit.Spread),
            }
            .Select(way => Plan(instance, first, way.Item1, way.Item2, fill))
            .OfType<Assignment>()
            .Select(plan => PlanEvaluator.Evaluate(instance, plan))
            .Where(e => e.IsFeasible)
            .OrderByDescending(e => e.Objective.Total)
            .FirstOrDefault();

    private static Assignment? Plan(CompiledInstance instance, Action<GreedyPlan> first, CommitmentOrder order, CommitmentFit fit, FillRule fill)
    {
        var plan = new GreedyPlan(instance, order, fit, fill);
        first(plan);
        if (!plan.PlaceCommitments())
        {
            return null;
        }

        plan.AddByValue();
        return plan.ToAssignment();
    }
}

/// <summary>Which of the leases and jobs that no one has committed to go in first, once the commitments are placed.</summary>
public enum FillOrder
{
    /// <summary>By net value per GPU-period (revenue less power and the spot margin the GPUs would otherwise earn).</summary>
    Value,

    /// <summary>Offers first, by price per GPU-hour; then jobs by value.</summary>
    LeasesByPrice,

    /// <summary>Jobs first, by value; then offers by value.</summary>
    JobsByValue,
}

/// <summary>
/// How the greedy planner fills the fleet after the commitments: in which order, with how much of each pool held back
/// from offers for training (<see cref="TrainingReserve"/>), and which offers are worth taking at all
/// (<see cref="MinimumPrice"/>). Only blocks that earn more than their power and the spot they displace are added.
/// </summary>
public sealed record FillRule(FillOrder Order = FillOrder.Value, double TrainingReserve = 0, double MinimumPrice = 0)
{
    /// <summary>Everything by net value per GPU-period, nothing held back.</summary>
    public static FillRule ByValue { get; } = new();

    /// <summary>Whether an offer at <paramref name="pricePerGpuHour"/> may be taken.</summary>
    public bool Takes(double pricePerGpuHour) => pricePerGpuHour >= MinimumPrice;
}

/// <summary>Which commitment is placed next.</summary>
internal enum CommitmentOrder
{
    /// <summary>The one with the fewest placements that still fit (ties: the largest).</summary>
    FewestPlacements,

    /// <summary>The one worth most per GPU-period.</summary>
    Value,
}

/// <summary>Where a commitment goes among the placements that fit.</summary>
internal enum CommitmentFit
{
    /// <summary>The emptiest stretch.</summary>
    Spread,

    /// <summary>The fullest stretch that still fits.</summary>
    Tight,
}

/// <summary>A plan under construction: where each block sits, with capacity and power kept in a ledger.</summary>
internal sealed class GreedyPlan
{
    // Steps a repaired commitment is safe from being taken off again, so two commitments do not evict each other forever.
    private const int RepairTenure = 8;

    private readonly CompiledInstance _instance;
    private readonly CapacityLedger _ledger;
    private readonly Dictionary<Block, (int Pool, int Start)> _placed = [];
    private readonly HashSet<Block> _kept = [];
    private readonly List<int>[] _successors;

    private readonly CommitmentOrder _order;
    private readonly CommitmentFit _fit;
    private readonly FillRule _fill;

    // GPUs held by leases per pool and period, against the share of capacity a training reserve leaves to offers.
    private readonly long[] _leaseGpus;

    // The density ranks blocks before they have a start: the margin a pool's GPUs earn on spot, on average over the horizon.
    private readonly double[] _meanSpotMargin;

    // While commitments are placed: each waiting commitment's placements, marked fitting or not, kept from step to step.
    private readonly CommitmentOptions _options;

    public GreedyPlan(CompiledInstance instance, CommitmentOrder order, CommitmentFit fit, FillRule fill)
    {
        _instance = instance;
        _order = order;
        _fit = fit;
        _fill = fill;
        _leaseGpus = new long[instance.PoolCount * instance.Periods];
        _meanSpotMargin = [.. Enumerable.Range(0, instance.PoolCount).Select(p => Enumerable.Range(0, instance.Periods).Average(t => instance.SpotMargin[p * instance.Periods + t]))];
        _ledger = new CapacityLedger(instance);
        _options = new CommitmentOptions(instance, Window, (block, pool, start) => _ledger.Fits(pool, start, instance.Periods(block), instance.Gpus(block)));
        _successors = [.. Enumerable.Range(0, instance.JobCount).Select(_ => new List<int>())];
        for (var j = 0; j < instance.JobCount; j++)
        {
            foreach (var a in instance.JobAfter[j])
            {
                _successors[a].Add(j);
            }
        }
    }

    /// <summary>Places every block <paramref name="keep"/> places, where it places it, for good.</summary>
    public void Keep(Assignment keep)
    {
        foreach (var block in _instance.Blocks())
        {
            var (pool, start) = block.IsJob ? (keep.JobPool[block.Index], keep.JobStart[block.Index]) : (keep.LeasePool[block.Index], keep.LeaseStart[block.Index]);
            if (pool >= 0)
            {
                Place(block, pool, start);
                _kept.Add(block);
            }
        }
    }

    /// <summary>
    /// Places each of <paramref name="placements"/> that fits, in the order given, each block once, for good: capacity
    /// and power by the ledger, a job only once every job it follows is placed and within <see cref="Window"/>. Passes
    /// repeat while they place something, so a job listed before the job it follows still goes in.
    /// </summary>
    public void Prefer(IReadOnlyList<(Block Block, int Pool, int Start)> placements)
    {
        for (var pass = 0; pass < 1 + _instance.JobCount; pass++)
        {
            var before = _placed.Count;
            foreach (var (block, pool, start) in placements)
            {
                if (!_placed.ContainsKey(block) && _instance.Predecessors(block).All(_placed.ContainsKey) && Window(block) is var (from, to)
                    && start >= from && start <= to && _ledger.Fits(pool, start, _instance.Periods(block), _instance.Gpus(block)))
                {
                    Place(block, pool, start);
                    _kept.Add(block);
                }
            }

            if (_placed.Count == before)
            {
                break;
            }
        }
    }

    /// <summary>
    /// Places every commitment, one a step in the order of <see cref="CommitmentOrder"/>, on the emptiest or the fullest
    /// stretch that fits (<see cref="CommitmentFit"/>). A commitment with no room
    /// left goes where it displaces the fewest GPU-periods of other commitments, which go back in the queue.
    /// </summary>
    public bool PlaceCommitments()
    {
        try
        {
            return PlaceEachCommitment();
        }
        finally
        {
            _options.Clear();
        }
    }

    private bool PlaceEachCommitment()
    {
        var needed = CommitmentsAndTheirPredecessors();
        var safeUntil = new Dictionary<Block, int>();
        var steps = 50 + 20 * needed.Count;
        for (var step = 0; step < steps; step++)
        {
            var ready = needed.Where(b => !_placed.ContainsKey(b) && _instance.Predecessors(b).All(_placed.ContainsKey)).ToList();
            if (ready.Count == 0)
            {
                return needed.All(_placed.ContainsKey);
            }

            var block = _order == CommitmentOrder.Value
                ? ready.OrderByDescending(Density).First()
                : ready.Select(b => (Block: b, Count: _options.Count(b))).OrderBy(x => x.Count).ThenByDescending(x => Size(x.Block)).First().Block;
            var fitting = _options.Fitting(block);
            if (fitting.Count > 0)
            {
                var periods = _instance.Periods(block);
                var fuller = _fit == CommitmentFit.Tight ? 1 : -1;
                var (pool, start) = fitting.OrderByDescending(o => fuller * _ledger.Load(o.Pool, o.Start, periods)).First();
                Place(block, pool, start);
            }
            else if (!MakeRoom(block, step, safeUntil))
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>
    /// Adds every other lease and job that earns more than its power and the spot it displaces, in the fill rule's
    /// order (by default the best value per GPU-period first).
    /// </summary>
    public void AddByValue()
    {
        var candidates = _instance.Blocks().Where(b => !_instance.IsCommitted(b) && !_placed.ContainsKey(b))
            .Where(b => b.IsJob || _fill.Takes(_instance.Source.Leases[b.Index].PricePerGpuHour))
            .Select(b => (Block: b, Density: Density(b))).Where(x => x.Density > 0).ToList();
        var ordered = (_fill.Order switch
        {
            FillOrder.LeasesByPrice => candidates.OrderBy(x => x.Block.IsJob ? 1 : 0)
                .ThenByDescending(x => x.Block.IsJob ? x.Density : _instance.Source.Leases[x.Block.Index].PricePerGpuHour),
            FillOrder.JobsByValue => candidates.OrderBy(x => x.Block.IsJob ? 0 : 1).ThenByDescending(x => x.Density),
            _ => candidates.OrderByDescending(x => x.Density),
        }).Select(x => x.Block).ToList();

        // Jobs wait for their predecessors; a few passes settle every chain.
        for (var pass = 0; pass < 1 + _instance.JobCount; pass++)
        {
            var progress = false;
            foreach (var block in ordered.Where(b => !_placed.ContainsKey(b)))
            {
                progress |= block.IsJob ? TryAddJob(block) : TryAddLease(block);
            }

            if (!progress)
            {
                break;
            }
        }
    }

    public Assignment ToAssignment()
    {
        var leasePool = Enumerable.Repeat(-1, _instance.LeaseCount).ToArray();
        var leaseStart = new int[_instance.LeaseCount];
        var jobPool = Enumerable.Repeat(-1, _instance.JobCount).ToArray();
        var jobStart = new int[_instance.JobCount];
        foreach (var (block, (pool, start)) in _placed)
        {
            if (block.IsJob)
            {
                (jobPool[block.Index], jobStart[block.Index]) = (pool, start);
            }
            else
            {
                (leasePool[block.Index], leaseStart[block.Index]) = (pool, start);
            }
        }

        return new Assignment([.. leasePool], [.. leaseStart], [.. jobPool], [.. jobStart]);
    }

    private HashSet<Block> CommitmentsAndTheirPredecessors()
    {
        var needed = new HashSet<Block>();
        var queue = new Queue<Block>(_instance.Blocks().Where(_instance.IsCommitted));
        while (queue.TryDequeue(out var block))
        {
            if (needed.Add(block))
            {
                foreach (var before in _instance.Predecessors(block))
                {
                    queue.Enqueue(before);
                }
            }
        }

        return needed;
    }

    /// <summary>
    /// Where <paramref name="block"/> may start given what is placed: its window, after every placed predecessor has
    /// finished and, for a job, ending before any placed successor starts.
    /// </summary>
    private (int From, int To) Window(Block block)
    {
        var from = _instance.EarliestStart(block);
        var to = _instance.LatestStart(block);
        foreach (var before in _instance.Predecessors(block))
        {
            if (_placed.TryGetValue(before, out var at))
            {
                from = Math.Max(from, at.Start + _instance.Periods(before));
            }
        }

        if (block.IsJob)
        {
            foreach (var next in _successors[block.Index])
            {
                if (_placed.TryGetValue(Block.Job(next), out var at))
                {
                    to = Math.Min(to, at.Start - _instance.Periods(block));
                }
            }
        }

        return (from, to);
    }

    private IEnumerable<(int Pool, int Start)> Placements(Block block)
    {
        var (from, to) = Window(block);
        foreach (var pool in _instance.Pools(block))
        {
            for (var start = from; start <= to; start++)
            {
                yield return (pool, start);
            }
        }
    }

    private IEnumerable<(int Pool, int Start)> Fitting(Block block) =>
        Placements(block).Where(o => _ledger.Fits(o.Pool, o.Start, _instance.Periods(block), _instance.Gpus(block)));

    /// <summary>
    /// Tells the kept placements what a booking of <paramref name="block"/> at (pool, start) may have changed: capacity and
    /// power on that site in those periods, and the windows of the jobs it follows or precedes.
    /// </summary>
    private void Forget(Block block, int pool, int start, int periods)
    {
        _options.Booked(_instance.PoolSite[pool], start, periods);
        foreach (var before in _instance.Predecessors(block))
        {
            _options.WindowChanged(before);
        }

        if (block.IsJob)
        {
            foreach (var next in _successors[block.Index])
            {
                _options.WindowChanged(Block.Job(next));
            }
        }
    }

    /// <summary>
    /// Repair: places <paramref name="block"/> where it displaces the fewest GPU-periods of other commitments (not kept
    /// ones, not the jobs it follows, and not those repaired in the last few steps), takes those off (with any jobs that follow them) and leaves
    /// them to be placed again. False when no placement can be freed that way.
    /// </summary>
    private bool MakeRoom(Block block, int step, Dictionary<Block, int> safeUntil)
    {
        var before = _instance.Predecessors(block).ToHashSet();
        bool Movable(Block b) => !_kept.Contains(b) && !before.Contains(b) && safeUntil.GetValueOrDefault(b, -1) < step;
        var best = Placements(block)
            .Select(o => (Option: o, Displaced: Displaced(block, o.Pool, o.Start, Movable)))
            .Where(x => x.Displaced is not null)
            .OrderBy(x => x.Displaced!.Sum(Size))
            .FirstOrDefault();
        if (best.Displaced is null)
        {
            return false;
        }

        foreach (var other in best.Displaced)
        {
            TakeOffWithSuccessors(other);
        }

        Place(block, best.Option.Pool, best.Option.Start);
        safeUntil[block] = step + RepairTenure;
        return true;
    }

    /// <summary>
    /// The placed blocks that must come off for <paramref name="block"/> to fit at (pool, start): blocks on the same site
    /// in the same periods, same pool and largest overlap first, until it fits; then any of those that fit back beside it
    /// stay. Null when taking off every movable block is not enough. The ledger is left as it was.
    /// </summary>
    private List<Block>? Displaced(Block block, int pool, int start, Func<Block, bool> movable)
    {
        var periods = _instance.Periods(block);
        var gpus = _instance.Gpus(block);
        var site = _instance.PoolSite[pool];
        var candidates = _placed
            .Where(x => movable(x.Key) && _instance.PoolSite[x.Value.Pool] == site && Overlap(x.Key, x.Value.Start, start, periods) > 0)
            .OrderBy(x => x.Value.Pool == pool ? 0 : 1).ThenByDescending(x => Overlap(x.Key, x.Value.Start, start, periods) * (long)_instance.Gpus(x.Key))
            .Select(x => x.Key).ToList();
        var off = new List<Block>();
        foreach (var other in candidates)
        {
            if (_ledger.Fits(pool, start, periods, gpus))
            {
                break;
            }

            LedgerOff(other);
            off.Add(other);
        }

        List<Block>? displaced = null;
        if (_ledger.Fits(pool, start, periods, gpus))
        {
            Forget(block, pool, start, periods);
            _ledger.Add(pool, start, periods, gpus);
            displaced = [];
            for (var i = off.Count - 1; i >= 0; i--)
            {
                var (p, s) = _placed[off[i]];
                if (_ledger.Fits(p, s, _instance.Periods(off[i]), _instance.Gpus(off[i])))
                {
                    LedgerOn(off[i]);
                }
                else
                {
                    displaced.Add(off[i]);
                }
            }

            _ledger.Remove(pool, start, periods, gpus);
        }

        foreach (var other in off.Where(o => displaced is null || displaced.Contains(o)))
        {
            LedgerOn(other);
        }

        return displaced;
    }

    private int Overlap(Block other, int otherStart, int start, int periods) =>
        Math.Min(otherStart + _instance.Periods(other), start + periods) - Math.Max(otherStart, start);

    private void TakeOffWithSuccessors(Block block)
    {
        if (!_placed.ContainsKey(block) || _kept.Contains(block))
        {
            return;
        }

        LedgerOff(block);
        _placed.Remove(block);
        if (block.IsJob)
        {
            foreach (var next in _successors[block.Index])
            {
                TakeOffWithSuccessors(Block.Job(next));
            }
        }
    }

    private bool TryAddLease(Block lease)
    {
        var gpus = _instance.Gpus(lease);
        var periods = _instance.Periods(lease);
        // Cheapest power first, then the emptiest stretch of the pool.
        var best = Fitting(lease).Where(o => WithinOfferShare(o.Pool, o.Start, periods, gpus))
            .Select(o => (Option: o, Score: -_instance.PowerCostPerGpuPeriod[o.Pool] * 1e6 - _ledger.Load(o.Pool, o.Start, periods) * periods))
            .OrderByDescending(x => x.Score).Select(x => ((int Pool, int Start)?)x.Option).FirstOrDefault();
        if (best is not { } at)
        {
            return false;
        }

        Place(lease, at.Pool, at.Start);
        return true;
    }

    private bool TryAddJob(Block job)
    {
        if (!_instance.Predecessors(job).All(_placed.ContainsKey))
        {
            return false;
        }

        var periods = _instance.Periods(job);
        var gpus = _instance.Gpus(job);
        var best = Fitting(job)
            .Select(o => (Option: o, Value: _instance.JobExpectedValue(job.Index, o.Start) - (double)gpus * periods * _instance.PowerCostPerGpuPeriod[o.Pool]))
            .OrderByDescending(x => x.Value).FirstOrDefault(x => x.Value > 0);
        if (best.Value <= 0)
        {
            return false;
        }

        Place(job, best.Option.Pool, best.Option.Start);
        return true;
    }

    /// <summary>
    /// Net value per GPU-period at the block's best allowed pool: revenue (a job's at its earliest start) less power and
    /// the spot margin the GPUs would otherwise earn.
    /// </summary>
    private double Density(Block block)
    {
        var size = Size(block);
        var money = block.IsJob ? _instance.JobExpectedValue(block.Index, _instance.JobEarliestStart[block.Index]) : _instance.LeaseRevenue[block.Index];
        var best = _instance.Pools(block).Max(p => money - size * (_instance.PowerCostPerGpuPeriod[p] + _instance.SellThrough * _meanSpotMargin[p]));
        return best / Math.Max(1, size);
    }

    private double Size(Block block) => (double)_instance.Gpus(block) * _instance.Periods(block);

    /// <summary>Whether an offer of <paramref name="gpus"/> keeps the pool's leases within the share the training reserve leaves them.</summary>
    private bool WithinOfferShare(int pool, int start, int periods, int gpus)
    {
        for (var t = start; t < start + periods; t++)
        {
            if (_leaseGpus[pool * _instance.Periods + t] + gpus > Math.Floor((1 - _fill.TrainingReserve) * _instance.CapacityAt(pool, t)))
            {
                return false;
            }
        }

        return true;
    }

    private void Place(Block block, int pool, int start)
    {
        _placed[block] = (pool, start);
        LedgerOn(block);
    }

    private void LedgerOn(Block block) => Book(block, +1);

    private void LedgerOff(Block block) => Book(block, -1);

    private void Book(Block block, int sign)
    {
        var (pool, start) = _placed[block];
        var (periods, gpus) = (_instance.Periods(block), _instance.Gpus(block));
        Forget(block, pool, start, periods);
        if (sign > 0)
        {
            _ledger.Add(pool, start, periods, gpus);
        }
        else
        {
            _ledger.Remove(pool, start, periods, gpus);
        }

        if (!block.IsJob)
        {
            for (var t = start; t < start + periods; t++)
            {
                _leaseGpus[pool * _instance.Periods + t] += sign * gpus;
            }
        }
    }
}
