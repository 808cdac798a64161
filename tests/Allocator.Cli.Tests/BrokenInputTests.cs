using System.Text.Json.Nodes;

namespace Allocator.Cli.Tests;

/// <summary>
/// Every command with broken inputs and options, run as a process: each gets its documented exit code, one readable
/// error (no stack trace, no .NET type name), and leaves no file behind. {F} in an argument is the case's scratch
/// folder, which holds copies of the inputs below.
/// </summary>
public sealed class BrokenInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allocator-broken-").FullName;

    public BrokenInputTests()
    {
        var tiny = File.ReadAllText(CliProcess.Seed("tiny.json"));
        File.WriteAllText(Path.Combine(_folder, "tiny.json"), tiny);
        Write("plan.json", """
            { "instance": "tiny",
              "leases": [ { "id": "acme-1", "accepted": true, "pool": "m-h100", "start": 0 }, { "id": "beta-1", "accepted": false } ],
              "jobs": [ { "id": "pretrain", "scheduled": false }, { "id": "posttrain", "scheduled": false } ] }
            """);
        Write("other-plan.json", """{ "instance": "mid", "leases": [], "jobs": [] }""");
        Write("overbooked.json", """
            { "instance": "tiny",
              "leases": [ { "id": "acme-1", "accepted": true, "pool": "m-h100", "start": 0 }, { "id": "beta-1", "accepted": true, "pool": "m-h100", "start": 0 } ],
              "jobs": [ { "id": "pretrain", "scheduled": true, "pool": "m-h100", "start": 0 }, { "id": "posttrain", "scheduled": false } ] }
            """);
        Write("broken.json", """{ "name": "tiny", "horizon": { "start": "2026-07-06", """);
        Write("zero-gpus.json", Edited(tiny, n => n["jobs"]![0]!["gpus"] = 0));
        Write("infeasible.json", Edited(tiny, n =>
        {
            n["leases"]![1]!["status"] = "signed";
            n["leases"]![1]!["gpus"] = 7000;
        }));
        Write("announced-late.json", Edited(tiny, n => n["leases"]![1]!["announcedAt"] = 1));
        Write("announced-signed.json", Edited(tiny, n => n["leases"]![0]!["announcedAt"] = 1));
        Write("milestone-zero.json", Edited(tiny, n => n["jobs"]![0]!["successKnownAfter"] = 0));
        Write("milestone-past.json", Edited(tiny, n => n["jobs"]![1]!["successKnownAfter"] = 3));
        Write("spot-prices-short.json", Edited(tiny, n => n["spot"]!["pricePerGpuHour"] = new JsonArray(1.6, 1.7, 1.8)));
        Write("a-file", "not a folder");
        Directory.CreateDirectory(Path.Combine(_folder, "elsewhere"));
        File.WriteAllText(Path.Combine(_folder, "elsewhere", "tiny.json"), tiny);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string, int, string> Cases => new()
    {
        // plan: destinations, numeric options, words, inputs of the wrong kind or for another instance, bad contents.
        { "plan {F}/tiny.json --out /proc/allocator-out", 2, "--out '/proc/allocator-out' cannot be written" },
        { "plan {F}/tiny.json --out {F}/a-file", 2, "is a file; name a folder" },
        { "plan {F}/tiny.json --out {F}/out --time-limit -5", 2, "--time-limit" },
        { "plan {F}/tiny.json --out {F}/out --time-limit 0", 2, "--time-limit" },
        { "plan {F}/tiny.json --out {F}/out --threads 0", 2, "--threads" },
        { "plan {F}/tiny.json --out {F}/out --threads -3", 2, "--threads" },
        { "plan {F}/tiny.json --out {F}/out --mip-threads 5", 2, "--mip-threads" },
        { "plan {F}/tiny.json --out {F}/out --gap 1.5", 2, "--gap" },
        { "plan {F}/tiny.json --out {F}/out --time-limit abc", 2, "--time-limit 'abc' is not a number" },
        { "plan {F}/tiny.json --out {F}/out --solver gurobi", 2, "--solver 'gurobi' is not one of: scip, highs, cpsat" },
        { "plan {F}/tiny.json --out {F}/out --time-limt 3", 2, "--time-limt" },
        { "plan {F}/missing.json --out {F}/out", 2, "cannot read the file" },
        { "plan {F}/plan.json --out {F}/out", 2, "is a plan file" },
        { "plan {F}/broken.json --out {F}/out", 2, "is not valid JSON" },
        { "plan {F}/zero-gpus.json --out {F}/out", 2, "$.jobs[0].gpus" },
        { "plan {F}/announced-late.json --out {F}/out", 2, "$.leases[1].announcedAt: 1 is after earliestStart 0" },
        { "plan {F}/announced-signed.json --out {F}/out", 2, "$.leases[0].announcedAt: is 1 on a signed lease" },
        { "plan {F}/milestone-zero.json --out {F}/out", 2, "$.jobs[0].successKnownAfter: 0 is outside 1..3" },
        { "plan {F}/milestone-past.json --out {F}/out", 2, "$.jobs[1].successKnownAfter: 3 is outside 1..2" },
        { "plan {F}/spot-prices-short.json --out {F}/out", 2, "$.spot.pricePerGpuHour: has 3 values but the horizon has 8 periods" },
        { "score {F}/spot-prices-short.json {F}/plan.json --out {F}/out", 2, "$.spot.pricePerGpuHour" },
        { "plan {F}/tiny.json --out {F}/out --previous {F}/other-plan.json", 2, "is for instance 'mid', not 'tiny'" },
        { "plan {F}/tiny.json --out {F}/out --previous {F}/tiny.json", 2, "is an instance file" },
        { "plan {F}/tiny.json --out {F}/out --previous {F}/missing.json", 2, "cannot read the file" },
        { "plan {F}/infeasible.json --out {F}/out --time-limit 20", 3, "infeasible" },
        { "plan {F}/tiny.json --out {F}/out --robust --risk cvar:0.05:3", 2, "--risk cvar:0.05:3" },
        { "plan {F}/tiny.json --out {F}/out --robust --scenarios 0", 2, "--scenarios" },
        { "plan {F}/tiny.json --out {F}/out --robust --device ilgpucpu", 2, "--device 'ilgpucpu' is not one of" },

        // evaluate and validate.
        { "evaluate {F}/tiny.json {F}/other-plan.json", 2, "is for instance 'mid', not 'tiny'" },
        { "evaluate {F}/plan.json {F}/tiny.json", 2, "is a plan file" },
        { "evaluate {F}/tiny.json {F}/tiny.json", 2, "is an instance file" },
        { "evaluate {F}/tiny.json {F}/overbooked.json", 3, "INFEASIBLE" },
        { "validate {F}/broken.json", 2, "is not valid JSON" },
        { "validate {F}/plan.json", 2, "is a plan file" },
        { "validate {F}/zero-gpus.json", 2, "$.jobs[0].gpus" },

        // score.
        { "score {F}/tiny.json {F}/plan.json --scenarios 0", 2, "--scenarios" },
        { "score {F}/tiny.json {F}/plan.json --alpha 2", 2, "--alpha" },
        { "score {F}/tiny.json {F}/other-plan.json --out {F}/out", 2, "is for instance 'mid', not 'tiny'" },
        { "score {F}/tiny.json {F}/tiny.json --out {F}/out", 2, "is an instance file" },
        { "score {F}/tiny.json {F}/plan.json --out /proc/allocator-scores", 2, "cannot be written" },
        { "score {F}/tiny.json {F}/overbooked.json --scenarios 20", 3, "INFEASIBLE" },

        // generate and schema.
        { "generate --out /proc/allocator.json", 2, "cannot be written" },
        { "generate --out {F}/elsewhere", 2, "is a folder; name the file to write" },
        { "generate --pools 0 --out {F}/out.json", 2, "--pools" },
        { "schema --kind shape", 2, "--kind 'shape' is not one of: instance, plan" },
        { "schema --out /proc/allocator.schema.json", 2, "cannot be written" },

        // compare: policy specs and options.
        { "compare {F}/tiny.json --policies exact,fancy --out {F}/out", 2, "policy 'fancy': 'fancy' is not a policy; use one of exact, greedy" },
        { "compare {F}/tiny.json --policies exact,split:1.5 --out {F}/out", 2, "policy 'split:1.5': 1.5 is out of range (split:SHARE in [0, 1)" },
        { "compare {F}/tiny.json --policies exact,threshold --out {F}/out", 2, "'threshold' needs a parameter" },
        { "compare {F}/tiny.json --policies exact,greedy:2 --out {F}/out", 2, "'greedy' takes no parameter" },
        { "compare {F}/tiny.json --policies exact,robust:cvar:2:0.5 --out {F}/out", 2, "policy 'robust:cvar:2:0.5'" },
        { "compare {F}/tiny.json --policies exact,{F}/no-such-plan.json --out {F}/out", 2, "there is no such plan file" },
        { "compare {F}/tiny.json --policies exact --scenarios 1 --out {F}/out", 2, "--scenarios must be at least 2" },
        { "compare {F}/plan.json --policies exact --out {F}/out", 2, "is a plan file" },
        { "compare {F}/tiny.json --policies exact --out /proc/allocator-lab", 2, "cannot be written" },
        { "compare {F}/tiny.json --policies exact,greedy --chart-policy split:0.3 --out {F}/out", 2, "--chart-policy 'split:0.3' is not among the policies (exact, greedy)" },

        // simulate.
        { "simulate {F}/tiny.json --scenarios 1 --out {F}/out", 2, "--scenarios must be at least 2" },
        { "simulate {F}/tiny.json --replan-every 0 --out {F}/out", 2, "--replan-every must be at least 1" },
        { "simulate {F}/tiny.json --show-scenario 200 --out {F}/out", 2, "--show-scenario must be one of the scenarios run, 0..99" },
        { "simulate {F}/tiny.json --policies static,bid-prize --out {F}/out", 2, "policy 'bid-prize': 'bid-prize' is not a policy" },
        { "simulate {F}/tiny.json --out /proc/allocator-sim", 2, "cannot be written" },
        { "simulate {F}/announced-late.json --out {F}/out", 2, "$.leases[1].announcedAt" },
        { "simulate {F}/plan.json --out {F}/out", 2, "is a plan file" },
        { "simulate {F}/tiny.json --tasks 0 --out {F}/out", 2, "--tasks must be between 1 and --scenarios (100)" },
        { "simulate {F}/tiny.json --node-limit 0 --out {F}/out", 2, "--node-limit must be at least 1" },
        { "simulate {F}/tiny.json --tasks 3 --task 3 --out {F}/out", 2, "--task 3 is out of range: there are 3 tasks, 0 .. 2" },
        { "simulate {F}/tiny.json --tasks 3", 2, "--out is needed" },
        { "simulate {F}/tiny.json --tasks 3 --merge --out {F}/elsewhere", 2, "are not all this run's (task 0, 1, 2 not finished (no task.json))" },

        // bench.
        { "bench --device tpu", 2, "--device 'tpu' is not one of: auto, cuda, opencl, cpu, ilgpu-cpu, reference, all" },
        { "bench --plans 2", 2, "--plans must be at least 8" },
        { "bench --threads-per-sm 1000", 2, "--threads-per-sm '1000' is neither auto nor a multiple of 256" },
        { "bench --kernel-state registers", 2, "--kernel-state 'registers' is not one of: auto, shared, local, global, all" },
        { "bench --device cpu --json /proc/allocator-bench.json", 2, "cannot be written" },

        // the service's commands.
        { "run-once --instance {F}/tiny.json --out {F}/out --threads 0", 2, "Nightly:Threads" },
        { "run-once --out {F}/out", 2, "Nightly:Instances is empty" },
        { "run-once --instance {F}/tiny.json --out /proc/allocator-out", 2, "cannot be written" },
        { "run-once --instance {F}/tiny.json --out {F}/out --schedule nightly", 2, "Nightly:Schedule 'nightly'" },
        { "run-once --instance {F}/tiny.json --instance {F}/elsewhere/tiny.json --out {F}/out", 2, "would both write to the folder 'tiny'" },
        { "run-once --instance {F}/tiny.json --out {F}/out --time-limit abc", 2, "--time-limit 'abc' is not a number" },
        { "history list --history {F}/missing.db", 2, "does not exist" },
        { "frobnicate", 2, "frobnicate" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_broken_input_gets_its_exit_code_one_readable_error_and_no_file(string command, int exit, string says)
    {
        var before = Listing();
        var args = command.Split(' ').Select(a => a.Replace("{F}", _folder, StringComparison.Ordinal)).ToArray();

        var (code, stdout, stderr) = CliProcess.Run(args);

        Assert.True(code == exit, $"exit {code}, expected {exit}; stderr: {stderr}");
        Assert.Contains(says.Replace("{F}", _folder, StringComparison.Ordinal), stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Allocator.", stderr, StringComparison.Ordinal);
        Assert.Equal(before, Listing());
    }

    [Fact]
    public void Plan_into_an_unwritable_folder_fails_at_once_with_exit_2_before_any_solve()
    {
        var (code, stdout, stderr) = CliProcess.Run("plan", CliProcess.Seed("mid-6x120x20x26.json"), "--out", "/proc/allocator-out", "--time-limit", "300");

        Assert.Equal(2, code);
        Assert.Contains("error: --out '/proc/allocator-out' cannot be written", stderr, StringComparison.Ordinal);
        // Nothing was solved: no plan found, no heartbeat, no summary.
        Assert.DoesNotContain("plan worth", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("solving", stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
    }

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(_folder, name), text);

    private static string Edited(string json, Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(json)!;
        edit(node);
        return node.ToJsonString();
    }

    private List<string> Listing() => [.. Directory.EnumerateFileSystemEntries(_folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
}
