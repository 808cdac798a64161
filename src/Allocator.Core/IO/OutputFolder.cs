namespace Allocator.Core.IO;

/// <summary>
/// Checks an output folder before any work, so that a long solve never fails at its end for want of a place to write.
/// Nothing is left behind: a folder that does not exist yet is not created here (it is when the plan is written), its
/// nearest existing parent is what must take a file.
/// </summary>
public static class OutputFolder
{
    /// <summary>Null when <paramref name="path"/> is a folder that exists or can be created and can be written; else why not.</summary>
    public static string? Problem(string path)
    {
        if (File.Exists(path))
        {
            return $"'{path}' is a file; name a folder (it is created if missing)";
        }

        try
        {
            var existing = new DirectoryInfo(Path.GetFullPath(path));
            while (!existing.Exists)
            {
                if (File.Exists(existing.FullName))
                {
                    return $"'{path}' cannot be created: '{existing.FullName}' is a file";
                }

                existing = existing.Parent ?? throw new IOException("no part of the path exists");
            }

            return CanCreateFileIn(existing.FullName) ? null : $"'{path}' cannot be written: '{existing.FullName}' takes no new files (no permission, or a read-only file system)";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            return $"'{path}' cannot be written: {e.Message.TrimEnd('.')}";
        }
    }

    private static bool CanCreateFileIn(string folder)
    {
        try
        {
            using (File.Create(Path.Combine(folder, $".allocator-write-check-{Guid.NewGuid():N}.tmp"), 1, FileOptions.DeleteOnClose))
            {
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Null when a file can be written at <paramref name="path"/> (its folder can be created and written, and it is not a folder); else why not.</summary>
    public static string? FileProblem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Directory.Exists(path)
            ? $"'{path}' is a folder; name the file to write"
            : Problem(Path.GetDirectoryName(Path.GetFullPath(path))!) is { } problem ? $"'{path}' cannot be written ({problem})" : null;
    }
}
