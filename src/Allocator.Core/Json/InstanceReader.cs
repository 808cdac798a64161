using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Allocator.Core.Contract;

namespace Allocator.Core.Json;

/// <summary>
/// Reads and validates an instance file against the contract. Every problem is reported with its JSON path and a
/// sentence a planner understands; an instance is returned only when there are none.
/// </summary>
public static class InstanceReader
{
    /// <summary>Reads an instance file; throws <see cref="ContractException"/> listing every problem.</summary>
    public static Instance ReadFile(string path) => Read(InputText.Read(path), path);

    /// <summary>Reads instance JSON; <paramref name="source"/> names it in messages.</summary>
    public static Instance Read(string json, string source = "instance")
    {
        var problems = new List<ContractProblem>();
        var instance = TryRead(json, problems);
        if (problems.Count > 0 || instance is null)
        {
            throw new ContractException(source, problems);
        }

        return instance;
    }

    /// <summary>Reads instance JSON into <paramref name="problems"/>; returns null when any problem was found.</summary>
    public static Instance? TryRead(string json, List<ContractProblem> problems) =>
        JsonFieldReader.ReadObject(json, problems, "name, horizon, sites, pools, leases and jobs", root =>
        {
            if (FileKind.Mismatch(root, FileKind.Kind.Instance) is { } wrongKind)
            {
                problems.Add(new ContractProblem("$", wrongKind));
                return null;
            }

            var instance = new Parser(problems).Instance(root);
            CheckRules(instance, problems);
            return problems.Count == 0 ? instance : null;
        });

    /// <summary>
    /// Runs the cross-field rules even when some fields were malformed, so a planner sees every problem at once.
    /// An item with a structural problem carries placeholder values, so rule findings about it are dropped; with a
    /// broken horizon or id, every window and reference check would be noise, so the rules wait for a fix.
    /// </summary>
    private static void CheckRules(Instance instance, List<ContractProblem> problems)
    {
        if (problems.Any(p => p.Path.StartsWith("$.horizon", StringComparison.Ordinal) || p.Path.EndsWith(".id", StringComparison.Ordinal)))
        {
            return;
        }

        var broken = problems.Select(p => ItemPrefix(p.Path)).Where(p => p is not null).ToHashSet(StringComparer.Ordinal);
        var findings = new List<ContractProblem>();
        InstanceRules.Check(instance, findings);
        problems.AddRange(findings.Where(f => ItemPrefix(f.Path) is not { } item || !broken.Contains(item)));
    }

    /// <summary>"$.leases[3]" for "$.leases[3].gpus"; null for paths outside an item.</summary>
    private static string? ItemPrefix(string path)
    {
        var close = path.IndexOf(']', StringComparison.Ordinal);
        return close > 0 ? path[..(close + 1)] : null;
    }

    /// <summary>Turns JSON elements into contract records, recording structural problems and filling defaults.</summary>
    private sealed class Parser(List<ContractProblem> problems)
    {
        private int _periods = 1;

        public Instance Instance(JsonElement root)
        {
            // "$schema" lets an editor find docs/schema/instance.schema.json; the reader has no use for it.
            var o = new JsonFieldReader(root, "$", problems, true, "$schema", "name", "horizon", "sites", "pools", "leases", "jobs", "spot", "uncertainty");
            var name = o.String("name", required: true) ?? "";
            var horizon = Horizon(o);
            _periods = Math.Max(1, horizon.Periods);
            var sites = Items(o, "sites", required: true, Site);
            var pools = Items(o, "pools", required: true, Pool);
            var leases = Items(o, "leases", required: true, Lease);
            var jobs = Items(o, "jobs", required: true, Job);
            var spot = o.Object("spot", required: false) is { } spotElement ? Spot(spotElement, "$.spot") : null;
            var uncertainty = o.Object("uncertainty", required: false) is { } u ? Uncertainty(u, "$.uncertainty") : null;
            return new Instance(name, horizon, sites, pools, leases, jobs, spot, uncertainty);
        }

