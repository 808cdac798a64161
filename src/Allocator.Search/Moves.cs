using Allocator.Core.Evaluation;
using Allocator.Core.Randomness;

namespace Allocator.Search;

/// <summary>The edits a planner would make to a plan, each one kept only if the plan stays nominally feasible.</summary>
public enum MoveKind
{
    /// <summary>Accept an offer that was rejected, or schedule a job that was left out, at a random allowed pool and start.</summary>
    Accept,

    /// <summary>Reject an accepted offer, or leave out a job (never a signed lease or a required job).</summary>
    Drop,

    /// <summary>Move a lease's or job's start within its window.</summary>
    Shift,

    /// <summary>Move a lease or job to another allowed pool.</summary>
    Relocate,

    /// <summary>Exchange the pools of two placements.</summary>
    Swap,

    /// <summary>Free GPUs where the plan is tightest: take a placement off the fullest pool-period, or move it elsewhere.</summary>
    HoldBack,
}

/// <summary>
/// Applies random moves to a <see cref="DraftPlan"/>. Every move either leaves the draft feasible (capacity, power,
/// windows, chains, signed leases and required jobs) or leaves it untouched and reports false.
/// </summary>
internal static class Moves
{
    private static readonly MoveKind[] Kinds = Enum.GetValues<MoveKind>();

    /// <summary>Tries moves of random kinds until one applies or <paramref name="attempts"/> are spent.</summary>
    public static MoveKind? ApplyRandom(DraftPlan draft, ref SplitMix64 rng, int attempts = 8)
    {
        if (draft.Instance.LeaseCount + draft.Instance.JobCount == 0)
        {
            return null; // nothing to place or move: the only plan is the empty one
        }

        for (var i = 0; i < attempts; i++)
        {
            var kind = Kinds[rng.Between(0, Kinds.Length - 1)];
            if (Apply(kind, draft, ref rng))
            {
                return kind;
            }
        }

        return null;
    }

    public static bool Apply(MoveKind kind, DraftPlan draft, ref SplitMix64 rng) => kind switch
    {
        MoveKind.Accept => Accept(draft, ref rng),
        MoveKind.Drop => Drop(draft, ref rng),
        MoveKind.Shift => Shift(draft, ref rng),
        MoveKind.Relocate => Relocate(draft, ref rng),
        MoveKind.Swap => Swap(draft, ref rng),
        MoveKind.HoldBack => HoldBack(draft, ref rng),
        _ => false,
    };

    private static bool Accept(DraftPlan draft, ref SplitMix64 rng)
    {
        var item = PickItem(draft, ref rng);
        return draft.Placement(item).Pool < 0 && TryPlace(draft, item, ref rng);
    }

    private static bool Drop(DraftPlan draft, ref SplitMix64 rng)
    {
        var item = PickItem(draft, ref rng);
        return TryDrop(draft, item);
    }

    private static bool Shift(DraftPlan draft, ref SplitMix64 rng)
    {
        var item = PickItem(draft, ref rng);
        var (pool, old) = draft.Placement(item);
        if (pool < 0)
        {
            return false;
        }

        draft.Remove(item);
        var (first, last) = draft.StartRange(item);
        var start = first < last ? NearbyStart(old, first, last, ref rng) : old;
        var target = start != old && draft.Fits(item, pool, start) ? start : old;
        draft.Place(item, pool, target);
        return target != old;
    }

    private static bool Relocate(DraftPlan draft, ref SplitMix64 rng)
    {
        var item = PickItem(draft, ref rng);
        var (pool, start) = draft.Placement(item);
        var pools = draft.Instance.Pools(item);
        if (pool < 0 || pools.Length < 2)
        {
            return false;
        }

        draft.Remove(item);
        var other = Other(pools, pool, ref rng);
        var keep = draft.Fits(item, other, start);
        draft.Place(item, keep ? other : pool, start);
        return keep;
    }

    private static bool Swap(DraftPlan draft, ref SplitMix64 rng)
    {
        var a = PickItem(draft, ref rng);
        var b = PickItem(draft, ref rng);
        var instance = draft.Instance;
        var (poolA, startA) = draft.Placement(a);
        var (poolB, startB) = draft.Placement(b);
        if (poolA < 0 || poolB < 0 || poolA == poolB || !Allowed(instance, a, poolB) || !Allowed(instance, b, poolA))
        {
            return false;
        }

        draft.Remove(a);
        draft.Remove(b);
        if (draft.Fits(a, poolB, startA))
        {
            draft.Place(a, poolB, startA);
            if (draft.Fits(b, poolA, startB))
            {
                draft.Place(b, poolA, startB);
                return true;
            }

            draft.Remove(a);
        }

        // Put both back where they were: they fitted there before, together.
        draft.Place(a, poolA, startA);
        draft.Place(b, poolB, startB);
        return false;
    }

