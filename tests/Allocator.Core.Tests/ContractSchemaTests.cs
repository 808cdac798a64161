using System.Text.Json;
using System.Text.Json.Nodes;
using Allocator.Core.Contract;
using Allocator.Core.Json;
using Json.Schema;

namespace Allocator.Core.Tests;

/// <summary>
/// The JSON Schemas in docs/schema: generated from the contract types (the files are what the generator writes), passed
/// by every seed and by plans as the planner writes them, and failed by each broken file the reader's tests use that a
/// schema can express (the reader rejects those too).
/// </summary>
public sealed class ContractSchemaTests
{
    private static readonly JsonSchema InstanceSchema = JsonSchema.FromText(ContractSchema.Text(ContractSchema.Instance()));
    private static readonly JsonSchema PlanSchema = JsonSchema.FromText(ContractSchema.Text(ContractSchema.Plan()));

    private static bool Passes(JsonSchema schema, string json)
    {
        using var document = JsonDocument.Parse(json);
        return schema.Evaluate(document.RootElement).IsValid;
    }

    [Theory]
    [InlineData("instance.schema.json")]
    [InlineData("plan.schema.json")]
    public void The_schema_files_are_what_the_contract_types_generate(string file)
    {
        var generated = ContractSchema.Text(file.StartsWith("plan", StringComparison.Ordinal) ? ContractSchema.Plan() : ContractSchema.Instance());

        Assert.Equal(generated, File.ReadAllText(Path.Combine(Fixtures.RepositoryRoot, "docs", "schema", file)));
    }

    [Theory]
    [InlineData("tiny.json")]
    [InlineData("mid-6x120x20x26.json")]
    [InlineData("colossus-2026.json")]
    public void Every_seed_passes_the_instance_schema(string seed)
    {
        Assert.True(Passes(InstanceSchema, File.ReadAllText(Fixtures.Seed(seed))));
    }

    [Fact]
    public void A_plan_as_the_planner_writes_it_passes_the_plan_schema_and_an_instance_does_not()
    {
        var instance = new Evaluation.CompiledInstance(Fixtures.Tiny());
        var plan = new Plan(
            "tiny",
            [new LeaseDecision("acme-1", true, "m-h100", 0), new LeaseDecision("beta-1", false, null, null)],
            [new JobDecision("pretrain", true, "m-h100", 3), new JobDecision("posttrain", false, null, null)]);
        var written = PlanWriter.Write(plan, Evaluation.PlanEvaluator.Evaluate(instance, plan), null, instance);

        Assert.True(Passes(PlanSchema, written));
        Assert.False(Passes(PlanSchema, File.ReadAllText(Fixtures.Seed("tiny.json"))));
        Assert.False(Passes(InstanceSchema, written));
    }

    public static TheoryData<string, string> BrokenInstances => new()
    {
        { "unknown field", """{ "op": "add", "path": "pools/0", "field": "gpu", "value": 5 }""" },
        { "missing required field", """{ "op": "remove", "path": "leases/1", "field": "pricePerGpuHour" }""" },
        { "negative GPUs", """{ "op": "add", "path": "leases/0", "field": "gpus", "value": -4000 }""" },
        { "zero GPUs", """{ "op": "add", "path": "jobs/0", "field": "gpus", "value": 0 }""" },
        { "zero periods", """{ "op": "add", "path": "leases/0", "field": "periods", "value": 0 }""" },
        { "probability over one", """{ "op": "add", "path": "jobs/0", "field": "successProbability", "value": 1.5 }""" },
        { "unknown status", """{ "op": "add", "path": "leases/0", "field": "status", "value": "pending" }""" },
        { "text for a number", """{ "op": "add", "path": "pools/0", "field": "gpus", "value": "10000" }""" },
        { "fractional period count", """{ "op": "add", "path": "horizon", "field": "periods", "value": 8.5 }""" },
    };

    [Theory]
    [MemberData(nameof(BrokenInstances))]
    public void A_broken_instance_the_schema_can_express_fails_it_and_the_reader(string broken, string edit)
    {
        var json = Edit(File.ReadAllText(Fixtures.Seed("tiny.json")), JsonNode.Parse(edit)!);

        Assert.False(Passes(InstanceSchema, json), broken);
        Assert.Throws<ContractException>(() => InstanceReader.Read(json));
    }

    [Fact]
    public void An_accepted_lease_without_pool_or_start_fails_the_plan_schema_and_the_reader()
    {
        const string plan = """{ "instance": "tiny", "leases": [ { "id": "acme-1", "accepted": true } ], "jobs": [] }""";

        Assert.False(Passes(PlanSchema, plan));
        Assert.Throws<ContractException>(() => PlanReader.Read(plan));
    }

    /// <summary>Applies one edit: add (or replace) or remove a field of the object at a slash-separated path.</summary>
    private static string Edit(string json, JsonNode edit)
    {
        var root = JsonNode.Parse(json)!;
        var target = edit["path"]!.GetValue<string>().Split('/').Aggregate(root, (node, step) => int.TryParse(step, out var i) ? node[i]! : node[step]!);
        var field = edit["field"]!.GetValue<string>();
        if (edit["op"]!.GetValue<string>() == "remove")
        {
            target.AsObject().Remove(field);
        }
        else
        {
            target[field] = edit["value"]!.DeepClone();
        }

        return root.ToJsonString();
    }
}
