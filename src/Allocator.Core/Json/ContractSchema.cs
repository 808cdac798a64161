using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Allocator.Core.Contract;

namespace Allocator.Core.Json;

/// <summary>
/// JSON Schemas (draft 2020-12) of the instance and the plan, generated from the contract types, so that an editor
/// checks a file as a planner types it. The types give the shape; what they cannot say (which fields are required,
/// ranges, the status words, a power cap or spot price that may be one number or one per period, no unknown fields in an instance) is
/// added from the table below, which follows the reader. The reader stays the judge: it also checks what a schema
/// cannot (ids that must exist, windows that must fit the horizon, chains without cycles).
/// </summary>
public static class ContractSchema
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.Strict,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    // Required fields per contract type, as the reader requires them.
    private static readonly Dictionary<Type, string[]> Required = new()
    {
        [typeof(Instance)] = ["name", "horizon", "sites", "pools", "leases", "jobs"],
        [typeof(Horizon)] = ["start", "periods", "periodHours"],
        [typeof(Site)] = ["id"],
        [typeof(Pool)] = ["id", "site", "gpus", "kwPerGpu"],
        [typeof(Delivery)] = ["period", "gpus"],
        [typeof(Lease)] = ["id", "gpus", "periods", "earliestStart", "latestStart", "pricePerGpuHour"],
        [typeof(Job)] = ["id", "gpus", "periods", "value"],
        [typeof(SpotMarket)] = ["pricePerGpuHour", "sellThrough"],
        [typeof(DeliverySlip)] = ["probability", "maxPeriods"],
        [typeof(Outage)] = ["mean", "max"],
        [typeof(JobOverrun)] = ["probability", "maxFraction"],
        [typeof(Plan)] = ["instance", "leases", "jobs"],
        [typeof(LeaseDecision)] = ["id", "accepted"],
        [typeof(JobDecision)] = ["id", "scheduled"],
    };

    // Ranges the reader enforces, by (type, field): (minimum, maximum, exclusive minimum).
    private static readonly Dictionary<(Type, string), (double? Min, double? Max, bool Exclusive)> Ranges = new()
    {
        [(typeof(Horizon), "periods")] = (1, ContractLimits.Periods, false),
        [(typeof(Horizon), "periodHours")] = (0, ContractLimits.PeriodHours, true),
        [(typeof(Site), "powerCostPerMwh")] = (0, ContractLimits.UsdPerMwh, false),
        [(typeof(Pool), "gpus")] = (0, null, false),
        [(typeof(Pool), "kwPerGpu")] = (0, ContractLimits.KwPerGpu, false),
        [(typeof(Delivery), "period")] = (0, null, false),
        [(typeof(Lease), "gpus")] = (1, null, false),
        [(typeof(Lease), "periods")] = (1, null, false),
        [(typeof(Lease), "earliestStart")] = (0, null, false),
        [(typeof(Lease), "latestStart")] = (0, null, false),
        [(typeof(Lease), "pricePerGpuHour")] = (0, ContractLimits.UsdPerGpuHour, false),
        [(typeof(Lease), "penaltyPerGpuHour")] = (0, ContractLimits.UsdPerGpuHour, false),
        [(typeof(Lease), "announcedAt")] = (0, null, false),
        [(typeof(Job), "successKnownAfter")] = (1, null, false),
        [(typeof(OfferArrival), "probability")] = (0, 1, false),
        [(typeof(Job), "gpus")] = (1, null, false),
        [(typeof(Job), "periods")] = (1, null, false),
        [(typeof(Job), "earliestStart")] = (0, null, false),
        [(typeof(Job), "deadline")] = (0, null, false),
        [(typeof(Job), "value")] = (0, ContractLimits.Usd, false),
        [(typeof(Job), "decayPerPeriod")] = (0, ContractLimits.Usd, false),
        [(typeof(Job), "successProbability")] = (0, 1, false),
        [(typeof(SpotMarket), "pricePerGpuHour")] = (0, ContractLimits.UsdPerGpuHour, false),
        [(typeof(SpotMarket), "sellThrough")] = (0, 1, false),
        [(typeof(DeliverySlip), "probability")] = (0, 1, false),
        [(typeof(DeliverySlip), "maxPeriods")] = (0, null, false),
        [(typeof(Outage), "mean")] = (0, 1, false),
        [(typeof(Outage), "max")] = (0, 1, false),
        [(typeof(JobOverrun), "probability")] = (0, 1, false),
        [(typeof(JobOverrun), "maxFraction")] = (0, null, false),
        [(typeof(Uncertainty), "spotVolatility")] = (0, null, false),
        [(typeof(LeaseDecision), "start")] = (0, null, false),
        [(typeof(JobDecision), "start")] = (0, null, false),
    };

    /// <summary>The instance schema.</summary>
    public static JsonObject Instance() => Generate(typeof(Instance), "Allocator instance", closed: true);

    /// <summary>The plan schema (fields a solver adds beside the contract's, such as objective or kpis, are allowed).</summary>
    public static JsonObject Plan() => Generate(typeof(Plan), "Allocator plan", closed: false);

    private static JsonObject Generate(Type root, string title, bool closed)
    {
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) => Refine(context, node, closed),
        };
        var schema = JsonSchemaExporter.GetJsonSchemaAsNode(Options, root, exporter).AsObject();
        var document = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = title,
        };
        foreach (var (key, value) in schema.ToList())
        {
            schema.Remove(key);
            document[key] = value;
        }

        return document;
    }

    private static JsonNode Refine(JsonSchemaExporterContext context, JsonNode node, bool closed)
    {
        if (node is not JsonObject schema)
        {
            return node;
        }

        if (context.PropertyInfo is { } property && property.DeclaringType is var owner)
        {
            // Optional fields are absent rather than null in the contract's files.
            if (schema["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null"))
            {
                var rest = types.Where(t => t?.GetValue<string>() != "null").Select(t => t!.GetValue<string>()).ToList();
                schema["type"] = rest.Count == 1 ? rest[0] : new JsonArray([.. rest.Select(t => (JsonNode)t)]);
            }

            // An optional field with no default (null) is simply left out of a file.
            if (schema.ContainsKey("default") && schema["default"] is null)
            {
                schema.Remove("default");
            }

            if (Ranges.TryGetValue((owner, property.Name), out var range))
            {
                if (range.Min is { } min)
                {
                    schema[range.Exclusive ? "exclusiveMinimum" : "minimum"] = min;
                }

                if (range.Max is { } max)
                {
                    schema["maximum"] = max;
                }
            }

            if ((owner == typeof(Site) && property.Name == "powerCapMw") || (owner == typeof(SpotMarket) && property.Name == "pricePerGpuHour"))
            {
                // One number for every period, or one per period.
                JsonObject Number()
                {
                    var number = new JsonObject { ["type"] = "number", ["minimum"] = 0 };
                    if (range.Max is { } max)
                    {
                        number["maximum"] = max;
                    }

                    return number;
                }

                return new JsonObject
                {
                    ["oneOf"] = new JsonArray(Number(), new JsonObject { ["type"] = "array", ["items"] = Number() }),
                };
            }

            if (owner == typeof(Instance) && property.Name is "sites" or "pools")
            {
                schema["minItems"] = 1; // leases and jobs may be empty; a fleet has a site and a pool
            }

            if (owner == typeof(Horizon) && property.Name == "start")
            {
                schema["format"] = "date";
            }
        }

        if (context.TypeInfo.Kind == JsonTypeInfoKind.Object && Required.TryGetValue(context.TypeInfo.Type, out var required))
        {
            schema["required"] = new JsonArray([.. required.Select(r => (JsonNode)r)]);
            schema.Remove("additionalProperties");
            if (closed)
            {
                schema["additionalProperties"] = false;
            }

            if (context.TypeInfo.Type == typeof(Instance) && schema["properties"] is JsonObject properties)
            {
                properties.Insert(0, "$schema", new JsonObject { ["type"] = "string", ["description"] = "Where an editor finds this schema; ignored by the reader." });
            }

            // A lease accepted or a job scheduled says where and when.
            if (context.TypeInfo.Type == typeof(LeaseDecision) || context.TypeInfo.Type == typeof(JobDecision))
            {
                var flag = context.TypeInfo.Type == typeof(LeaseDecision) ? "accepted" : "scheduled";
                schema["if"] = new JsonObject { ["properties"] = new JsonObject { [flag] = new JsonObject { ["const"] = true } } };
                schema["then"] = new JsonObject { ["required"] = new JsonArray("pool", "start") };
            }
        }

        return schema;
    }

    /// <summary>A schema as the file written to disk: indented, with a final newline.</summary>
    public static string Text(JsonObject schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }
}