    /// <summary>
    /// Looks at a few random pool-periods, takes the one with the least headroom, and frees GPUs there: a movable
    /// placement covering it goes elsewhere (another pool or start) or, failing that, is dropped.
    /// </summary>
    private static bool HoldBack(DraftPlan draft, ref SplitMix64 rng)
    {
        var instance = draft.Instance;
        var T = instance.Periods;
        var (tightPool, tightPeriod, least) = (-1, -1, double.MaxValue);
        for (var probe = 0; probe < 6; probe++)
        {
            var pool = rng.Between(0, instance.PoolCount - 1);
            var period = rng.Between(0, T - 1);
            var capacity = instance.CapacityAt(pool, period);
            if (capacity <= 0 || draft.Used(pool, period) == 0)
            {
                continue;
            }

            var share = (double)draft.Headroom(pool, period) / capacity;
            if (share < least)
            {
                (tightPool, tightPeriod, least) = (pool, period, share);
            }
        }

        if (tightPool < 0)
        {
            return false;
        }

        var covering = new List<Block>();
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            if (draft.LeasePool(l) == tightPool && Covers(draft.LeaseStart(l), instance.LeasePeriods[l], tightPeriod))
            {
                covering.Add(Block.Lease(l));
            }
        }

        for (var j = 0; j < instance.JobCount; j++)
        {
            if (draft.JobPool(j) == tightPool && Covers(draft.JobStart(j), instance.JobPeriods[j], tightPeriod))
            {
                covering.Add(Block.Job(j));
            }
        }

        if (covering.Count == 0)
        {
            return false;
        }

        var item = covering[rng.Between(0, covering.Count - 1)];
        var (oldPool, oldStart) = draft.Placement(item);
        draft.Remove(item);
        var moved = TryPlace(draft, item, ref rng);
        if (moved && (draft.Placement(item) is var (newPool, newStart)) && (newPool != oldPool || !Covers(newStart, instance.Periods(item), tightPeriod)))
        {
            return true;
        }

        if (moved)
        {
            draft.Remove(item);
        }

        if (draft.CanDrop(item))
        {
            return true;
        }

        draft.Place(item, oldPool, oldStart);
        return false;
    }

    private static bool TryDrop(DraftPlan draft, Block item)
    {
        if (!draft.CanDrop(item) || draft.Placement(item).Pool < 0)
        {
            return false;
        }

        draft.Remove(item);
        return true;
    }

    /// <summary>
    /// Places a lease or job that is not placed: four tries of a random allowed pool and a start in its range, the first
    /// that fits kept. Early starts are worth more to a job (decay), so half of a job's tries take the earliest start its
    /// chain allows.
    /// </summary>
    private static bool TryPlace(DraftPlan draft, Block item, ref SplitMix64 rng)
    {
        var (first, last) = draft.StartRange(item);
        if (first > last)
        {
            return false;
        }

        var pools = draft.Instance.Pools(item);
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var pool = pools[rng.Between(0, pools.Length - 1)];
            var start = item.IsJob && rng.Chance(0.5) ? first : rng.Between(first, last);
            if (draft.Fits(item, pool, start))
            {
                draft.Place(item, pool, start);
                return true;
            }
        }

        return false;
    }

    /// <summary>A start near the old one (within two periods) three times in four, anywhere in the window otherwise.</summary>
    private static int NearbyStart(int old, int first, int last, ref SplitMix64 rng)
    {
        if (rng.Chance(0.75))
        {
            var step = rng.Between(1, 2) * (rng.Chance(0.5) ? 1 : -1);
            return Math.Clamp(old + step, first, last);
        }

        return rng.Between(first, last);
    }

    private static int Other(System.Collections.Immutable.ImmutableArray<int> pools, int current, ref SplitMix64 rng)
    {
        var pick = pools[rng.Between(0, pools.Length - 2)];
        return pick == current ? pools[^1] : pick;
    }

    private static Block PickItem(DraftPlan draft, ref SplitMix64 rng)
    {
        var instance = draft.Instance;
        var index = rng.Between(0, instance.LeaseCount + instance.JobCount - 1);
        return index < instance.LeaseCount ? Block.Lease(index) : Block.Job(index - instance.LeaseCount);
    }

    private static bool Covers(int start, int periods, int period) => start <= period && period < start + periods;

    private static bool Allowed(CompiledInstance instance, Block item, int pool) => instance.Pools(item).Contains(pool);

}