        private static ImmutableArray<T> Items<T>(JsonFieldReader o, string name, bool required, Func<JsonElement, string, JsonFieldReader, T?> read)
            where T : class
        {
            var items = o.Array(name, required);
            if (items is null)
            {
                return [];
            }

            var result = ImmutableArray.CreateBuilder<T>(items.Count);
            foreach (var (item, path) in items)
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    o.Problem(path, $"must be an object {{ \"id\": ... }}, got {JsonFieldReader.Describe(item)}.");
                    continue;
                }

                if (read(item, path, o) is { } value)
                {
                    result.Add(value);
                }
            }

            return result.ToImmutable();
        }

        private Horizon Horizon(JsonFieldReader root)
        {
            if (root.Object("horizon", required: true) is not { } element)
            {
                return new Horizon(default, 1, 1);
            }

            var o = new JsonFieldReader(element, "$.horizon", problems, true, "start", "periods", "periodHours");
            var start = default(DateOnly);
            if (o.String("start", required: true) is { } text
                && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out start))
            {
                o.Problem("$.horizon.start", $"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-07-06.");
            }

            var periods = o.Integer("periods", required: true, "the number of periods", min: 1, max: ContractLimits.Periods) ?? 1;
            var hours = o.Number("periodHours", required: true, "hours per period", 0, ContractLimits.PeriodHours) ?? 1;
            if (hours <= 0 && o.Has("periodHours"))
            {
                o.Problem("$.horizon.periodHours", "must be more than 0 hours (168 for weekly periods).");
            }

            return new Horizon(start, periods, hours);
        }

        private Site? Site(JsonElement element, string path, JsonFieldReader parent)
        {
            var o = new JsonFieldReader(element, path, problems, true, "id", "powerCapMw", "powerCostPerMwh");
            var id = o.String("id", required: true) ?? "";
            var cap = Series(o, "powerCapMw", "a power cap in MW");
            var cost = o.Number("powerCostPerMwh", required: false, "a power price in USD per MWh", 0, ContractLimits.UsdPerMwh) ?? 0;
            return new Site(id, cap, cost);
        }

        /// <summary>A number for every period, or an array of exactly one number per period.</summary>
        private ImmutableArray<double>? Series(JsonFieldReader o, string name, string what, double max = double.PositiveInfinity)
        {
            if (!o.Has(name))
            {
                return null;
            }

            var path = $"{o.Path}.{name}";
            var raw = o.Raw(name)!.Value;
            if (raw.ValueKind != JsonValueKind.Array)
            {
                // A single number applies to every period.
                return o.NumberValue(raw, path, what, 0, max) is { } single
                    ? ImmutableArray.CreateRange(Enumerable.Repeat(single, _periods))
                    : null;
            }

            var list = raw.EnumerateArray().Select((item, i) => (item, $"{path}[{i}]")).ToList();
            if (list.Count != _periods)
            {
                o.Problem(path, $"has {list.Count} values but the horizon has {_periods} periods; give one value per period, or a single number.");
                return null;
            }

            var values = ImmutableArray.CreateBuilder<double>(list.Count);
            foreach (var (item, itemPath) in list)
            {
                values.Add(o.NumberValue(item, itemPath, what, 0, max) ?? 0);
            }

            return values.ToImmutable();
        }

        private Pool? Pool(JsonElement element, string path, JsonFieldReader parent)
        {
            var o = new JsonFieldReader(element, path, problems, true, "id", "site", "gpuType", "gpus", "kwPerGpu", "deliveries");
            var id = o.String("id", required: true) ?? "";
            var site = o.String("site", required: true) ?? "";
            var gpuType = o.String("gpuType", required: false);
            var gpus = o.Integer("gpus", required: true, "the number of GPUs") ?? 0;
            var kw = o.Number("kwPerGpu", required: true, "power per GPU in kW", 0, ContractLimits.KwPerGpu) ?? 0;
            var deliveries = ImmutableArray.CreateBuilder<Delivery>();
            foreach (var (item, itemPath) in o.Array("deliveries", required: false) ?? [])
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    o.Problem(itemPath, $"must be an object {{ \"period\": ..., \"gpus\": ... }}, got {JsonFieldReader.Describe(item)}.");
                    continue;
                }

                var d = new JsonFieldReader(item, itemPath, problems, true, "period", "gpus");
                var period = d.Integer("period", required: true, "the delivery period");
                var count = d.Integer("gpus", required: true, "GPUs delivered (negative: retired)", min: -int.MaxValue);
                if (period is { } p && count is { } c)
                {
                    deliveries.Add(new Delivery(p, c));
                }
            }

            return new Pool(id, site, gpuType, gpus, kw, deliveries.ToImmutable());
        }

        private Lease? Lease(JsonElement element, string path, JsonFieldReader parent)
        {
            var o = new JsonFieldReader(element, path, problems, true,
                "id", "customer", "status", "gpus", "periods", "earliestStart", "latestStart", "pools", "pricePerGpuHour", "penaltyPerGpuHour", "announcedAt");
            var id = o.String("id", required: true) ?? "";
            var customer = o.String("customer", required: false);
            var status = LeaseStatus.Offer;
            if (o.String("status", required: false) is { } statusText)
            {
                switch (statusText)
                {
                    case "offer": status = LeaseStatus.Offer; break;
                    case "signed": status = LeaseStatus.Signed; break;
                    default: o.Problem($"{path}.status", $"'{statusText}' is not a lease status; use \"signed\" (must be placed) or \"offer\" (may be rejected)."); break;
                }
            }

            var gpus = o.Integer("gpus", required: true, "the number of GPUs leased", min: 1) ?? 1;
            var periods = o.Integer("periods", required: true, "the lease length in periods", min: 1) ?? 1;
            var earliest = o.Integer("earliestStart", required: true, "the earliest start period") ?? 0;
            var latest = o.Integer("latestStart", required: true, "the latest start period") ?? earliest;
            var pools = Pools(o);
            var price = o.Number("pricePerGpuHour", required: true, "a price in USD per GPU-hour", 0, ContractLimits.UsdPerGpuHour) ?? 0;
            var penalty = o.Number("penaltyPerGpuHour", required: false, "a penalty in USD per GPU-hour", 0, ContractLimits.UsdPerGpuHour) ?? 0;
            var announced = o.Integer("announcedAt", required: false, "the period the offer becomes known") ?? 0;
            return new Lease(id, customer, status, gpus, periods, earliest, latest, pools, price, penalty, announced);
        }

        private Job? Job(JsonElement element, string path, JsonFieldReader parent)
        {
            var o = new JsonFieldReader(element, path, problems, true,
                "id", "gpus", "periods", "earliestStart", "deadline", "pools", "value", "decayPerPeriod", "successProbability", "required", "after", "successKnownAfter");
            var id = o.String("id", required: true) ?? "";
            var gpus = o.Integer("gpus", required: true, "the number of GPUs the job needs", min: 1) ?? 1;
            var periods = o.Integer("periods", required: true, "the job length in periods", min: 1) ?? 1;
            var earliest = o.Integer("earliestStart", required: false, "the earliest start period") ?? 0;
            var deadline = o.Integer("deadline", required: false, "the last period the job may run in");
            var pools = Pools(o);
            var value = o.Number("value", required: true, "the value in USD", 0, ContractLimits.Usd) ?? 0;
            var decay = o.Number("decayPerPeriod", required: false, "the value lost per period of delay in USD", 0, ContractLimits.Usd) ?? 0;
            var success = o.Number("successProbability", required: false, "a probability", 0, 1) ?? 1;
            var required = o.Boolean("required") ?? false;
            var after = o.IdList("after")?.Select(a => a.Id).ToImmutableArray() ?? [];
            var knownAfter = o.Integer("successKnownAfter", required: false, "the periods after which the job's outcome is known");
            return new Job(id, gpus, periods, earliest, deadline, pools, value, decay, success, required, after, knownAfter);
        }

        private static ImmutableArray<string>? Pools(JsonFieldReader o)
        {
            var list = o.IdList("pools");
            if (list is null)
            {
                return null;
            }

            if (list.Count == 0 && o.Has("pools"))
            {
                o.Problem($"{o.Path}.pools", "lists no pool, so nothing could ever be placed; name at least one pool, or leave the field out to allow any pool.");
            }

            return list.Select(p => p.Id).ToImmutableArray();
        }

        private SpotMarket Spot(JsonElement element, string path)
        {
            var o = new JsonFieldReader(element, path, problems, true, "pricePerGpuHour", "sellThrough");
            if (!o.Has("pricePerGpuHour"))
            {
                o.Problem($"{path}.pricePerGpuHour", "is missing; give a spot price in USD per GPU-hour, or an array of one per period.");
            }

            var prices = Series(o, "pricePerGpuHour", "a spot price in USD per GPU-hour", ContractLimits.UsdPerGpuHour);
            var perPeriod = o.Raw("pricePerGpuHour") is { ValueKind: JsonValueKind.Array };
            var sellThrough = o.Number("sellThrough", required: true, "the share of idle GPUs that can be sold", 0, 1) ?? 0;
            var price = prices is { Length: > 0 } p ? (perPeriod ? p.Average() : p[0]) : 0;
            return new SpotMarket(price, sellThrough) { PriceByPeriod = perPeriod ? prices : null };
        }

        private Uncertainty Uncertainty(JsonElement element, string path)
        {
            var o = new JsonFieldReader(element, path, problems, true, "deliverySlip", "outage", "jobOverrun", "jobSuccess", "spotVolatility", "offerArrival");
            DeliverySlip? slip = null;
            if (o.Object("deliverySlip", required: false) is { } s)
            {
                var r = new JsonFieldReader(s, $"{path}.deliverySlip", problems, true, "probability", "maxPeriods");
                slip = new DeliverySlip(
                    r.Number("probability", required: true, "a probability", 0, 1) ?? 0,
                    r.Integer("maxPeriods", required: true, "the most periods a delivery can slip", min: 1) ?? 1);
            }

            Outage? outage = null;
            if (o.Object("outage", required: false) is { } g)
            {
                var r = new JsonFieldReader(g, $"{path}.outage", problems, true, "mean", "max");
                var mean = r.Number("mean", required: true, "a fraction of GPUs", 0, 1) ?? 0;
                var max = r.Number("max", required: true, "a fraction of GPUs", 0, 1) ?? 1;
                if (mean > max)
                {
                    r.Problem($"{path}.outage.mean", $"{JsonFieldReader.Format(mean)} is above max {JsonFieldReader.Format(max)}; the mean outage cannot exceed the largest one.");
                }

                outage = new Outage(mean, max);
            }

            JobOverrun? overrun = null;
            if (o.Object("jobOverrun", required: false) is { } j)
            {
                var r = new JsonFieldReader(j, $"{path}.jobOverrun", problems, true, "probability", "maxFraction");
                overrun = new JobOverrun(
                    r.Number("probability", required: true, "a probability", 0, 1) ?? 0,
                    r.Number("maxFraction", required: true, "the largest overrun as a fraction of the job's length", 0, 10) ?? 0);
            }

            var jobSuccess = o.Boolean("jobSuccess") ?? false;
            var volatility = o.Number("spotVolatility", required: false, "a log-normal step size", 0, 5) ?? 0;
            OfferArrival? arrival = null;
            if (o.Object("offerArrival", required: false) is { } a)
            {
                var r = new JsonFieldReader(a, $"{path}.offerArrival", problems, true, "probability");
                arrival = new OfferArrival(r.Number("probability", required: false, "a probability", 0, 1) ?? 1);
            }

            return new Uncertainty(slip, outage, overrun, jobSuccess, volatility, arrival);
        }
    }
}
