using System.Globalization;

namespace Allocator.Core.Evaluation;

/// <summary>Something valid in an instance that a planner likely did not mean: where (a JSON path) and what it does.</summary>
public sealed record InstanceNote(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>
/// What <c>allocator validate</c> says of a valid instance besides "valid": values the contract allows but that change
/// nothing or can never pay, each with its JSON path. They are not errors (the contract accepts them, and a plan is still
/// computed); they are the typos and stale numbers a planner wants to hear of before a night's run.
/// </summary>
public static class InstanceNotes
{
    /// <summary>The notes on <paramref name="instance"/>, in the order of the file.</summary>
    public static IReadOnlyList<InstanceNote> Of(CompiledInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return [.. DeliveriesPastTheHorizon(instance), .. SpotNeverSold(instance), .. OffersBelowTheirPower(instance), .. NamedTwice(instance)];
    }

    /// <summary>A pool listed twice among a lease's or job's pools, or a job twice in <c>after</c>: harmless, but likely a typo for another.</summary>
    private static IEnumerable<InstanceNote> NamedTwice(CompiledInstance instance)
    {
        var source = instance.Source;
        var lists = source.Leases.Select((l, i) => ($"$.leases[{i}].pools", l.Pools, "pool"))
            .Concat(source.Jobs.Select((j, i) => ($"$.jobs[{i}].pools", j.Pools, "pool")))
            .Concat(source.Jobs.Select((j, i) => ($"$.jobs[{i}].after", (System.Collections.Immutable.ImmutableArray<string>?)j.After, "job")));
        foreach (var (path, ids, kind) in lists)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var k = 0; ids is { } list && k < list.Length; k++)
            {
                if (!seen.Add(list[k]))
                {
                    yield return new InstanceNote($"{path}[{k}]", $"names {kind} '{list[k]}' again; once is enough (was another {kind} meant?).");
                }
            }
        }
    }

    /// <summary>A delivery dated at or after the horizon's end never adds a GPU to any period.</summary>
    private static IEnumerable<InstanceNote> DeliveriesPastTheHorizon(CompiledInstance instance)
    {
        var pools = instance.Source.Pools;
        for (var p = 0; p < pools.Length; p++)
        {
            for (var d = 0; d < pools[p].Deliveries.Length; d++)
            {
                if (pools[p].Deliveries[d].Period >= instance.Periods)
                {
                    yield return new InstanceNote(
                        $"$.pools[{p}].deliveries[{d}].period",
                        $"{pools[p].Deliveries[d].Period} is past the horizon's last period ({instance.Periods - 1}); this delivery never counts.");
                }
            }
        }
    }

    /// <summary>A spot market whose price never covers any pool's power sells nothing.</summary>
    private static IEnumerable<InstanceNote> SpotNeverSold(CompiledInstance instance)
    {
        if (instance.Source.Spot is { } spot && Enumerable.Range(0, instance.PoolCount).All(p => !instance.SellsSpot(p)))
        {
            yield return new InstanceNote(
                "$.spot",
                spot.SellThrough == 0
                    ? "sellThrough is 0; no spot is ever sold."
                    : "the spot price never exceeds any pool's power cost per GPU-hour; no spot is ever sold.");
        }
    }

    /// <summary>An offer that pays less than its GPUs' power on every allowed pool only loses money: no optimal plan accepts it.</summary>
    private static IEnumerable<InstanceNote> OffersBelowTheirPower(CompiledInstance instance)
    {
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            if (instance.LeaseSigned[l])
            {
                continue;
            }

            var hours = instance.PeriodHours;
            var cheapestPower = instance.LeasePools[l].Min(p => instance.PowerCostPerGpuPeriod[p]) / hours;
            if (instance.LeasePricePerGpuHour[l] < cheapestPower)
            {
                yield return new InstanceNote(
                    $"$.leases[{l}].pricePerGpuHour",
                    string.Create(CultureInfo.InvariantCulture,
                        $"offer '{instance.Source.Leases[l].Id}' pays {instance.LeasePricePerGpuHour[l]:0.####} per GPU-hour, less than its cheapest allowed pool's power ({cheapestPower:0.####}); accepting it only loses money."));
            }
        }
    }
}
