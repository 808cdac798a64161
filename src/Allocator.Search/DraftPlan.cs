using System.Collections.Immutable;
using Allocator.Core.Evaluation;

namespace Allocator.Search;

/// <summary>
/// A plan being edited by the search: where each lease and job sits, with the GPUs and MW committed per pool, site and
/// period kept up to date so every edit can be checked against nominal capacity and power before it is made. Edits that
/// would break either are refused, so a draft that starts feasible stays feasible.
/// </summary>
internal sealed class DraftPlan
{
    private readonly CompiledInstance _instance;
    private readonly int[] _leasePool;
    private readonly int[] _leaseStart;
    private readonly int[] _jobPool;
    private readonly int[] _jobStart;
    private readonly CapacityLedger _ledger;

    private DraftPlan(CompiledInstance instance, int[] leasePool, int[] leaseStart, int[] jobPool, int[] jobStart, CapacityLedger ledger)
    {
        _instance = instance;
        _leasePool = leasePool;
        _leaseStart = leaseStart;
        _jobPool = jobPool;
        _jobStart = jobStart;
        _ledger = ledger;
    }

    /// <summary>A draft of <paramref name="assignment"/>, which must be feasible (signed, required and chains included).</summary>
    public static DraftPlan Of(CompiledInstance instance, Assignment assignment)
    {
        var draft = new DraftPlan(
            instance,
            new int[instance.LeaseCount], new int[instance.LeaseCount], new int[instance.JobCount], new int[instance.JobCount],
            new CapacityLedger(instance));
        Array.Fill(draft._leasePool, -1);
        Array.Fill(draft._jobPool, -1);
        foreach (var block in instance.Blocks())
        {
            var (pool, start) = assignment.Placement(block);
            (block.IsJob ? draft._jobStart : draft._leaseStart)[block.Index] = start;
            if (pool >= 0)
            {
                draft.Place(block, pool, start);
            }
        }

        return draft;
    }

    public CompiledInstance Instance => _instance;

    public int LeasePool(int lease) => _leasePool[lease];

    public int LeaseStart(int lease) => _leaseStart[lease];

    public int JobPool(int job) => _jobPool[job];

    public int JobStart(int job) => _jobStart[job];

    /// <summary>Where a lease or job is: its pool (-1 when not placed) and start.</summary>
    public (int Pool, int Start) Placement(Block block) => block.IsJob
        ? (_jobPool[block.Index], _jobStart[block.Index])
        : (_leasePool[block.Index], _leaseStart[block.Index]);

    /// <summary>GPUs committed on a pool in a period.</summary>
    public long Used(int pool, int period) => _ledger.Used(pool, period);

    /// <summary>GPUs still free on a pool in a period.</summary>
    public long Headroom(int pool, int period) => _ledger.Headroom(pool, period);

    /// <summary>An independent copy to edit.</summary>
    public DraftPlan Copy() => new(
        _instance, (int[])_leasePool.Clone(), (int[])_leaseStart.Clone(), (int[])_jobPool.Clone(), (int[])_jobStart.Clone(), _ledger.Copy());

    /// <summary>The plan as the scorer and evaluator take it.</summary>
    public Assignment ToAssignment() => new(
        ImmutableArray.Create(_leasePool), ImmutableArray.Create(_leaseStart), ImmutableArray.Create(_jobPool), ImmutableArray.Create(_jobStart));

    /// <summary>Whether <paramref name="gpus"/> more GPUs fit on a pool for <paramref name="periods"/> periods from <paramref name="start"/>.</summary>
    public bool Fits(int pool, int start, int periods, int gpus) => _ledger.Fits(pool, start, periods, gpus);

    /// <summary>Whether a lease or job that is not placed fits on <paramref name="pool"/> from <paramref name="start"/>.</summary>
    public bool Fits(Block block, int pool, int start) => Fits(pool, start, _instance.Periods(block), _instance.Gpus(block));

    /// <summary>Places a lease or job that is not placed; the caller has checked <see cref="Fits(Block, int, int)"/> (and <see cref="StartRange"/>).</summary>
    public void Place(Block block, int pool, int start)
    {
        var (pools, starts) = block.IsJob ? (_jobPool, _jobStart) : (_leasePool, _leaseStart);
        pools[block.Index] = pool;
        starts[block.Index] = start;
        _ledger.Add(pool, start, _instance.Periods(block), _instance.Gpus(block));
    }

    /// <summary>Takes a placed lease or job off its pool.</summary>
    public void Remove(Block block)
    {
        var (pool, start) = Placement(block);
        _ledger.Remove(pool, start, _instance.Periods(block), _instance.Gpus(block));
        (block.IsJob ? _jobPool : _leasePool)[block.Index] = -1;
    }

    /// <summary>The starts a lease or job that is not placed may take: a lease's window, a job's <see cref="JobStartRange"/>.</summary>
    public (int First, int Last) StartRange(Block block) => block.IsJob
        ? JobStartRange(block.Index)
        : (_instance.LeaseEarliestStart[block.Index], _instance.LeaseLatestStart[block.Index]);

    /// <summary>Whether a lease or job may be left out: an offer, or a job <see cref="CanDropJob"/> says may go.</summary>
    public bool CanDrop(Block block) => block.IsJob ? CanDropJob(block.Index) : !_instance.LeaseSigned[block.Index];

    /// <summary>
    /// The starts a job may take given the other jobs as they are now: inside its own window, after every job it
    /// follows has finished, and finishing before any scheduled job that follows it starts. Empty (first &gt; last)
    /// when a job it follows is not scheduled.
    /// </summary>
    public (int First, int Last) JobStartRange(int job)
    {
        var first = _instance.JobEarliestStart[job];
        var last = _instance.JobLatestStart(job);
        foreach (var before in _instance.JobAfter[job])
        {
            if (_jobPool[before] < 0)
            {
                return (0, -1);
            }

            first = Math.Max(first, _jobStart[before] + _instance.JobPeriods[before]);
        }

        for (var other = 0; other < _instance.JobCount; other++)
        {
            if (_jobPool[other] >= 0 && _instance.JobAfter[other].Contains(job))
            {
                last = Math.Min(last, _jobStart[other] - _instance.JobPeriods[job]);
            }
        }

        return (first, last);
    }

    /// <summary>Whether a scheduled job may be left out: it is not required and no scheduled job follows it.</summary>
    public bool CanDropJob(int job)
    {
        if (_instance.JobRequired[job])
        {
            return false;
        }

        for (var other = 0; other < _instance.JobCount; other++)
        {
            if (_jobPool[other] >= 0 && _instance.JobAfter[other].Contains(job))
            {
                return false;
            }
        }

        return true;
    }
}
