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
            Items(w, "sites", instance.Sites, Site);
            Items(w, "pools", instance.Pools, Pool);
            Items(w, "leases", instance.Leases, Lease);
            Items(w, "jobs", instance.Jobs, Job);
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

    /// <summary>An array of objects, each written by <paramref name="write"/> between its braces.</summary>
    private static void Items<T>(Utf8JsonWriter w, string name, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        w.WriteStartArray(name);
        foreach (var item in items)
        {
            w.WriteStartObject();
            write(w, item);
            w.WriteEndObject();
        }

        w.WriteEndArray();
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
            Items(w, "deliveries", pool.Deliveries, (w, d) =>
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
            Section(w, "deliverySlip", ("probability", slip.Probability), ("maxPeriods", slip.MaxPeriods));
        }

        if (u.Outage is { } outage)
        {
            Section(w, "outage", ("mean", outage.Mean), ("max", outage.Max));
        }

        if (u.JobOverrun is { } overrun)
        {
            Section(w, "jobOverrun", ("probability", overrun.Probability), ("maxFraction", overrun.MaxFraction));
        }

        w.WriteBoolean("jobSuccess", u.JobSuccess);
        w.WriteNumber("spotVolatility", u.SpotVolatility);
        if (u.OfferArrival is { } arrival)
        {
            Section(w, "offerArrival", ("probability", arrival.Probability));
        }

        w.WriteEndObject();
    }

    /// <summary>An object of numbers.</summary>
    private static void Section(Utf8JsonWriter w, string name, params (string Name, double Value)[] numbers)
    {
        w.WriteStartObject(name);
        foreach (var (field, value) in numbers)
        {
            w.WriteNumber(field, value);
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
