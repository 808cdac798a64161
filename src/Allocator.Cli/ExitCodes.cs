namespace Allocator.Cli;

/// <summary>The command line's exit codes, as documented in the README.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int InvalidInput = 2;
    public const int Infeasible = 3;
    public const int NoPlanInTime = 4;

    /// <summary>An unexpected failure (the same code as a nightly run that failed).</summary>
    public const int Failed = 4;

    /// <summary>Another run holds the output folder.</summary>
    public const int OutputFolderHeld = 5;

    /// <summary>
    /// SIGTERM or Ctrl-C stopped a comparison, simulation or sweep before it was done: what it finished (instances
    /// compared, tasks run) is written, the work in progress is not, and a cluster's scheduler sees the task fail.
    /// </summary>
    public const int Stopped = 6;
}
