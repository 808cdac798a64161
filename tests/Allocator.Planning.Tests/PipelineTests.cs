using System.Text.Json.Nodes;
using Allocator.Core.Json;
using Allocator.Planning.Pipeline;
using Allocator.Solver;

namespace Allocator.Planning.Tests;

/// <summary>The pipeline's steps and what each bad input leaves behind: nothing, or a plan with a warning.</summary>
public sealed class PipelineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allocator-pipeline-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Output => Path.Combine(_folder, "out");

    private PlanningResult Run(string instance, PreviousPlan? previous = null)
    {
        using var setup = PlanningSetup.Create(new PlannerOptions { Threads = 1 }, TimeSpan.FromSeconds(20), null, Kernels.ScoringDevice.Cpu, null);
        return PlanningPipeline.Run(new PlanningRequest(instance, Output, setup.Policy) { Previous = previous, Check = setup.Check }, null, CancellationToken.None);
    }

    private string WriteInstance(Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(File.ReadAllText(Seeds.Path("tiny.json")))!;
        edit(node);
        var path = Path.Combine(_folder, "edited.json");
        File.WriteAllText(path, node.ToJsonString());
        return path;
    }

    [Fact]
    public void A_plan_is_written_with_plan_json_last_and_its_objective_is_the_evaluator_s()
    {
        var result = Run(Seeds.Path("tiny.json"));

        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal(["plan.csv", "spot.csv", "plan.json"], result.Files.Select(Path.GetFileName));
        Assert.Equal(result.PlanJson, File.ReadAllText(Path.Combine(Output, "plan.json")));
        Assert.Equal(73_066_528, JsonNode.Parse(result.PlanJson!)!["objective"]!.GetValue<double>(), 1e-6 * 73_066_528);
    }

    [Fact]
    public void What_validate_notes_travels_with_the_run_as_a_warning_and_the_night_still_plans()
    {
        var instance = WriteInstance(n => n["pools"]![0]!["deliveries"]!.AsArray().Add(new JsonObject { ["period"] = 8, ["gpus"] = 500 }));

        var result = Run(instance);

        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Contains("$.pools[0].deliveries[1].period: 8 is past the horizon's last period (7); this delivery never counts.", result.Warnings);
        Assert.Empty(Run(Seeds.Path("tiny.json")).Warnings);
    }

    [Fact]
    public void An_invalid_instance_is_named_problem_by_problem_and_nothing_is_written()
    {
        var result = Run(WriteInstance(n => n["pools"]![0]!["gpus"] = -1));

        Assert.Equal(RunStatus.Invalid, result.Status);
        Assert.Contains(result.Problems, p => p.Path == "$.pools[0].gpus");
        Assert.False(Directory.Exists(Output));
    }

    [Fact]
    public void An_infeasible_instance_says_which_commitments_collide_and_nothing_is_written()
    {
        // beta-1 signed at 7,000 GPUs: beside acme-1's 4,000 it overbooks the 10,000 of periods 0..2 wherever it starts.
        var result = Run(WriteInstance(n =>
        {
            n["leases"]![1]!["status"] = "signed";
            n["leases"]![1]!["gpus"] = 7000;
        }));

        Assert.Equal(RunStatus.Infeasible, result.Status);
        Assert.Contains("acme-1", result.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Output));
    }

    [Fact]
    public void A_named_previous_plan_for_another_instance_is_an_error_and_nothing_is_written()
    {
        var previous = new PreviousPlan("""{ "instance": "mid", "leases": [], "jobs": [] }""", "mid-plan.json", Named: true);

        var result = Run(Seeds.Path("tiny.json"), previous);

        Assert.Equal(RunStatus.Invalid, result.Status);
        Assert.Contains(result.Problems, p => p.Path == "$.instance" && p.Message.Contains("is for instance 'mid', not 'tiny'", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Output));
    }

    [Fact]
    public void Last_night_s_plan_for_another_instance_is_a_warning_and_the_night_still_plans()
    {
        var previous = new PreviousPlan("""{ "instance": "mid", "leases": [], "jobs": [] }""", "last night's plan", Named: false);

        var result = Run(Seeds.Path("tiny.json"), previous);

        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Contains(result.Warnings, w => w.Contains("is for instance 'mid'", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(Output, "plan.json")));
    }

    [Fact]
    public void A_previous_plan_naming_leases_the_instance_no_longer_has_is_used_for_the_rest_with_a_warning()
    {
        var optimum = Run(Seeds.Path("tiny.json")).PlanJson!;
        var withGhost = JsonNode.Parse(optimum)!;
        withGhost["leases"]!.AsArray().Add(JsonNode.Parse("""{ "id": "ghost", "accepted": false }"""));

        var result = Run(Seeds.Path("tiny.json"), new PreviousPlan(withGhost.ToJsonString(), "yesterday.json", Named: true));

        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Contains(result.Warnings, w => w.Contains("ghost", StringComparison.Ordinal));
        Assert.Equal(PlanReader.Read(optimum).Leases.ToArray(), PlanReader.Read(result.PlanJson!).Leases.ToArray());
    }
}
