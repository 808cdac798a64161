using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Allocator.Core.Contract;

namespace Allocator.Core.Json;

/// <summary>Writes an instance in the contract's format (optional fields at their defaults are left out).</summary>
public static class InstanceWriter
{
    /// <summary>The instance as indented JSON.</summary>
    public static string Write(Instance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("name", instance.Name);
            Horizon(w, instance.Horizon);
            w.WriteItems("sites", instance.Sites, Site);
            w.WriteItems("pools", instance.Pools, Pool);
            w.WriteItems("leases", instance.Leases, Lease);
            w.WriteItems("jobs", instance.Jobs, Job);
            if (instance.Spot is { } spot)
            {
                Spot(w, spot);
            }

            if (instance.Uncertainty is { } uncertainty)
            {
                Uncertainty(w, uncertainty);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void Horizon(Utf8JsonWriter w, Horizon horizon)
    {
        w.WriteStartObject("horizon");
        w.WriteString("start", horizon.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        w.WriteNumber("periods", horizon.Periods);
        w.WriteNumber("periodHours", horizon.PeriodHours);
        w.WriteEndObject();
    }

    private static void Site(Utf8JsonWriter w, Site site)
    {
        w.WriteString("id", site.Id);
        if (site.PowerCapMw is { } cap)
        {
            WriteSeries(w, "powerCapMw", cap);
        }

        w.WriteNumber("powerCostPerMwh", site.PowerCostPerMwh);
    }

    private static void Pool(Utf8JsonWriter w, Pool pool)
    {
        w.WriteString("id", pool.Id);
        w.WriteString("site", pool.Site);
        if (pool.GpuType is not null)
        {
            w.WriteString("gpuType", pool.GpuType);
        }

        w.WriteNumber("gpus", pool.Gpus);
        w.WriteNumber("kwPerGpu", pool.KwPerGpu);
        if (!pool.Deliveries.IsEmpty)
        {
            w.WriteItems("deliveries", pool.Deliveries, (w, d) =>
            {
                w.WriteNumber("period", d.Period);
                w.WriteNumber("gpus", d.Gpus);
            });
        }
    }

    private static void Lease(Utf8JsonWriter w, Lease lease)
    {
        w.WriteString("id", lease.Id);
        if (lease.Customer is not null)
        {
            w.WriteString("customer", lease.Customer);
        }

        w.WriteString("status", lease.Status == LeaseStatus.Signed ? "signed" : "offer");
        w.WriteNumber("gpus", lease.Gpus);
        w.WriteNumber("periods", lease.Periods);
        w.WriteNumber("earliestStart", lease.EarliestStart);
        w.WriteNumber("latestStart", lease.LatestStart);
        WriteIds(w, "pools", lease.Pools);
        w.WriteNumber("pricePerGpuHour", lease.PricePerGpuHour);
        w.WriteNumber("penaltyPerGpuHour", lease.PenaltyPerGpuHour);
        if (lease.AnnouncedAt > 0)
        {
            w.WriteNumber("announcedAt", lease.AnnouncedAt);
        }
    }

    private static void Job(Utf8JsonWriter w, Job job)
    {
        w.WriteString("id", job.Id);
        w.WriteNumber("gpus", job.Gpus);
        w.WriteNumber("periods", job.Periods);
        w.WriteNumber("earliestStart", job.EarliestStart);
        if (job.Deadline is { } deadline)
        {
            w.WriteNumber("deadline", deadline);
        }

        WriteIds(w, "pools", job.Pools);
        w.WriteNumber("value", job.Value);
        w.WriteNumber("decayPerPeriod", job.DecayPerPeriod);
        w.WriteNumber("successProbability", job.SuccessProbability);
        w.WriteBoolean("required", job.Required);
        WriteIds(w, "after", job.After);
        if (job.SuccessKnownAfter is { } known)
        {
            w.WriteNumber("successKnownAfter", known);
        }
    }

    private static void Spot(Utf8JsonWriter w, SpotMarket spot)
    {
        w.WriteStartObject("spot");
        if (spot.PriceByPeriod is { } prices)
        {
            WriteSeries(w, "pricePerGpuHour", prices);
        }
        else
        {
            w.WriteNumber("pricePerGpuHour", spot.PricePerGpuHour);
        }

        w.WriteNumber("sellThrough", spot.SellThrough);
        w.WriteEndObject();
    }

    private static void Uncertainty(Utf8JsonWriter w, Uncertainty u)
    {
        w.WriteStartObject("uncertainty");
        if (u.DeliverySlip is { } slip)
        {
            w.WriteSection("deliverySlip", ("probability", slip.Probability), ("maxPeriods", slip.MaxPeriods));
        }

        if (u.Outage is { } outage)
        {
            w.WriteSection("outage", ("mean", outage.Mean), ("max", outage.Max));
        }

        if (u.JobOverrun is { } overrun)
        {
            w.WriteSection("jobOverrun", ("probability", overrun.Probability), ("maxFraction", overrun.MaxFraction));
        }

        w.WriteBoolean("jobSuccess", u.JobSuccess);
        w.WriteNumber("spotVolatility", u.SpotVolatility);
        if (u.OfferArrival is { } arrival)
        {
            w.WriteSection("offerArrival", ("probability", arrival.Probability));
        }

        w.WriteEndObject();
    }

    /// <summary>A per-period series: one number when every period has the same, else the array.</summary>
    private static void WriteSeries(Utf8JsonWriter w, string name, ImmutableArray<double> values)
    {
        if (values.All(v => v == values[0]))
        {
            w.WriteNumber(name, values[0]);
            return;
        }

        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteIds(Utf8JsonWriter w, string name, IReadOnlyList<string>? ids)
    {
        if (ids is null)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var id in ids)
        {
            w.WriteStringValue(id);
        }

        w.WriteEndArray();
    }
}
