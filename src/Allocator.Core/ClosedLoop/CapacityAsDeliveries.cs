using System.Collections.Immutable;
using Allocator.Core.Contract;

namespace Allocator.Core.ClosedLoop;

/// <summary>
/// A pool's GPUs per period written as the contract writes them: the first period's count as <c>gpus</c>, then one
/// delivery of the difference at each period where the count changes. The residual and the hindsight instance both
/// write capacity this way (closed-loop.md).
/// </summary>
public static class CapacityAsDeliveries
{
    /// <summary><paramref name="pool"/> with <c>gpus</c> and deliveries that give exactly <paramref name="capacity"/> (negatives floored at 0).</summary>
    public static Pool Write(Pool pool, IReadOnlyList<long> capacity)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(capacity);
        var gpus = ImmutableArray.CreateBuilder<Delivery>();
        for (var u = 1; u < capacity.Count; u++)
        {
            var change = Math.Max(0, capacity[u]) - Math.Max(0, capacity[u - 1]);
            if (change != 0)
            {
                gpus.Add(new Delivery(u, checked((int)change)));
            }
        }

        return pool with { Gpus = checked((int)Math.Max(0, capacity.Count == 0 ? 0 : capacity[0])), Deliveries = gpus.ToImmutable() };
    }
}
