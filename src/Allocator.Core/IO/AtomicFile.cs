using System.Text;

namespace Allocator.Core.IO;

/// <summary>Writes files so that a reader never sees half of one: write a temporary file beside it, then rename.</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="contents"/> to <paramref name="path"/> atomically (UTF-8, no BOM).</summary>
    public static void WriteAllText(string path, string contents) =>
        WriteAllBytes(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(contents));

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        using var file = Begin(path);
        file.Stream.Write(bytes);
        file.Commit();
    }

    /// <summary>
    /// Starts writing <paramref name="path"/> atomically, for a file too large to hold in memory: write to its
    /// <see cref="PendingFile.Stream"/>, then <see cref="PendingFile.Commit"/>; disposed without a commit, nothing is written.
    /// </summary>
    public static PendingFile Begin(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        return new PendingFile(path, temporary, new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None));
    }
}

/// <summary>A file being written beside its destination (<see cref="AtomicFile.Begin"/>): renamed there on commit, deleted otherwise.</summary>
public sealed class PendingFile : IDisposable
{
    private readonly string _path;
    private readonly string _temporary;
    private readonly FileStream _stream;

    internal PendingFile(string path, string temporary, FileStream stream) => (_path, _temporary, _stream) = (path, temporary, stream);

    /// <summary>Where the contents go until the commit.</summary>
    public Stream Stream => _stream;

    /// <summary>Puts the file in its place, whole.</summary>
    public void Commit()
    {
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        File.Move(_temporary, _path, overwrite: true);
    }

    /// <summary>Closes the file; one never committed is deleted.</summary>
    public void Dispose()
    {
        _stream.Dispose();
        if (File.Exists(_temporary))
        {
            File.Delete(_temporary);
        }
    }
}
