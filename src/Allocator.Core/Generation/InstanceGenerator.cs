using System.Collections.Immutable;
using Allocator.Core.Contract;
using Allocator.Core.Randomness;

namespace Allocator.Core.Generation;

/// <summary>
/// What to generate: sizes, the seed, whether to add an uncertainty section, and whether to make the hard case
/// (<see cref="Hard"/>).
/// </summary>
public sealed record GeneratorOptions(int Pools, int Leases, int Jobs, int Periods, ulong Seed, bool Uncertainty = false, string? Name = null, bool Hard = false)
{
    /// <summary>
    /// The hard case for a first plan: about half the leases signed (up to half a pool each), each free to start anywhere
    /// in a window of up to seven periods and on any pool of its GPU type, some jobs required, and commitments that fill
    /// pools to 97% of their GPUs, and sites to just under their power caps, in a placement the generator knows but does
    /// not write. Placing commitments one by one, each where it fits best on its own, strands some of them.
    /// </summary>
    public bool Hard { get; init; } = Hard;

    /// <summary>
    /// Share of the offers that could start after period 0 that are announced later (closed loop): each gets an
    /// <c>announcedAt</c> in 1..its earliest start; with <see cref="Uncertainty"/>, such offers arrive with probability 0.6.
    /// </summary>
    public double AnnouncedShare { get; init; }

    /// <summary>Share of the jobs of two periods or more whose outcome is known at a milestone (<c>successKnownAfter</c>).</summary>
    public double MilestoneShare { get; init; }
}

/// <summary>
/// Random instances of any size, valid by construction and feasible by construction: signed leases and required jobs
/// are placed by the generator as they are made (pinned to one pool and taking at most a third of any pool's initial
/// GPUs; in the hard case free in window and pool, up to 97%), and site power caps leave room for that placement, so
/// the exact planner always has a plan to find. Same options, same instance.
/// </summary>
public static class InstanceGenerator
{
    private static readonly (string Type, double Kw, double MinPrice, double MaxPrice)[] GpuTypes =
    [
        ("H100", 1.4, 1.8, 2.6),
        ("H200", 1.6, 2.3, 3.2),
        ("GB200", 2.1, 3.1, 4.5),
    ];

    private static readonly string[] Customers =
    [
        "Anthropic", "Google", "Acme AI", "Beta Labs", "Mistral", "Perplexity", "Character", "Reka", "Cohere", "Runway",
        "Midjourney", "Suno", "Poolside", "Magic", "Imbue", "Adept",
    ];

