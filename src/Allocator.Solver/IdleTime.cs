using System.Runtime.InteropServices;

namespace Allocator.Solver;

/// <summary>
/// The lowest scheduling class for the thread that runs a re-solve beside the concurrent MIP, so that the re-solve
/// uses only the processor time the MIP leaves idle: SCIP's concurrent solvers keep the cores busy for most but not all
/// of a solve, and a re-solve at normal priority beside them would take a third of the MIP's time on two cores. Only
/// a dedicated thread that ends with its solve is lowered: threads it starts inherit the class, so it must start none
/// that outlive it.
/// </summary>
internal static partial class IdleTime
{
    // Linux: SCHED_IDLE runs a thread only when nothing else wants the core; nice 19 is the fallback where it is refused.
    private const int SchedIdle = 5;
    private const int LowestNice = 19;

    /// <summary>Lowers the calling thread's priority for the rest of its life.</summary>
    public static void LowerThisThread()
    {
        if (OperatingSystem.IsLinux())
        {
            // Both calls act on this thread alone (its kernel thread id). A refusal leaves it at normal priority, which
            // costs the MIP time, never correctness.
            var thread = GetThreadId();
            var priority = 0;
            if (SetScheduler(thread, SchedIdle, ref priority) != 0)
            {
                _ = SetPriority(0, thread, LowestNice);
            }
        }
        else
        {
            Thread.CurrentThread.Priority = ThreadPriority.Lowest;
        }
    }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler")]
    private static partial int SetScheduler(int thread, int policy, ref int priority);

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
