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
        var rng = new SplitMix64(SplitMix64.Mix(options.Seed ^ 0xA110CA70UL));
        var T = options.Periods;

        var siteCount = Math.Max(1, (options.Pools + 2) / 3);
        var pools = new List<Pool>();
        var poolType = new List<int>();
        for (var p = 0; p < options.Pools; p++)
        {
            var type = rng.Between(0, GpuTypes.Length - 1);
            var gpus = rng.Between(4, 40) * 500;
            var deliveries = ImmutableArray.CreateBuilder<Delivery>();
            if (rng.Chance(0.5))
            {
                var count = rng.Between(1, 2);
                for (var d = 0; d < count; d++)
                {
                    deliveries.Add(new Delivery(rng.Between(1, T - 1), rng.Between(2, 16) * 250));
                }
            }

            pools.Add(new Pool($"pool-{p + 1}", $"site-{p % siteCount + 1}", GpuTypes[type].Type, gpus, GpuTypes[type].Kw, deliveries.OrderBy(d => d.Period).ToImmutableArray()));
            poolType.Add(type);
        }

        // Signed leases: placed as they are made (the witness that the instance is feasible), within a share of their
        // pool's initial GPUs in every period. Pinned there, or in the hard case free in window and pool.
        // In the hard case signed leases may fill 85% of a pool and required jobs the next 12%.
        var committedShare = options.Hard ? 0.85 : 1.0 / 3;
        var requiredShare = 0.97;
        var committedLoad = new int[options.Pools * T];
        var leases = new List<Lease>();
        for (var l = 0; l < options.Leases; l++)
        {
            var periods = rng.Between(1, Math.Max(1, Math.Min(T, T / 2 + 1)));
            var earliest = rng.Between(0, T - periods);
            var latest = Math.Min(T - periods, earliest + rng.Between(0, 4));
            var home = rng.Between(0, options.Pools - 1);
            var type = GpuTypes[poolType[home]];
            var gpus = Math.Max(64, (int)(pools[home].Gpus * rng.Uniform(0.03, options.Hard ? 0.5 : 0.35)) / 64 * 64);
            var price = Math.Round(rng.Uniform(type.MinPrice, type.MaxPrice), 2);
            var sameType = pools.Where((_, i) => poolType[i] == poolType[home]).Select(p => p.Id).ToImmutableArray();
            var witness = earliest;
            if (options.Hard)
            {
                latest = Math.Min(T - periods, earliest + rng.Between(2, 6));
                witness = rng.Between(earliest, latest);
            }

            var signed = rng.Chance(options.Hard ? 0.5 : 0.08) && FitsCommitted(committedLoad, pools, home, witness, periods, gpus, T, committedShare);
            ImmutableArray<string>? allowed;
            if (signed)
            {
                Occupy(committedLoad, home, witness, periods, gpus, T);
                if (!options.Hard)
                {
                    latest = earliest;
                }

                allowed = options.Hard ? sameType : [pools[home].Id];
            }
            else if (rng.Chance(0.6))
            {
                // Offers usually name the GPU generation they want; any pool of that type will do.
                allowed = sameType;
            }
            else
            {
                allowed = null;
            }

            leases.Add(new Lease(
                $"lease-{l + 1}",
                Customers[rng.Between(0, Customers.Length - 1)],
                signed ? LeaseStatus.Signed : LeaseStatus.Offer,
                gpus,
                periods,
                earliest,
                latest,
                allowed,
                price,
                Math.Round(price * rng.Uniform(1.0, 2.0), 2)));
        }

        var jobs = new List<Job>();
        for (var j = 0; j < options.Jobs; j++)
        {
            // Every other job (when room is left) is the post-training run of the one before it.
            var isPostTrain = j % 2 == 1 && rng.Chance(0.7);
            var periods = rng.Between(1, Math.Max(1, Math.Min(8, T / 3)));
            var earliest = isPostTrain ? jobs[^1].EarliestStart + jobs[^1].Periods : rng.Between(0, Math.Max(0, T / 2));
            if (earliest + periods > T)
            {
                isPostTrain = false;
                earliest = rng.Between(0, T - periods);
            }

            var home = rng.Between(0, options.Pools - 1);
            var allowed = pools.Where((_, i) => poolType[i] == poolType[home]).Select(p => p.Id).Take(3).ToImmutableArray();
            var smallest = pools.Where(p => allowed.Contains(p.Id)).Min(p => p.Gpus);
            var gpus = Math.Max(256, (int)(smallest * rng.Uniform(0.1, isPostTrain ? 0.3 : 0.8)) / 256 * 256);
            var slack = rng.Between(0, Math.Max(0, T - earliest - periods));
            var value = Math.Round(rng.Uniform(isPostTrain ? 5e6 : 2e7, isPostTrain ? 6e7 : 3e8) / 1e5) * 1e5;

            // In the hard case some pretraining runs are required, placed at their earliest start on their first pool.
            var witnessPool = pools.FindIndex(p => p.Id == allowed[0]);
            var required = options.Hard && !isPostTrain && rng.Chance(0.4)
                && FitsCommitted(committedLoad, pools, witnessPool, earliest, periods, gpus, T, requiredShare);
            if (required)
            {
                Occupy(committedLoad, witnessPool, earliest, periods, gpus, T);
            }

            jobs.Add(new Job(
                isPostTrain ? $"{jobs[^1].Id}-post" : $"train-{j + 1}",
                gpus,
                periods,
                earliest,
                earliest + periods - 1 + slack,
                allowed,
                value,
                Math.Round(value * rng.Uniform(0.01, 0.06) / 1e3) * 1e3,
                Math.Round(rng.Uniform(0.35, 0.95), 2),
                required,
                isPostTrain ? [jobs[^1].Id] : []));
        }

        var sites = Enumerable.Range(0, siteCount).Select(s =>
        {
            var id = $"site-{s + 1}";
            var peakMw = pools.Where(p => p.Site == id).Sum(p => (p.Gpus + p.Deliveries.Sum(d => d.Gpus)) * p.KwPerGpu / 1000);
            var committedMw = Enumerable.Range(0, T).Max(t => pools.Select((p, i) => (p, i)).Where(x => x.p.Site == id)
                .Sum(x => committedLoad[x.i * T + t] * x.p.KwPerGpu / 1000));
            // Caps between 70% and 100% of the full draw, never below what the commitments' placement needs; in the hard
            // case just above that.
            var cap = Math.Max(Math.Ceiling(peakMw * rng.Uniform(0.7, 1.0)), Math.Ceiling(committedMw) + 1);
            if (options.Hard)
            {
                cap = Math.Min(cap, Math.Ceiling(committedMw * 1.02) + 1);
            }

            return new Site(id, [.. Enumerable.Repeat(cap, T)], Math.Round(rng.Uniform(40, 90)));
        }).ToImmutableArray();

        var spot = new SpotMarket(Math.Round(rng.Uniform(1.2, 2.0), 2), Math.Round(rng.Uniform(0.3, 0.7), 2));
        var uncertainty = options.Uncertainty
            ? new Uncertainty(new DeliverySlip(0.3, 4), new Outage(0.02, 0.08), new JobOverrun(0.2, 0.5), true, 0.1)
            : null;

        var instance = new Instance(
            options.Name ?? $"gen-{options.Pools}p-{options.Leases}l-{options.Jobs}j-{T}t-s{options.Seed}",
            new Horizon(new DateOnly(2026, 7, 6), T, 168),
            sites,
            [.. pools],
            [.. leases],
            [.. jobs],
            spot,
            uncertainty);
        return WithClosedLoop(instance, options);
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

    private static bool FitsCommitted(int[] load, List<Pool> pools, int pool, int start, int periods, int gpus, int T, double share)
    {
        for (var t = start; t < start + periods; t++)
        {
            if (load[pool * T + t] + gpus > share * pools[pool].Gpus)
            {
                return false;
            }
        }

        return true;
    }

    private static void Occupy(int[] load, int pool, int start, int periods, int gpus, int T)
    {
        for (var t = start; t < start + periods; t++)
        {
            load[pool * T + t] += gpus;
        }
    }
}
