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
            w.WriteStartObject("horizon");
            w.WriteString("start", instance.Horizon.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteNumber("periods", instance.Horizon.Periods);
            w.WriteNumber("periodHours", instance.Horizon.PeriodHours);
            w.WriteEndObject();

            w.WriteStartArray("sites");
            foreach (var site in instance.Sites)
            {
                w.WriteStartObject();
                w.WriteString("id", site.Id);
                if (site.PowerCapMw is { } cap)
                {
                    WriteSeries(w, "powerCapMw", cap);
                }

                w.WriteNumber("powerCostPerMwh", site.PowerCostPerMwh);
                w.WriteEndObject();
            }

            w.WriteEndArray();

            w.WriteStartArray("pools");
            foreach (var pool in instance.Pools)
            {
                w.WriteStartObject();
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
                    w.WriteStartArray("deliveries");
                    foreach (var d in pool.Deliveries)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("period", d.Period);
                        w.WriteNumber("gpus", d.Gpus);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();

            w.WriteStartArray("leases");
            foreach (var lease in instance.Leases)
            {
                w.WriteStartObject();
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

                w.WriteEndObject();
            }

            w.WriteEndArray();

            w.WriteStartArray("jobs");
            foreach (var job in instance.Jobs)
            {
                w.WriteStartObject();
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

                w.WriteEndObject();
            }

            w.WriteEndArray();

            if (instance.Spot is { } spot)
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

            if (instance.Uncertainty is { } u)
            {
                w.WriteStartObject("uncertainty");
                if (u.DeliverySlip is { } slip)
                {
                    w.WriteStartObject("deliverySlip");
                    w.WriteNumber("probability", slip.Probability);
                    w.WriteNumber("maxPeriods", slip.MaxPeriods);
                    w.WriteEndObject();
                }

                if (u.Outage is { } outage)
                {
                    w.WriteStartObject("outage");
                    w.WriteNumber("mean", outage.Mean);
                    w.WriteNumber("max", outage.Max);
                    w.WriteEndObject();
                }

                if (u.JobOverrun is { } overrun)
                {
                    w.WriteStartObject("jobOverrun");
                    w.WriteNumber("probability", overrun.Probability);
                    w.WriteNumber("maxFraction", overrun.MaxFraction);
                    w.WriteEndObject();
                }

                w.WriteBoolean("jobSuccess", u.JobSuccess);
                w.WriteNumber("spotVolatility", u.SpotVolatility);
                if (u.OfferArrival is { } arrival)
                {
                    w.WriteStartObject("offerArrival");
                    w.WriteNumber("probability", arrival.Probability);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
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