    /// <summary>Generates an instance.</summary>
    public static Instance Generate(GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Pools, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Periods, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Leases);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Jobs);

        // One random stream, drawn in this order: pools, leases, jobs, sites, spot.
        var draw = new Drawing(options);
        for (var p = 0; p < options.Pools; p++)
        {
            draw.Pool(p);
        }

        var leases = new List<Lease>();
        for (var l = 0; l < options.Leases; l++)
        {
            leases.Add(draw.Lease(l));
        }

        var jobs = new List<Job>();
        for (var j = 0; j < options.Jobs; j++)
        {
            jobs.Add(draw.Job(j, jobs));
        }

        var sites = new List<Site>();
        for (var s = 0; s < draw.SiteCount; s++)
        {
            sites.Add(draw.Site(s));
        }

        var spot = new SpotMarket(Math.Round(draw.Rng.Uniform(1.2, 2.0), 2), Math.Round(draw.Rng.Uniform(0.3, 0.7), 2));
        var uncertainty = options.Uncertainty
            ? new Uncertainty(new DeliverySlip(0.3, 4), new Outage(0.02, 0.08), new JobOverrun(0.2, 0.5), true, 0.1)
            : null;

        var instance = new Instance(
            options.Name ?? $"gen-{options.Pools}p-{options.Leases}l-{options.Jobs}j-{options.Periods}t-s{options.Seed}",
            new Horizon(new DateOnly(2026, 7, 6), options.Periods, 168),
            [.. sites],
            [.. draw.Pools],
            [.. leases],
            [.. jobs],
            spot,
            uncertainty);
        return WithClosedLoop(instance, options);
    }

    /// <summary>
    /// One generation in progress: the random stream, the pools drawn so far with their GPU types, and the GPUs the
    /// commitments' placement (signed leases, required jobs: the generator's witness that a plan exists) takes per pool
    /// and period.
    /// </summary>
    private sealed class Drawing(GeneratorOptions options)
    {
        // In the hard case signed leases may fill 85% of a pool and required jobs the next 12%.
        private readonly double _committedShare = options.Hard ? 0.85 : 1.0 / 3;
        private const double RequiredShare = 0.97;
        private readonly int _periods = options.Periods;
        private readonly int[] _committedLoad = new int[options.Pools * options.Periods];
        private readonly List<int> _poolType = [];

        public SplitMix64 Rng = new(SplitMix64.Mix(options.Seed ^ 0xA110CA70UL));

        public List<Pool> Pools { get; } = [];

        public int SiteCount { get; } = Math.Max(1, (options.Pools + 2) / 3);

        public void Pool(int p)
        {
            var T = _periods;
            var type = Rng.Between(0, GpuTypes.Length - 1);
            var gpus = Rng.Between(4, 40) * 500;
            var deliveries = ImmutableArray.CreateBuilder<Delivery>();
            if (Rng.Chance(0.5))
            {
                var count = Rng.Between(1, 2);
                for (var d = 0; d < count; d++)
                {
                    deliveries.Add(new Delivery(Rng.Between(1, T - 1), Rng.Between(2, 16) * 250));
                }
            }

            Pools.Add(new Pool($"pool-{p + 1}", $"site-{p % SiteCount + 1}", GpuTypes[type].Type, gpus, GpuTypes[type].Kw, deliveries.OrderBy(d => d.Period).ToImmutableArray()));
            _poolType.Add(type);
        }

        /// <summary>
        /// A lease; a signed one is placed as it is made, within the committed share of its pool's initial GPUs in every
        /// period: pinned there, or in the hard case free in window and pool.
        /// </summary>
        public Lease Lease(int l)
        {
            var T = _periods;
            var periods = Rng.Between(1, Math.Max(1, Math.Min(T, T / 2 + 1)));
            var earliest = Rng.Between(0, T - periods);
            var latest = Math.Min(T - periods, earliest + Rng.Between(0, 4));
            var home = Rng.Between(0, options.Pools - 1);
            var type = GpuTypes[_poolType[home]];
            var gpus = Math.Max(64, (int)(Pools[home].Gpus * Rng.Uniform(0.03, options.Hard ? 0.5 : 0.35)) / 64 * 64);
            var price = Math.Round(Rng.Uniform(type.MinPrice, type.MaxPrice), 2);
            var sameType = SameType(home);
            var witness = earliest;
            if (options.Hard)
            {
                latest = Math.Min(T - periods, earliest + Rng.Between(2, 6));
                witness = Rng.Between(earliest, latest);
            }

            var signed = Rng.Chance(options.Hard ? 0.5 : 0.08) && FitsCommitted(home, witness, periods, gpus, _committedShare);
            ImmutableArray<string>? allowed;
            if (signed)
            {
                Occupy(home, witness, periods, gpus);
                if (!options.Hard)
                {
                    latest = earliest;
                }

                allowed = options.Hard ? sameType : [Pools[home].Id];
            }
            else
            {
                // Offers usually name the GPU generation they want; any pool of that type will do.
                allowed = Rng.Chance(0.6) ? sameType : null;
            }

            return new Lease(
                $"lease-{l + 1}",
                Customers[Rng.Between(0, Customers.Length - 1)],
                signed ? LeaseStatus.Signed : LeaseStatus.Offer,
                gpus,
                periods,
                earliest,
                latest,
                allowed,
                price,
                Math.Round(price * Rng.Uniform(1.0, 2.0), 2));
        }

        /// <summary>A job: every other one (when room is left) the post-training run of the one before it.</summary>
        public Job Job(int j, List<Job> before)
        {
            var T = _periods;
            var isPostTrain = j % 2 == 1 && Rng.Chance(0.7);
            var periods = Rng.Between(1, Math.Max(1, Math.Min(8, T / 3)));
            var earliest = isPostTrain ? before[^1].EarliestStart + before[^1].Periods : Rng.Between(0, Math.Max(0, T / 2));
            if (earliest + periods > T)
            {
                isPostTrain = false;
                earliest = Rng.Between(0, T - periods);
            }

            var home = Rng.Between(0, options.Pools - 1);
            var allowed = SameType(home).Take(3).ToImmutableArray();
            var smallest = Pools.Where(p => allowed.Contains(p.Id)).Min(p => p.Gpus);
            var gpus = Math.Max(256, (int)(smallest * Rng.Uniform(0.1, isPostTrain ? 0.3 : 0.8)) / 256 * 256);
            var slack = Rng.Between(0, Math.Max(0, T - earliest - periods));
            var value = Math.Round(Rng.Uniform(isPostTrain ? 5e6 : 2e7, isPostTrain ? 6e7 : 3e8) / 1e5) * 1e5;

            // In the hard case some pretraining runs are required, placed at their earliest start on their first pool.
            var witnessPool = Pools.FindIndex(p => p.Id == allowed[0]);
            var required = options.Hard && !isPostTrain && Rng.Chance(0.4) && FitsCommitted(witnessPool, earliest, periods, gpus, RequiredShare);
            if (required)
            {
                Occupy(witnessPool, earliest, periods, gpus);
            }

            return new Job(
                isPostTrain ? $"{before[^1].Id}-post" : $"train-{j + 1}",
                gpus,
                periods,
                earliest,
                earliest + periods - 1 + slack,
                allowed,
                value,
                Math.Round(value * Rng.Uniform(0.01, 0.06) / 1e3) * 1e3,
                Math.Round(Rng.Uniform(0.35, 0.95), 2),
                required,
                isPostTrain ? [before[^1].Id] : []);
        }

        /// <summary>
        /// A site: its cap between 70% and 100% of its pools' full draw, never below what the commitments' placement
        /// needs; in the hard case just above that.
        /// </summary>
        public Site Site(int s)
        {
            var T = _periods;
            var id = $"site-{s + 1}";
            var peakMw = Pools.Where(p => p.Site == id).Sum(p => (p.Gpus + p.Deliveries.Sum(d => d.Gpus)) * p.KwPerGpu / 1000);
            var committedMw = Enumerable.Range(0, T).Max(t => Pools.Select((p, i) => (p, i)).Where(x => x.p.Site == id)
                .Sum(x => _committedLoad[x.i * T + t] * x.p.KwPerGpu / 1000));
            var cap = Math.Max(Math.Ceiling(peakMw * Rng.Uniform(0.7, 1.0)), Math.Ceiling(committedMw) + 1);
            if (options.Hard)
            {
                cap = Math.Min(cap, Math.Ceiling(committedMw * 1.02) + 1);
            }

            return new Site(id, [.. Enumerable.Repeat(cap, T)], Math.Round(Rng.Uniform(40, 90)));
        }

        private ImmutableArray<string> SameType(int pool) => [.. Pools.Where((_, i) => _poolType[i] == _poolType[pool]).Select(p => p.Id)];

        private bool FitsCommitted(int pool, int start, int periods, int gpus, double share)
        {
            for (var t = start; t < start + periods; t++)
            {
                if (_committedLoad[pool * _periods + t] + gpus > share * Pools[pool].Gpus)
                {
                    return false;
                }
            }

            return true;
        }

        private void Occupy(int pool, int start, int periods, int gpus)
        {
            for (var t = start; t < start + periods; t++)
            {
                _committedLoad[pool * _periods + t] += gpus;
            }
        }
    }

    /// <summary>
    /// Announcements and milestones, drawn from a stream of their own so that every other field is the instance the same
    /// options make without them.
    /// </summary>
    private static Instance WithClosedLoop(Instance instance, GeneratorOptions options)
    {
        if (options.AnnouncedShare <= 0 && options.MilestoneShare <= 0)
        {
            return instance;
        }

        var rng = new SplitMix64(SplitMix64.Mix(options.Seed ^ 0xC105ED100FUL));
        var leases = instance.Leases.Select(l =>
            l.Status == LeaseStatus.Offer && l.EarliestStart > 0 && rng.Chance(options.AnnouncedShare) ? l with { AnnouncedAt = rng.Between(1, l.EarliestStart) } : l);
        var jobs = instance.Jobs.Select(j =>
            j.Periods >= 2 && rng.Chance(options.MilestoneShare) ? j with { SuccessKnownAfter = rng.Between(1, j.Periods - 1) } : j);
        var uncertainty = instance.Uncertainty is { } u && options.AnnouncedShare > 0 ? u with { OfferArrival = new OfferArrival(0.6) } : instance.Uncertainty;
        return instance with { Leases = [.. leases], Jobs = [.. jobs], Uncertainty = uncertainty };
    }
}
