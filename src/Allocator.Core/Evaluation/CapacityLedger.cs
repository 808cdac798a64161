namespace Allocator.Core.Evaluation;

/// <summary>
/// GPUs placed per pool and period, checked against each pool's capacity and each site's power cap as blocks are added
/// and removed. A site's draw is recomputed from the GPUs placed on its pools, never accumulated, so adding and removing
/// the same block leaves no rounding behind.
/// </summary>
public sealed class CapacityLedger
{
    /// <summary>
    /// How far (MW, relative to max(1, cap)) a site's draw may exceed its cap and still fit: a site filled exactly to its
    /// cap must not be refused for the last bit of a sum of kW figures. The one tolerance of the power rule: the evaluator,
    /// the planners, the search and the placement catalog all compare through <see cref="WithinPowerCap"/>.
    /// </summary>
    public const double PowerToleranceMw = 1e-9;

    /// <summary>Whether a draw of <paramref name="mw"/> keeps within a site's cap of <paramref name="capMw"/> (no cap: infinite).</summary>
    public static bool WithinPowerCap(double mw, double capMw) => !double.IsFinite(capMw) || mw <= capMw + PowerToleranceMw * Math.Max(1, capMw);

    /// <summary>Whether <paramref name="gpus"/> placed on a pool keep within its capacity of <paramref name="capacity"/>.</summary>
    public static bool WithinCapacity(double gpus, long capacity) => gpus <= capacity;

    private readonly CompiledInstance _instance;
    private readonly long[] _used;
    private readonly int[][] _sitePools;

    /// <summary>An empty ledger of <paramref name="instance"/>.</summary>
    public CapacityLedger(CompiledInstance instance)
        : this(
            instance ?? throw new ArgumentNullException(nameof(instance)),
            new long[instance.PoolCount * instance.Periods],
            [.. Enumerable.Range(0, instance.SiteCount).Select(s => Enumerable.Range(0, instance.PoolCount).Where(p => instance.PoolSite[p] == s).ToArray())])
    {
    }

    private CapacityLedger(CompiledInstance instance, long[] used, int[][] sitePools)
    {
        _instance = instance;
        _used = used;
        _sitePools = sitePools;
    }

    /// <summary>An independent copy, to edit apart.</summary>
    public CapacityLedger Copy() => new(_instance, (long[])_used.Clone(), _sitePools);

    /// <summary>GPUs still free on a pool in a period.</summary>
    public long Headroom(int pool, int period) => _instance.CapacityAt(pool, period) - Used(pool, period);

    /// <summary>GPUs placed on a pool in a period.</summary>
    public long Used(int pool, int period) => _used[pool * _instance.Periods + period];

    /// <summary>MW drawn at a site in a period by the GPUs placed there (spot not included).</summary>
    public double DrawMw(int site, int period)
    {
        var mw = 0.0;
        foreach (var p in _sitePools[site])
        {
            mw += _used[p * _instance.Periods + period] * _instance.KwPerGpu[p] / 1000;
        }

        return mw;
    }

    /// <summary>Whether <paramref name="gpus"/> more GPUs on a pool in a period stay within its capacity and its site's cap.</summary>
    public bool FitsAt(int pool, int period, long gpus)
    {
        if (!WithinCapacity(Used(pool, period) + gpus, _instance.CapacityAt(pool, period)))
        {
            return false;
        }

        var site = _instance.PoolSite[pool];
        return WithinPowerCap(DrawMw(site, period) + gpus * _instance.KwPerGpu[pool] / 1000, _instance.PowerCapMw[site * _instance.Periods + period]);
    }

    /// <summary>Whether a block of <paramref name="gpus"/> GPUs on a pool for <paramref name="periods"/> periods from <paramref name="start"/> fits.</summary>
    public bool Fits(int pool, int start, int periods, int gpus)
    {
        for (var t = start; t < start + periods; t++)
        {
            if (!FitsAt(pool, t, gpus))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Places a block (it is not checked: see <see cref="Fits"/>).</summary>
    public void Add(int pool, int start, int periods, int gpus) => Change(pool, start, periods, gpus);

    /// <summary>Takes a placed block off again.</summary>
    public void Remove(int pool, int start, int periods, int gpus) => Change(pool, start, periods, -gpus);

    /// <summary>The mean share of a pool's capacity in use over a stretch of periods (0 empty, 1 full).</summary>
    public double Load(int pool, int start, int periods)
    {
        var load = 0.0;
        for (var t = start; t < start + periods; t++)
        {
            load += Used(pool, t) / (double)Math.Max(1, _instance.CapacityAt(pool, t));
        }

        return load / Math.Max(1, periods);
    }

    private void Change(int pool, int start, int periods, long gpus)
    {
        for (var t = start; t < start + periods; t++)
        {
            _used[pool * _instance.Periods + t] += gpus;
        }
    }
}
