namespace Allocator.Solver;

/// <summary>
/// How a solve shares its threads between the MIP and the neighbourhood re-solves (<see cref="ExactPlanner"/>).
/// </summary>
/// <param name="MipOptions">The MIP's own options: its share of the limit and its threads.</param>
/// <param name="WorkersBeside">Re-solve workers that run from the first second, beside the MIP, on to the limit.</param>
/// <param name="WorkersAfter">Re-solve workers that run from the end of the MIP's share to the limit, on its threads.</param>
/// <param name="Improve">Whether there are re-solves at all.</param>
/// <param name="LeadRunsOn">
/// SCIP races on several threads (<see cref="ScipRace"/>): after the MIP's share one racer runs on to the limit, taking
/// the re-solves' plans as hints, and the re-solves get the other threads until they stall, when the racers waiting
/// with their trees take them back.
/// </param>
internal sealed record MipLayout(PlannerOptions MipOptions, int WorkersBeside, int WorkersAfter, bool Improve, bool LeadRunsOn = false)
{
    /// <summary>The layout for <paramref name="options"/>; <paramref name="hinted"/>: the MIP starts from last night's plan.</summary>
    public static MipLayout For(PlannerOptions options, bool hinted)
    {
        var threads = options.Deterministic ? 1 : Math.Max(1, options.Threads);
        var improve = options.Solver != SolverKind.CpSat && !options.Deterministic && options.ImprovementShare > 0;
        if (!improve)
        {
            return new MipLayout(options with { Threads = threads }, 0, 0, false);
        }

        // One thread: the MIP first, then re-solves for the last share of the limit. Otherwise the MIP on its threads,
        // every other thread re-solving from the first second on to the limit; after the MIP's share its threads
        // re-solve too.
        var mip = options with { TimeLimit = options.TimeLimit * (1 - options.ImprovementShare) };
        var mipThreads = threads == 1 ? 1 : MipThreads(options, threads, hinted);
        var race = options.Solver == SolverKind.Scip && mipThreads > 1 && !hinted;
        return new MipLayout(mip with { Threads = mipThreads }, threads - mipThreads, race ? mipThreads - 1 : mipThreads, true, race);
    }

    /// <summary>
    /// The MIP's threads: as asked, or by default every thread for SCIP, so that it proves an optimum as fast as a plain
    /// SCIP solve would (its concurrent solvers; even a re-solve worker in their idle time slowed proofs, benchmarks/RESULTS.md), one for
    /// SCIP with last night's plan (a hinted SCIP runs on one thread, so the others re-solve), and one for HiGHS (whose
    /// time-limited solves hand back no plan, so the re-solves beside it are what improves the plan).
    /// </summary>
    private static int MipThreads(PlannerOptions options, int threads, bool hinted) => options.MipThreads is { } asked
        ? Math.Clamp(asked, 1, threads)
        : options.Solver == SolverKind.Scip && !hinted ? threads : 1;
}
