namespace Allocator.Service;

/// <summary>Thrown when another run already holds the output folder.</summary>
public sealed class RunLockedException(string message) : Exception(message);

/// <summary>
/// Keeps runs on one output folder to one at a time: an exclusive handle on a lock file there, released when the run
/// ends or its process dies (the operating system drops the handle). A second run refuses at once with a clear message
/// rather than waiting an unknown time behind a long solve.
/// </summary>
public sealed class RunLock : IDisposable
{
    private readonly FileStream _stream;

    private RunLock(FileStream stream) => _stream = stream;

    /// <summary>The lock file's name inside the output folder.</summary>
    public const string FileName = ".allocator.lock";

    /// <summary>Takes the lock on <paramref name="outputDirectory"/>, or throws <see cref="RunLockedException"/>.</summary>
    public static RunLock Acquire(string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        var path = Path.Combine(outputDirectory, FileName);
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            // Who holds it, beside the lock (the lock file itself cannot be read while held).
            File.WriteAllText(path + ".holder", $"pid {Environment.ProcessId} on {Environment.MachineName}, since {DateTimeOffset.UtcNow:O}");
            return new RunLock(stream);
        }
        catch (IOException)
        {
            var holder = "";
            try
            {
                holder = File.ReadAllText(path + ".holder").Trim();
            }
            catch (IOException)
            {
                // The holder's details are a courtesy; the refusal stands without them.
            }

            throw new RunLockedException(
                $"another Allocator run is writing to {outputDirectory} ({(holder.Length > 0 ? holder : "lock file " + path)}); " +
                "wait for it to finish, or give this run another --out folder.");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
