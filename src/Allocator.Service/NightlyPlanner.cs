using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Allocator.Service;

/// <summary>
/// The hosted worker. In serve mode it waits for each cron occurrence (on the injected <see cref="TimeProvider"/>, so
/// tests drive the clock) and runs every instance; in run-once mode it runs them once and stops the host. A stop
/// request (SIGTERM, Ctrl-C) reaches the solver through the stopping token; the run in progress writes its best plan
/// and is recorded as interrupted before the host exits.
/// </summary>
public sealed class NightlyPlanner(
    IOptions<NightlyOptions> options,
    TimeProvider time,
    NightlyReport report,
    IHostApplicationLifetime lifetime,
    ILogger<NightlyPlanner> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        // Planning is CPU-bound and synchronous: keep it off the thread that starts the host.
        Task.Run(() => RunAsync(stoppingToken), CancellationToken.None);

    private async Task RunAsync(CancellationToken stopping)
    {
        var o = options.Value;
        try
        {
            if (o.RunOnce)
            {
                RunNight(o, stopping);
                return;
            }

            var zone = TimeZoneInfo.FindSystemTimeZoneById(o.TimeZone);
            while (!stopping.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                if (o.Cron.GetNextOccurrence(now, zone) is not { } next)
                {
                    ServiceLog.ScheduleEnded(logger, o.Schedule);
                    return;
                }

                ServiceLog.NextRun(logger, next);
                // The timer exists before anyone is told we wait: a clock moved on being told (a test's fake one)
                // must find it, or the night is missed.
                var wait = Task.Delay(next - now, time, stopping);
                report.WaitingFor(next);
                await wait.ConfigureAwait(false);
                RunNight(o, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped while waiting for the next run: nothing was running, nothing to record.
        }
        catch (RunLockedException e)
        {
            ServiceLog.Refused(logger, e.Message);
            report.Fail(5);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Anything else (the history file unwritable, a disk full): say so and fail the process, never exit 0.
            var kind = e.GetType().Name;
            ServiceLog.Crashed(logger, kind, e.Message);
            report.Fail(4);
            lifetime.StopApplication();
        }
        finally
        {
            if (o.RunOnce)
            {
                lifetime.StopApplication();
            }
        }
    }

    private void RunNight(NightlyOptions o, CancellationToken stopping)
    {
        using var runLock = RunLock.Acquire(o.OutputDirectory);
        using var history = RunHistory.Open(o.HistoryFile);
        var run = new NightlyRun(o, time, logger);
        foreach (var instance in o.Instances)
        {
            // One folder per instance, named after its file, however many there are: adding an instance never moves
            // another one's plan.
            var folder = NightlyOptions.InstanceFolder(o.OutputDirectory, instance);
            var (record, outcome) = run.Execute(instance, folder, history, stopping);
            report.Add(record, outcome);
            if (stopping.IsCancellationRequested)
            {
                break;
            }
        }
    }
}
