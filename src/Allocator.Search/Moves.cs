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
        return item.IsLease
            ? draft.LeasePool(item.Index) < 0 && TryPlaceLease(draft, item.Index, ref rng, anyPool: true)
            : draft.JobPool(item.Index) < 0 && TryPlaceJob(draft, item.Index, ref rng, anyPool: true, keepStart: false);
    }

    private static bool Drop(DraftPlan draft, ref SplitMix64 rng)
    {
        var item = PickItem(draft, ref rng);
        return TryDrop(draft, item);
    }

    private static bool Shift(DraftPlan draft, ref SplitMix64 rng)
    {
        var item = PickItem(draft, ref rng);
        var (pool, old) = Placement(draft, item);
        if (pool < 0)
        {
            return false;
        }

        Remove(draft, item);
        var (first, last) = StartRange(draft, item);
        var start = first < last ? NearbyStart(old, first, last, ref rng) : old;
        var target = start != old && Fits(draft, item, pool, start) ? start : old;
        Place(draft, item, pool, target);
        return target != old;
    }

    private static bool Relocate(DraftPlan draft, ref SplitMix64 rng)
    {
        var item = PickItem(draft, ref rng);
        var (pool, start) = Placement(draft, item);
        var pools = Pools(draft.Instance, item);
        if (pool < 0 || pools.Length < 2)
        {
            return false;
        }

        Remove(draft, item);
        var other = Other(pools, pool, ref rng);
        var keep = Fits(draft, item, other, start);
        Place(draft, item, keep ? other : pool, start);
        return keep;
    }

    /// <summary>
    /// The starts an unplaced item may take: a lease's window; a job's window narrowed by the jobs it follows and the
    /// scheduled jobs that follow it (empty when one it follows is not scheduled).
    /// </summary>
    private static (int First, int Last) StartRange(DraftPlan draft, Item item) => item.IsLease
        ? (draft.Instance.LeaseEarliestStart[item.Index], draft.Instance.LeaseLatestStart[item.Index])
        : draft.JobStartRange(item.Index);

    private static System.Collections.Immutable.ImmutableArray<int> Pools(Core.Evaluation.CompiledInstance instance, Item item) =>
        item.IsLease ? instance.LeasePools[item.Index] : instance.JobPools[item.Index];

    private static bool Swap(DraftPlan draft, ref SplitMix64 rng)
    {
        var a = PickItem(draft, ref rng);
        var b = PickItem(draft, ref rng);
        var instance = draft.Instance;
        var (poolA, startA) = Placement(draft, a);
        var (poolB, startB) = Placement(draft, b);
        if (poolA < 0 || poolB < 0 || poolA == poolB || !Allowed(instance, a, poolB) || !Allowed(instance, b, poolA))
        {
            return false;
        }

        Remove(draft, a);
        Remove(draft, b);
        if (Fits(draft, a, poolB, startA))
        {
            Place(draft, a, poolB, startA);
            if (Fits(draft, b, poolA, startB))
            {
                Place(draft, b, poolA, startB);
                return true;
            }

            Remove(draft, a);
        }

        // Put both back where they were: they fitted there before, together.
        Place(draft, a, poolA, startA);
        Place(draft, b, poolB, startB);
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

        var covering = new List<Item>();
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            if (draft.LeasePool(l) == tightPool && Covers(draft.LeaseStart(l), instance.LeasePeriods[l], tightPeriod))
            {
                covering.Add(new Item(true, l));
            }
        }

        for (var j = 0; j < instance.JobCount; j++)
        {
            if (draft.JobPool(j) == tightPool && Covers(draft.JobStart(j), instance.JobPeriods[j], tightPeriod))
            {
                covering.Add(new Item(false, j));
            }
        }

        if (covering.Count == 0)
        {
            return false;
        }

        var item = covering[rng.Between(0, covering.Count - 1)];
        var (oldPool, oldStart) = Placement(draft, item);
        Remove(draft, item);
        var moved = item.IsLease
            ? TryPlaceLease(draft, item.Index, ref rng, anyPool: true)
            : TryPlaceJob(draft, item.Index, ref rng, anyPool: true, keepStart: false);
        if (moved && (Placement(draft, item) is var (newPool, newStart)) && (newPool != oldPool || !Covers(newStart, Periods(instance, item), tightPeriod)))
        {
            return true;
        }

        if (moved)
        {
            Remove(draft, item);
        }

        if (Droppable(draft, item))
        {
            return true;
        }

        Place(draft, item, oldPool, oldStart);
        return false;
    }

    private static bool TryDrop(DraftPlan draft, Item item)
    {
        if (!Droppable(draft, item) || Placement(draft, item).Pool < 0)
        {
            return false;
        }

        Remove(draft, item);
        return true;
    }

    /// <summary>Whether an item may be left unplaced: an offer, or a job that is not required and that no scheduled job follows.</summary>
    private static bool Droppable(DraftPlan draft, Item item) =>
        item.IsLease ? !draft.Instance.LeaseSigned[item.Index] : draft.CanDropJob(item.Index);

    private static bool TryPlaceLease(DraftPlan draft, int lease, ref SplitMix64 rng, bool anyPool)
    {
        var instance = draft.Instance;
        var pools = instance.LeasePools[lease];
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var pool = anyPool ? pools[rng.Between(0, pools.Length - 1)] : draft.LeasePool(lease);
            var start = rng.Between(instance.LeaseEarliestStart[lease], instance.LeaseLatestStart[lease]);
            if (draft.Fits(pool, start, instance.LeasePeriods[lease], instance.LeaseGpus[lease]))
            {
                draft.PlaceLease(lease, pool, start);
                return true;
            }
        }

        return false;
    }

    private static bool TryPlaceJob(DraftPlan draft, int job, ref SplitMix64 rng, bool anyPool, bool keepStart)
    {
        var instance = draft.Instance;
        var (first, last) = draft.JobStartRange(job);
        if (first > last)
        {
            return false;
        }

        var pools = instance.JobPools[job];
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var pool = anyPool ? pools[rng.Between(0, pools.Length - 1)] : draft.JobPool(job);
            // Early starts are worth more (decay), so half the tries take the earliest start the chain allows.
            var start = keepStart ? draft.JobStart(job) : rng.Chance(0.5) ? first : rng.Between(first, last);
            if (start >= first && start <= last && draft.Fits(pool, start, instance.JobPeriods[job], instance.JobGpus[job]))
            {
                draft.PlaceJob(job, pool, start);
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

    private static Item PickItem(DraftPlan draft, ref SplitMix64 rng)
    {
        var instance = draft.Instance;
        var index = rng.Between(0, instance.LeaseCount + instance.JobCount - 1);
        return index < instance.LeaseCount ? new Item(true, index) : new Item(false, index - instance.LeaseCount);
    }

    private static bool Covers(int start, int periods, int period) => start <= period && period < start + periods;

    private static int Periods(Core.Evaluation.CompiledInstance instance, Item item) =>
        item.IsLease ? instance.LeasePeriods[item.Index] : instance.JobPeriods[item.Index];

    private static (int Pool, int Start) Placement(DraftPlan draft, Item item) =>
        item.IsLease ? (draft.LeasePool(item.Index), draft.LeaseStart(item.Index)) : (draft.JobPool(item.Index), draft.JobStart(item.Index));

    private static bool Allowed(Core.Evaluation.CompiledInstance instance, Item item, int pool) => Pools(instance, item).Contains(pool);

    private static bool Fits(DraftPlan draft, Item item, int pool, int start)
    {
        var instance = draft.Instance;
        return item.IsLease
            ? draft.Fits(pool, start, instance.LeasePeriods[item.Index], instance.LeaseGpus[item.Index])
            : draft.Fits(pool, start, instance.JobPeriods[item.Index], instance.JobGpus[item.Index]);
    }

    private static void Place(DraftPlan draft, Item item, int pool, int start)
    {
        if (item.IsLease)
        {
            draft.PlaceLease(item.Index, pool, start);
        }
        else
        {
            draft.PlaceJob(item.Index, pool, start);
        }
    }

    private static void Remove(DraftPlan draft, Item item)
    {
        if (item.IsLease)
        {
            draft.RemoveLease(item.Index);
        }
        else
        {
            draft.RemoveJob(item.Index);
        }
    }

    /// <summary>A lease or a job, by index.</summary>
    private readonly record struct Item(bool IsLease, int Index);
}
