using System.Runtime.InteropServices;

namespace Allocator.Solver;

/// <summary>
/// The lowest scheduling priority for the thread that runs a re-solve beside the concurrent MIP, so that the re-solve
/// uses only the processor time the MIP leaves idle: SCIP's concurrent solvers keep the cores busy for most but not all
/// of a solve, and a re-solve at normal priority beside them would take a third of the MIP's time on two cores. Only
/// a dedicated thread that ends with its solve is lowered: threads it starts inherit the priority, so it must start none
/// that outlive it.
/// </summary>
internal static partial class IdleTime
{
    private const int LowestNice = 19;

    /// <summary>Lowers the calling thread's priority for the rest of its life.</summary>
    public static void LowerThisThread()
    {
        if (OperatingSystem.IsLinux())
        {
            // setpriority(PRIO_PROCESS, tid, 19) sets the nice value of this thread alone on Linux. A refusal leaves
            // the thread at normal priority, which costs the MIP time, never correctness.
            _ = SetPriority(0, GetThreadId(), LowestNice);
        }
        else
        {
            Thread.CurrentThread.Priority = ThreadPriority.Lowest;
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
