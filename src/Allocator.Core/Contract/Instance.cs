using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Allocator.Core.Contract;

/// <summary>An allocation instance as a capacity planner writes it (see the contract, instance-format.md).</summary>
public sealed record Instance(
    string Name,
    Horizon Horizon,
    ImmutableArray<Site> Sites,
    ImmutableArray<Pool> Pools,
    ImmutableArray<Lease> Leases,
    ImmutableArray<Job> Jobs,
    SpotMarket? Spot,
    Uncertainty? Uncertainty);

/// <summary>The planning horizon: <see cref="Periods"/> periods of <see cref="PeriodHours"/> hours from <see cref="Start"/>.</summary>
public sealed record Horizon(DateOnly Start, int Periods, double PeriodHours);

/// <summary>A site with a power cap per period (null: unlimited) and a power price.</summary>
public sealed record Site(string Id, ImmutableArray<double>? PowerCapMw, double PowerCostPerMwh);

/// <summary>A pool of identical GPUs on one fabric at one site; capacity grows (or shrinks) with deliveries.</summary>
public sealed record Pool(string Id, string Site, string? GpuType, int Gpus, double KwPerGpu, ImmutableArray<Delivery> Deliveries);

/// <summary>GPUs that join a pool from <see cref="Period"/> on (negative: retired).</summary>
public sealed record Delivery(int Period, int Gpus);

/// <summary>Whether a lease must be placed (<see cref="Signed"/>) or may be accepted or rejected (<see cref="Offer"/>).</summary>
public enum LeaseStatus
{
    /// <summary>An offer the planner may accept or reject.</summary>
    Offer,

    /// <summary>A signed contract that must be placed.</summary>
    Signed,
}

/// <summary>
/// A block of GPUs leased to a customer for a number of consecutive periods. An offer with <see cref="AnnouncedAt"/>
/// above 0 becomes known in that period (closed loop, closed-loop.md); the deterministic objective counts it as made.
/// </summary>
public sealed record Lease(
    string Id,
    string? Customer,
    LeaseStatus Status,
    int Gpus,
    int Periods,
    int EarliestStart,
    int LatestStart,
    ImmutableArray<string>? Pools,
    double PricePerGpuHour,
    double PenaltyPerGpuHour,
    int AnnouncedAt = 0);

/// <summary>
/// An in-house training run: gang-scheduled on one pool, with a deadline and a decaying, uncertain value. With
/// <see cref="SuccessKnownAfter"/> (and <c>jobSuccess</c> on), its outcome is known once it has run that many periods.
/// </summary>
public sealed record Job(
    string Id,
    int Gpus,
    int Periods,
    int EarliestStart,
    int? Deadline,
    ImmutableArray<string>? Pools,
    double Value,
    double DecayPerPeriod,
    double SuccessProbability,
    bool Required,
    ImmutableArray<string> After,
    int? SuccessKnownAfter = null);

/// <summary>
/// The spot market for idle GPUs: a price and the share of idle GPUs that can be sold. The price is one number for
/// every period, or (<see cref="PriceByPeriod"/>) one per period; then <see cref="PricePerGpuHour"/> is their mean.
/// </summary>
public sealed record SpotMarket(double PricePerGpuHour, double SellThrough)
{
    /// <summary>The base price of each period, where the instance gives an array (null: the one price throughout).</summary>
    /// <remarks>In the file it is <c>pricePerGpuHour</c> written as an array; the schema describes it there.</remarks>
    [JsonIgnore]
    public ImmutableArray<double>? PriceByPeriod { get; init; }

    /// <summary>The base price in period <paramref name="t"/>.</summary>
    public double PriceAt(int t) => PriceByPeriod is { } prices ? prices[t] : PricePerGpuHour;
}

/// <summary>What can go differently from the plan; used by scenarios only, never by the deterministic objective.</summary>
public sealed record Uncertainty(
    DeliverySlip? DeliverySlip,
    Outage? Outage,
    JobOverrun? JobOverrun,
    bool JobSuccess,
    double SpotVolatility,
    OfferArrival? OfferArrival = null);

/// <summary>Each delivery, independently, arrives 1..<see cref="MaxPeriods"/> periods late with <see cref="Probability"/>.</summary>
public sealed record DeliverySlip(double Probability, int MaxPeriods);

/// <summary>Fraction of a pool's GPUs down in a period.</summary>
public sealed record Outage(double Mean, double Max);

/// <summary>A job needs up to <see cref="MaxFraction"/> more periods than planned, with <see cref="Probability"/>.</summary>
public sealed record JobOverrun(double Probability, double MaxFraction);

/// <summary>Each offer announced after period 0 is actually made with <see cref="Probability"/>, independently.</summary>
public sealed record OfferArrival(double Probability);
