using Allocator.Planning.Pipeline;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Allocator.Service.Tests;

public sealed class HostTests : IDisposable
{
    private readonly ServiceFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task Bad_options_stop_start_up_naming_every_bad_key()
    {
        var flags = _f.Flags(true, ("Nightly:Schedule", "every night"), ("Nightly:TimeLimitSeconds", "-5"), ("Nightly:Risk", "cvar:2:0.5"), ("Nightly:TargetGap", "1.5"));
        flags.Remove("Nightly:Instances:0");
        using var host = NightlyHost.Create(null, flags);

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(e.Failures, f => f.StartsWith("Nightly:Instances is empty", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("Nightly:Schedule 'every night' is not a cron expression", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("Nightly:TimeLimitSeconds must be a positive", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("Nightly:Risk: --risk cvar:2:0.5", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.StartsWith("Nightly:TargetGap must be a fraction from 0 up to", StringComparison.Ordinal));
        Assert.False(Directory.Exists(_f.Output));
        Assert.False(File.Exists(_f.History));
    }

    [Fact]
    public async Task Options_come_from_the_settings_file_then_environment_then_flags()
    {
        var settings = Path.Combine(_f.Folder, "appsettings.json");
        File.WriteAllText(settings, """{ "Nightly": { "Schedule": "0 3 * * *", "TimeLimitSeconds": 99, "Threads": 3 } }""");
        Environment.SetEnvironmentVariable("ALLOCATOR_Nightly__TimeLimitSeconds", "77");
        try
        {
            var flags = _f.Flags(true);
            flags["Nightly:Threads"] = "4";
            flags.Remove("Nightly:TimeLimitSeconds");
            using var host = NightlyHost.Create(settings, flags);
            var options = host.Services.GetRequiredService<IOptions<NightlyOptions>>().Value;
            Assert.Equal("0 3 * * *", options.Schedule);
            Assert.Equal(77, options.TimeLimitSeconds);
            Assert.Equal(4, options.Threads);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ALLOCATOR_Nightly__TimeLimitSeconds", null);
        }

        await Task.CompletedTask;
    }

    [Fact]
    public void The_example_settings_in_deploy_are_valid()
    {
        var example = Path.Combine(Path.GetDirectoryName(ServiceFixture.Seed("tiny.json"))!, "..", "deploy", "appsettings.example.json");
        using var host = NightlyHost.Create(example, new Dictionary<string, string?>());
        var options = host.Services.GetRequiredService<IOptions<NightlyOptions>>().Value;
        Assert.Equal("cvar:0.05:0.5", options.Risk);
        Assert.True(options.Robust);
        Assert.Equal("/var/lib/allocator/history.db", options.HistoryFile);
    }

    [Fact]
    public async Task A_run_writes_the_plan_and_one_history_row()
    {
        var report = await _f.RunOnce();

        Assert.Equal(0, report.ExitCode);
        var instance = new CompiledInstance(InstanceReader.ReadFile(_f.Instance));
        var plan = PlanEvaluator.Evaluate(instance, PlanReader.ReadFile(_f.PlanFile));
        Assert.True(plan.IsFeasible);
        Assert.Equal(73_066_528, plan.Objective.Total, 1e-6 * 73_066_528);
        Assert.True(File.Exists(Path.Combine(_f.Output, "tiny", "plan.csv")));
        Assert.Empty(Directory.GetFiles(_f.Output, "*.tmp"));

        using var history = _f.OpenHistory();
        var run = Assert.Single(history.List());
        Assert.Equal(RunStatus.Ok, run.Status);
        Assert.Equal(plan.Objective.Total, run.Objective!.Value, 1e-6 * 73_066_528);
        Assert.Equal(0, run.Gap!.Value, 6);
        Assert.NotNull(run.EndedAt);
        Assert.Equal(64, run.InputHash.Length);
        Assert.Equal(PlanReader.Read(run.PlanJson!).Leases.ToArray(), PlanReader.ReadFile(_f.PlanFile).Leases.ToArray());
        Assert.Contains("offersAccepted", run.KpisJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_instance_has_its_own_folder_so_adding_one_does_not_move_another_s_plan()
    {
        var second = Path.Combine(_f.Folder, "second.json");
        File.Copy(_f.Instance, second);

        Assert.Equal(0, (await _f.RunOnce()).ExitCode);
        var alone = File.ReadAllText(_f.PlanFile);
        Assert.Equal(0, (await _f.RunOnce(("Nightly:Instances:1", second))).ExitCode);

        Assert.True(File.Exists(_f.PlanFile));
        Assert.True(File.Exists(Path.Combine(_f.Output, "second", "plan.json")));
        Assert.False(File.Exists(Path.Combine(_f.Output, "plan.json")));
        Assert.Equal(PlanReader.Read(alone).Leases.ToArray(), PlanReader.ReadFile(_f.PlanFile).Leases.ToArray());
    }

    [Fact]
    public void Two_instances_whose_files_share_a_name_are_refused_before_anything_runs()
    {
        var elsewhere = Directory.CreateDirectory(Path.Combine(_f.Folder, "elsewhere")).FullName;
        File.Copy(_f.Instance, Path.Combine(elsewhere, "tiny.json"));
        var validator = new NightlyOptionsValidator();

        var result = validator.Validate(null, new NightlyOptions { Instances = [_f.Instance, Path.Combine(elsewhere, "tiny.json")], OutputDirectory = _f.Output });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("would both write to the folder 'tiny'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fake_clock_drives_the_schedule()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 1, 59, 0, TimeSpan.Zero));
        var host = NightlyHost.Create(null, _f.Flags(runOnce: false, ("Nightly:Schedule", "0 2 * * *")), s => s.AddSingleton<TimeProvider>(clock));
        var report = host.Services.GetRequiredService<NightlyReport>();
        var waits = new List<DateTimeOffset>();
        var waiting = new SemaphoreSlim(0);
        var finished = new SemaphoreSlim(0);
        report.Waiting += next =>
        {
            lock (waits)
            {
                waits.Add(next);
            }

            waiting.Release();
        };
        report.RunFinished += _ => finished.Release();

        await host.StartAsync();
        try
        {
            Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(60)), "the scheduler never started waiting");
            Assert.Empty(report.Runs);
            Assert.False(File.Exists(_f.PlanFile));

            clock.Advance(TimeSpan.FromSeconds(59));
            Assert.False(await finished.WaitAsync(TimeSpan.FromMilliseconds(300)), "ran before its time");

            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.True(await finished.WaitAsync(TimeSpan.FromSeconds(120)), "the 02:00 run never finished");
            Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(60)), "the scheduler did not wait for the next night");
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }

        lock (waits)
        {
            Assert.Equal([new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 24, 2, 0, 0, TimeSpan.Zero)], waits);
        }

        var run = Assert.Single(report.Runs);
        Assert.Equal(RunStatus.Ok, run.Status);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero), run.StartedAt);
        Assert.True(File.Exists(_f.PlanFile));
    }
}
