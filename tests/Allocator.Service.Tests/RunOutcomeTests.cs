using Allocator.Planning.Pipeline;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Service;

namespace Allocator.Service.Tests;

public sealed class RunOutcomeTests : IDisposable
{
    private readonly ServiceFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task Invalid_input_is_recorded_with_its_message_and_the_previous_plan_stays()
    {
        Assert.Equal(0, (await _f.RunOnce()).ExitCode);
        var before = File.ReadAllBytes(_f.PlanFile);
        _f.EditInstance(n => n["pools"]![0]!["gpus"] = -5);

        var report = await _f.RunOnce();

        Assert.Equal(2, report.ExitCode);
        Assert.Equal(before, File.ReadAllBytes(_f.PlanFile));
        using var history = _f.OpenHistory();
        var run = history.List()[0];
        Assert.Equal(RunStatus.Invalid, run.Status);
        Assert.Contains("$.pools[0].gpus", run.Summary, StringComparison.Ordinal);
        Assert.Contains("previous plan stays current", run.Summary, StringComparison.Ordinal);
        Assert.Null(run.PlanJson);
        Assert.Equal(RunStatus.Ok, history.LatestPlan("tiny")!.Status);
    }

    [Fact]
    public async Task An_infeasible_instance_is_recorded_with_the_collision_and_the_previous_plan_stays()
    {
        Assert.Equal(0, (await _f.RunOnce()).ExitCode);
        var before = File.ReadAllBytes(_f.PlanFile);
        // Both leases signed, for more GPUs than the pool has in period 0.
        _f.EditInstance(n =>
        {
            foreach (var lease in n["leases"]!.AsArray())
            {
                lease!["status"] = "signed";
                lease["gpus"] = 9000;
                lease["earliestStart"] = 0;
                lease["latestStart"] = 0;
                lease["pools"] = new System.Text.Json.Nodes.JsonArray("m-h100");
            }
        });

        var report = await _f.RunOnce();

        Assert.Equal(3, report.ExitCode);
        Assert.Equal(before, File.ReadAllBytes(_f.PlanFile));
        using var history = _f.OpenHistory();
        var run = history.List()[0];
        Assert.Equal(RunStatus.Infeasible, run.Status);
        Assert.Contains("m-h100", run.Summary, StringComparison.Ordinal);
        Assert.Contains("previous plan stays current", run.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tonight_starts_from_last_night_and_a_move_cost_keeps_the_plan_when_nothing_changed()
    {
        Assert.Equal(0, (await _f.RunOnce(("Nightly:MoveCostPerGpuPeriod", "1"))).ExitCode);
        Assert.Equal(0, (await _f.RunOnce(("Nightly:MoveCostPerGpuPeriod", "1"))).ExitCode);

        using var history = _f.OpenHistory();
        var runs = history.List();
        Assert.Equal(2, runs.Count);
        var diff = PlanDiff.Between(runs[1], runs[0]);
        Assert.Empty(diff.Changes);
        Assert.Equal(0, diff.ValueDelta);
        Assert.Contains("stability charge 0 USD", runs[0].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_names_offers_accepted_and_dropped_and_jobs_moved()
    {
        var instance = new CompiledInstance(InstanceReader.ReadFile(_f.Instance));
        var a = Assignment.Empty(instance) with
        {
            LeasePool = [0, -1],
            LeaseStart = [0, 0],
            JobPool = [0, -1],
            JobStart = [3, 0],
        };
        var b = a with { LeasePool = [-1, 0], JobStart = [4, 0] };
        RunRecord Record(long id, Assignment plan, double objective) => new(
            id, "tiny", _f.Instance, DateTimeOffset.UnixEpoch, null, "", RunStatus.Ok, objective, null, null, null,
            PlanWriter.Write(plan.ToPlan(instance)), "", null, null);

        var diff = PlanDiff.Between(Record(1, a, 100), Record(2, b, 90));

        Assert.Equal(-10, diff.ValueDelta);
        var leases = diff.Changes.Where(c => c.Kind == "lease").ToDictionary(c => c.Id, c => c.Change);
        Assert.Equal("dropped", leases[instance.Source.Leases[0].Id]);
        Assert.Equal("accepted", leases[instance.Source.Leases[1].Id]);
        var job = Assert.Single(diff.Changes, c => c.Kind == "job");
        Assert.Equal("moved", job.Change);
        Assert.Contains("period 3", job.Before, StringComparison.Ordinal);
        Assert.Contains("period 4", job.After, StringComparison.Ordinal);
        Assert.Empty(diff.Notes);

        // A run with no plan leaves nothing to compare (its leases read as all dropped before), and runs of two
        // instances are said to be.
        var infeasible = Record(3, a, 0) with { Instance = "other", Status = RunStatus.Infeasible, Objective = null, PlanJson = null };
        var against = PlanDiff.Between(Record(1, a, 100), infeasible);
        Assert.Empty(against.Changes);
        Assert.Equal(
            ["the runs are of different instances ('tiny', 'other'): the same id need not be the same lease or job.", "run 3 has no plan (infeasible): nothing to compare."],
            against.Notes);
    }

    [Fact]
    public async Task A_missing_gpu_falls_back_to_the_cpu_with_a_warning_in_the_run_record()
    {
        var report = await _f.RunOnce(("Nightly:Robust", "true"), ("Nightly:Device", "Cuda"), ("Nightly:Scenarios", "50"), ("Nightly:TimeLimitSeconds", "4"));

        Assert.Equal(0, report.ExitCode);
        using var history = _f.OpenHistory();
        var run = history.List()[0];
        Assert.Equal(RunStatus.Ok, run.Status);
        Assert.StartsWith("cpu", run.Device, StringComparison.Ordinal);
        Assert.Contains("CUDA", run.Warnings, StringComparison.Ordinal);
        Assert.Contains("robust search under expected", run.Summary, StringComparison.Ordinal);
    }
}
