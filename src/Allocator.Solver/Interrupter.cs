namespace Allocator.Solver;

/// <summary>
/// Stops an engine when a token is cancelled, and keeps asking until the solve returns. Once is not enough: a stop
/// request that lands while the model is still being built, before the engine starts, is forgotten when it starts.
/// Disposal waits out a stop call in progress, so the engine is never called after the solve has released it.
/// </summary>
internal sealed class Interrupter : IDisposable
{
    private static readonly TimeSpan Repeat = TimeSpan.FromMilliseconds(200);
    private readonly Lock _gate = new();
    private readonly Action _stop;
    private readonly Timer _timer;
    private readonly CancellationTokenRegistration _registration;
    private bool _disposed;

    public Interrupter(Action stop, CancellationToken token)
    {
        _stop = stop;
        _timer = new Timer(_ => Stop(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _registration = token.Register(() =>
        {
            Stop();
            lock (_gate)
            {
                if (!_disposed)
                {
                    _timer.Change(Repeat, Repeat);
                }
            }
        });
    }

    private void Stop()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _stop();
            }
        }
    }

    public void Dispose()
    {
        _registration.Dispose();
        lock (_gate)
        {
            _disposed = true;
            _timer.Dispose();
        }
    }
}
