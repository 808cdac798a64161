namespace Allocator.Core.Evaluation;

/// <summary>
/// The contract's spot rule: per site and period, a fractional knapsack that sells idle GPUs best margin per MW first,
/// each pool up to sellThrough * (capacity - used), within the power the site has left (the order can change with the
/// period's spot price).
/// </summary>
public static class SpotClearing
{
    /// <summary>
    /// Fills <paramref name="spot"/> (<c>[p * T + t]</c>) given <paramref name="used"/> and per-pool
    /// <paramref name="capacity"/> in the same layout (nominal capacity, or a scenario's available GPUs).
    /// </summary>
    public static void Clear(CompiledInstance instance, ReadOnlySpan<double> used, ReadOnlySpan<double> capacity, Span<double> spot)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var periods = instance.Periods;
        spot.Clear();
        for (var site = 0; site < instance.SiteCount; site++)
        {
            for (var t = 0; t < periods; t++)
            {
                var pools = instance.SitePoolsBySpotValue[site * periods + t];
                if (pools.IsEmpty)
                {
                    continue;
                }

                var powerLeftMw = instance.PowerCapMw[site * periods + t];
                if (!double.IsPositiveInfinity(powerLeftMw))
                {
                    for (var p = 0; p < instance.PoolCount; p++)
                    {
                        if (instance.PoolSite[p] == site)
                        {
                            powerLeftMw -= used[p * periods + t] * instance.KwPerGpu[p] / 1000;
                        }
                    }
                }

                foreach (var p in pools)
                {
                    if (powerLeftMw <= 0)
                    {
                        break;
                    }

                    var idle = Math.Max(0, capacity[p * periods + t] - used[p * periods + t]);
                    var sell = instance.SellThrough * idle;
                    var kw = instance.KwPerGpu[p];
                    if (kw > 0 && !double.IsPositiveInfinity(powerLeftMw))
                    {
                        sell = Math.Min(sell, powerLeftMw * 1000 / kw);
                        powerLeftMw -= sell * kw / 1000;
                    }

                    spot[p * periods + t] = sell;
                }
            }
        }
    }
}
