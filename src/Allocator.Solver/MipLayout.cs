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
            return new MipLayout(mip, 0, false, 1, true);
        }

        if (options.Solver == SolverKind.Scip)
        {
            // SCIP's concurrent solvers get every thread, as a plain SCIP solve would, so that a proof is no slower; one
            // re-solve worker improves the plan held in the time they leave idle. (With last night's plan as its start
            // SCIP runs on one thread, see ConcurrentScip, and the worker then has a core to itself.)
            return new MipLayout(mip, 1, true, threads, true);
        }

        // HiGHS: MipThreads for the MIP, every other thread re-solves from the first second and on to the limit.
        var mipThreads = Math.Clamp(options.MipThreads, 1, threads - 1);
        return new MipLayout(mip with { Threads = mipThreads }, threads - mipThreads, false, mipThreads, true);
    }
}
