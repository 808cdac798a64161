namespace Allocator.Solver;

/// <summary>
/// How a solve shares its threads between the MIP and the neighbourhood re-solves (<see cref="ExactPlanner"/>).
/// </summary>
/// <param name="MipOptions">The MIP's own options: its share of the limit and its threads.</param>
/// <param name="WorkersBeside">Re-solve workers that run while the MIP does.</param>
/// <param name="BesideInIdleTime">Whether those run at the lowest priority and stop when the MIP does.</param>
/// <param name="WorkersAfter">Re-solve workers that run from the end of the MIP's share to the limit.</param>
/// <param name="Improve">Whether there are re-solves at all.</param>
internal sealed record MipLayout(PlannerOptions MipOptions, int WorkersBeside, bool BesideInIdleTime, int WorkersAfter, bool Improve)
{
    public static MipLayout For(PlannerOptions options)
    {
        var threads = options.Deterministic ? 1 : Math.Max(1, options.Threads);
        var improve = options.Solver != SolverKind.CpSat && !options.Deterministic && options.ImprovementShare > 0;
        if (!improve)
        {
            return new MipLayout(options with { Threads = threads }, 0, false, 0, false);
        }

        var mip = options with { TimeLimit = options.TimeLimit * (1 - options.ImprovementShare) };
        if (threads == 1)
        {
            // One thread: the MIP first, then re-solves for the last share of the limit.
            return new MipLayout(mip with { Threads = 1 }, 0, false, 1, true);
        }

        var mipThreads = MipThreads(options, threads);
        if (mipThreads == threads)
        {
            // The MIP gets every thread, as a plain solve would, so that a proof is no slower; one re-solve worker
            // improves the plan held in the time the MIP leaves idle (with last night's plan as its start SCIP runs on
            // one thread, see ExactPlanner, and the worker then has a core to itself). After the MIP's share, every
            // thread re-solves.
            return new MipLayout(mip with { Threads = threads }, 1, true, threads, true);
        }

        // The MIP on its threads, every other thread re-solving from the first second on to the limit; after the MIP's
        // share its threads re-solve too.
        return new MipLayout(mip with { Threads = mipThreads }, threads - mipThreads, false, mipThreads, true);
    }

    /// <summary>
    /// The MIP's threads: as asked, or by default every thread for SCIP (its concurrent solvers prove optima about
    /// twice as fast on two threads as on one, benchmarks/RESULTS.md) and one for HiGHS (whose time-limited solves hand
    /// back no plan, so the re-solves beside it are what improves the plan).
    /// </summary>
    private static int MipThreads(PlannerOptions options, int threads) => options.MipThreads is { } asked
        ? Math.Clamp(asked, 1, threads)
        : options.Solver == SolverKind.Scip ? threads : 1;
}
