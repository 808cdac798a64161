using System.Diagnostics;
using System.Globalization;
using Allocator.Core.Evaluation;
using Allocator.Core.Planning;
using Google.OrTools.ModelBuilder;
using ModelSolver = Google.OrTools.ModelBuilder.Solver;

namespace Allocator.Solver;

/// <summary>
/// The exact planner: builds the model of the contract, solves it with the chosen engine within the time limit, and
/// returns the plan with its status, the evaluator's objective, the engine's bound and the gap. When commitments
/// cannot all fit it says which ones collide, and where.
/// </summary>
public static class ExactPlanner
{
    /// <summary>
    /// Solves <paramref name="instance"/>. <paramref name="progress"/> hears of every plan found and bound proven, as
    /// they come; the result lists them too (<see cref="PlannerResult.Progress"/>).
    /// </summary>
    public static PlannerResult Solve(
        CompiledInstance instance, PlannerOptions options, IProgress<Incumbent>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { Count: > 0 } problems)
        {
            throw new ArgumentException("Planner options out of range: " + string.Join("; ", problems.Select(p => $"{p.Setting} {p.Problem}")), nameof(options));
        }

        var clock = Stopwatch.StartNew();
        var catalog = new PlacementCatalog(instance, options.Hint, options.MoveCostPerGpuPeriod);
        var log = new SolveLog(progress);

        // The plan held from the first second (StartPlans): a stop at any moment writes it or something better. It is
        // handed to CP-SAT as a hint; SCIP gets last night's plan when it fits, but not the greedy one (measured:
        // starting SCIP from the greedy plan left its plans worse, benchmarks/RESULTS.md).
        var start = StartPlans.Find(catalog, options, log, clock, cancellation);

        // Plans are compared on what the model maximises: the objective less any stability charge.
        double Score(PlanEvaluation e) => e.Objective.Total - catalog.StabilityCost(e.Assignment);
        var shared = start is null ? null : new SharedIncumbent(start.Evaluation, Score);
        var layout = MipLayout.For(options, hinted: start?.Previous is not null);
        using var stopNeighbourhoods = CancellationTokenSource.CreateLinkedTokenSource(cancellation);

        // The MIP's plans as its rounds end (SCIP on several threads): held at once, so a stop writes SCIP's plan.
        void OfferRound(Assignment plan, double? roundBound)
        {
            if (PlanEvaluator.Evaluate(instance, plan) is { IsFeasible: true } candidate && shared is not null && shared.Offer(candidate))
            {
                log.Report(new Incumbent(candidate.Objective.Total, TrueBound(Lower(roundBound, start?.Bound), shared, Score), clock.Elapsed, "SCIP"));
            }
        }

        var beside = Enumerable.Range(1, shared is null ? 0 : layout.WorkersBeside)
            .Select(worker => Task.Factory.StartNew(
                () => ImproveByNeighbourhoods(catalog, shared!, options, worker, log, clock, stopNeighbourhoods.Token),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        // Racers stopped at the share's end wait for the threads of re-solve workers that stop finding better plans.
        using var threadsBack = new SemaphoreSlim(0);
        var lead = layout.LeadRunsOn && shared is not null
            ? new ScipRace.Lead(options.TimeLimit, () => shared.Best, Score, (wait, token) => TakeThread(threadsBack, wait, token))
            : null;
        var engineRun = Task.Factory.StartNew(
            () => options.Solver switch
            {
                SolverKind.CpSat => CpSatEngine.Solve(catalog, options, start?.Plan, start is null ? double.NegativeInfinity : Score(start.Evaluation), log, clock, cancellation),
                _ => SolveMip(catalog, layout.MipOptions, start?.Previous, clock, cancellation, onPlan: OfferRound, lead: lead),
            },
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        // With a racer running on past the MIP's share, the re-solves take the other threads from the share's end.
        var after = Task.CompletedTask;
        if (lead is not null && !engineRun.Wait(Positive(layout.MipOptions.TimeLimit - clock.Elapsed), CancellationToken.None))
        {
            after = Task.Factory.StartNew(
                () => ImproveAfter(catalog, shared!, options, layout.WorkersAfter, log, clock, stopNeighbourhoods.Token, handBack: () => threadsBack.Release()),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        // The LP relaxation solved for the start plan bounds every plan too; the engine's bound, where it has one, is
        // usually tighter (its cuts), and where it has none (HiGHS at its limit, SCIP stopped before its root) the LP's holds.
        var solved = engineRun.GetAwaiter().GetResult();
        var engine = solved with { Bound = Lower(solved.Bound, start?.Bound) };

        // A proven optimum (or a proof that there is no plan) ends the re-solves; otherwise they run on to the limit or
        // to the target gap.
        if (engine.Status is EngineStatus.Optimal or EngineStatus.Infeasible)
        {
            stopNeighbourhoods.Cancel();
        }

        var improved = HoldEnginePlan(instance, engine, ref shared, Score, stopNeighbourhoods);

        // With a target gap, the re-solves stop as soon as a plan within it of the engine's bound is held (perhaps
        // already: one found beside the MIP). The final bound is known only now.
        var bound = TrueBound(engine.Bound, shared, Score);
        if (shared is not null && (improved || bound is not null))
        {
            log.Report(new Incumbent(shared.Best.Objective.Total, bound, clock.Elapsed, improved ? engine.Name : $"{engine.Name}'s bound"));
        }

        if (options.TargetGap > 0 && shared is not null && bound is { } goal)
        {
            shared.CancelWhen(score => PlannerResult.GapBetween(goal, score) <= options.TargetGap, stopNeighbourhoods);
        }

        if (layout.Improve && shared is not null && engine.Status is not (EngineStatus.Optimal or EngineStatus.Infeasible) && after == Task.CompletedTask)
        {
            ImproveAfter(catalog, shared, options, layout.MipOptions.Threads, log, clock, stopNeighbourhoods.Token);
        }

        after.GetAwaiter().GetResult();
        foreach (var worker in beside)
        {
            worker.GetAwaiter().GetResult();
        }

        return Outcome(instance, options, catalog, engine, shared, Score, log, clock, cancellation.IsCancellationRequested);
    }

    /// <summary>
    /// The engine's plan, checked by the evaluator (a plan it rejects is a bug in the model: the solve stops with it) and
    /// offered to the plans held; whether it is better than every plan held before.
    /// </summary>
    private static bool HoldEnginePlan(
        CompiledInstance instance, EngineResult engine, ref SharedIncumbent? shared, Func<PlanEvaluation, double> scoreOf, CancellationTokenSource stopNeighbourhoods)
    {
        if (engine.Assignment is not { } assignment)
        {
            return false;
        }

        var found = PlanEvaluator.Evaluate(instance, assignment);
        if (!found.IsFeasible)
        {
            stopNeighbourhoods.Cancel();
            throw new InvalidOperationException(
                $"{engine.Name} returned a plan the evaluator rejects: {string.Join("; ", found.Violations.Take(3))}. This is a bug in the model.");
        }

        var improved = shared is null;
        shared ??= new SharedIncumbent(found, scoreOf);
        return shared.Offer(found) | improved;
    }

    /// <summary>
    /// What the solve gives: the best plan held (the start plan, the engine's or a re-solve's) with the engine's bound
    /// where it holds, the status and why the solve ended; or the proof that no plan exists, with its explanation.
    /// </summary>
    private static PlannerResult Outcome(
        CompiledInstance instance, PlannerOptions options, PlacementCatalog catalog, EngineResult engine, SharedIncumbent? shared,
        Func<PlanEvaluation, double> scoreOf, SolveLog log, Stopwatch clock, bool interrupted)
    {
        var stopped = interrupted ? SolveEnd.Interrupted : SolveEnd.TimeLimit;
        if (engine.Status == EngineStatus.Infeasible)
        {
            var report = InfeasibilityExplainer.Explain(instance, catalog, options);
            return new PlannerResult(PlanStatus.Infeasible, null, null, null, clock.Elapsed, engine.Name, report, SolveEnd.Proven) { Progress = log.Points };
        }

        // The best of the start plan, the engine's plan and every re-solve: an engine stopped early may hold none.
        if (shared?.Best is not { } best)
        {
            return new PlannerResult(PlanStatus.Unknown, null, null, engine.Bound, clock.Elapsed, engine.Name, null, stopped) { Progress = log.Points };
        }

        var score = scoreOf(best);
        var bound = TrueBound(engine.Bound, shared, scoreOf);
        var gap = bound is { } proven ? PlannerResult.GapBetween(proven, score) : double.PositiveInfinity;
        var boundNote = engine.Status == EngineStatus.Optimal && engine.Bound is { } claimed && bound is null ? RefusedProof(engine.Name, claimed, score) : null;
        var provenOptimal = engine.Status == EngineStatus.Optimal && gap <= options.RelativeGap * 1.0001;
        // An engine that stopped on its own gap ended the solve: at the optimality gap, or at the target. (CP-SAT's bound
        // carries the slack of its integer spot grid, so it can prove its optimum and the plan still read "feasible".)
        var end = engine.Status == EngineStatus.Optimal
            ? (provenOptimal || options.TargetGap == 0 ? SolveEnd.Proven : SolveEnd.TargetGap)
            : gap <= options.TargetGap ? SolveEnd.TargetGap : stopped;
        return new PlannerResult(
            provenOptimal ? PlanStatus.Optimal : PlanStatus.Feasible, best.Assignment, best, bound, clock.Elapsed, engine.Name, null, end, catalog.StabilityCost(best.Assignment))
        {
            Progress = log.Points,
            BoundNote = boundNote,
        };
    }

    /// <summary>
    /// Why a plan an engine called optimal reads feasible with no bound: the bound the engine claimed lies below the best
    /// plan's value as the evaluator recomputes it (less any stability charge, as the solver scores it), so it bounds
    /// nothing and is not passed on (an engine's tolerances, on an objective counted in millions, can hide a few USD a
    /// unit).
    /// </summary>
    internal static string RefusedProof(string engine, double claimed, double score) => string.Create(
        CultureInfo.InvariantCulture,
        $"{engine} called its plan optimal with a bound of {claimed:N2} USD, below the best plan's recomputed value of {score:N2} USD; that bound is not reported, and the plan is not called optimal.");

    /// <summary>
    /// Re-solves on <paramref name="after"/> of the MIP's threads after its share, to the limit. Worker numbers seed each
    /// worker's choices: 0 here, 1 .. beside the MIP, past Threads for the others. With <paramref name="handBack"/> (SCIP
    /// racers wait for threads), a worker whose re-solves stall stops and hands its thread back through it.
    /// </summary>
    private static void ImproveAfter(
        PlacementCatalog catalog, SharedIncumbent shared, PlannerOptions options, int after, SolveLog log, Stopwatch clock, CancellationToken stop,
        Action? handBack = null)
    {
        var stall = handBack is null ? null : StallFor(options);
        Parallel.For(0, after, new ParallelOptions { MaxDegreeOfParallelism = after }, i =>
        {
            if (ImproveByNeighbourhoods(catalog, shared, options, i == 0 ? 0 : options.Threads + i, log, clock, stop, stall))
            {
                handBack!();
            }
        });
    }

    /// <summary>
    /// When re-solves have stalled: this many rounds and this long since a worker's last better plan. Then SCIP's tree
    /// search, the one part that also closes the bound, gets the thread back (benchmarks/RESULTS.md, "Threads handed
    /// back": no effect measured either way at 40-60 s limits, within the race's run-to-run spread).
    /// </summary>
    private sealed record Stall(int Rounds, TimeSpan Time);

    private static Stall StallFor(PlannerOptions options) => new(StallRounds, options.TimeLimit * StallShare);

    private const int StallRounds = 5;
    private const double StallShare = 0.05;

    /// <summary>Waits up to <paramref name="wait"/> for a thread handed back; false on a stop or when none came.</summary>
    private static bool TakeThread(SemaphoreSlim threadsBack, TimeSpan wait, CancellationToken stop)
    {
        try
        {
            return threadsBack.Wait(wait, stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static TimeSpan Positive(TimeSpan span) => span > TimeSpan.Zero ? span : TimeSpan.Zero;

    /// <summary>The lower of two bounds, either of which may be missing.</summary>
    private static double? Lower(double? a, double? b) => a is { } x && b is { } y ? Math.Min(x, y) : a ?? b;

    /// <summary>
    /// The engine's bound, as long as it is one: the model holds every feasible plan, so a true bound is never below the
    /// best plan held; an engine that reports less (HiGHS reads 0 when it stops without a solution) has none to give,
    /// and none is claimed.
    /// </summary>
    private static double? TrueBound(double? engineBound, SharedIncumbent? shared, Func<PlanEvaluation, double> score) =>
        engineBound is { } b && shared is not null ? BoundOver(b, score(shared.Best)) : engineBound;

    /// <summary>
    /// A <paramref name="claimed"/> bound checked against the <paramref name="best"/> plan's value: the bound where it is
    /// not below it, the plan's value where it is below by rounding (1e-6 relative), else none.
    /// </summary>
    internal static double? BoundOver(double claimed, double best) =>
        claimed >= best - 1e-6 * Math.Max(1, Math.Abs(best)) ? Math.Max(claimed, best) : null;

    /// <summary>
    /// Large-neighbourhood improvement of the shared incumbent until the time limit: each round frees the leases and jobs
    /// of one or two random pools, or those running in a random stretch of periods, fixes the rest where the incumbent
    /// has them, and solves that smaller MIP (the incumbent itself is feasible in it, so a round never loses value). A
    /// better plan is offered to the incumbent, and every round starts from whatever the incumbent then is, so workers on
    /// several threads build on each other's finds. Each sub-MIP runs on one thread: the worker is the unit of parallelism.
    /// With <paramref name="stall"/>, the worker stops once its rounds have stalled and says so (true).
    /// </summary>
    private static bool ImproveByNeighbourhoods(
        PlacementCatalog catalog, SharedIncumbent shared, PlannerOptions options, int worker,
        SolveLog progress, Stopwatch clock, CancellationToken cancellation, Stall? stall = null)
    {
        var instance = catalog.Instance;
        var rng = new Core.Randomness.SplitMix64(Core.Randomness.SplitMix64.Mix(((ulong)options.Seed ^ 0x4C4E5300UL) + (ulong)worker));
        var round = TimeSpan.FromSeconds(Math.Max(2, options.TimeLimit.TotalSeconds / 12));
        var freeItems = FirstFreeItems;
        var (lastFind, roundsSinceFind) = (clock.Elapsed, 0);
        while (!cancellation.IsCancellationRequested && options.TimeLimit - clock.Elapsed > TimeSpan.FromSeconds(1))
        {
            if (stall is not null && roundsSinceFind >= stall.Rounds && clock.Elapsed - lastFind >= stall.Time)
            {
                return true;
            }

            var incumbent = shared.Best;
            var plan = incumbent.Assignment;
            Func<Block, bool> isFree;
            if (instance.PoolCount > 2 && rng.Chance(0.5))
            {
                var first = rng.Between(0, instance.PoolCount - 1);
                var second = rng.Between(0, instance.PoolCount - 1);
                isFree = block => plan.Placement(block).Pool is var pool
                    && (pool == first || pool == second || (pool < 0 && (instance.Pools(block).Contains(first) || instance.Pools(block).Contains(second))));
            }
            else
            {
                var width = Math.Max(2, instance.Periods / 3);
                var from = rng.Between(0, Math.Max(0, instance.Periods - width));
                isFree = block => plan.Placement(block) is var (pool, start) && pool >= 0
                    ? start < from + width && start + instance.Periods(block) > from
                    : instance.EarliestStart(block) < from + width && instance.LatestStart(block) + instance.Periods(block) > from;
            }

            // Keep the sub-MIP small enough to solve within its slice: at most freeItems free, chosen at random.
            var chosen = instance.Blocks().Where(isFree)
                .Select(block => (Block: block, Key: rng.NextUInt64())).OrderBy(x => x.Key).Take(freeItems).Select(x => x.Block).ToHashSet();
            var slice = options.TimeLimit - clock.Elapsed < round ? options.TimeLimit - clock.Elapsed : round;
            var roundStarted = clock.Elapsed;
            var result = SolveMip(catalog.Neighbourhood(plan, chosen.Contains), options with { TimeLimit = clock.Elapsed + slice, Threads = 1, WatchdogGrace = TimeSpan.FromSeconds(1), TargetGap = 0 }, incumbent, clock, cancellation, waitOnStop: false);
            // Grow the neighbourhood while its sub-MIPs solve quickly, shrink it when one runs out of time.
            var took = clock.Elapsed - roundStarted;
            if (result.Status == EngineStatus.Optimal && took < slice / 4 && chosen.Count >= freeItems)
            {
                freeItems = Math.Min(MostFreeItems, freeItems * 5 / 4);
            }
            else if (result.Status != EngineStatus.Optimal)
            {
                freeItems = Math.Max(FewestFreeItems, freeItems * 3 / 4);
            }

            roundsSinceFind++;
            if (result.Assignment is { } found && PlanEvaluator.Evaluate(instance, found) is { IsFeasible: true } candidate && shared.Offer(candidate))
            {
                progress.Report(new Incumbent(candidate.Objective.Total, null, clock.Elapsed, $"{result.Name} neighbourhood"));
                (lastFind, roundsSinceFind) = (clock.Elapsed, 0);
            }
        }

        return false;
    }

    // Leases and jobs one neighbourhood frees at first, and the range it adapts within: sub-MIPs of 60 solve in
    // seconds on the seeds.
    private const int FirstFreeItems = 60;
    private const int FewestFreeItems = 20;
    private const int MostFreeItems = 400;

    /// <summary>
    /// Runs the MIP engine on its own thread and waits for it, or for a stop request (or the watchdog) plus a short
    /// grace. Measured with OR-Tools 9.15: the model builder's SCIP and HiGHS ignore InterruptSolve and run to their time
    /// limit, so a stopped solve is abandoned instead (its thread owns the model and finishes, or dies with the process)
    /// and the planner returns the best plan it holds; the SCIP race stops when asked and hands over its plan
    /// (<paramref name="onPlan"/> hears of each as its rounds end; <paramref name="lead"/>: its racer running on).
    /// </summary>
    private static EngineResult SolveMip(
        PlacementCatalog catalog, PlannerOptions options, PlanEvaluation? start, Stopwatch clock, CancellationToken cancellation,
        bool waitOnStop = true, Action<Assignment, double?>? onPlan = null, ScipRace.Lead? lead = null)
    {
        var name = MipEngineName(options);
        var remaining = options.TimeLimit - clock.Elapsed;
        if (cancellation.IsCancellationRequested || remaining <= TimeSpan.Zero)
        {
            // Stopped, or the limit already spent before the engine could start (a first plan that took it all, on a
            // large instance): the plans held are the answer.
            return new EngineResult(EngineStatus.Unknown, null, null, name);
        }

        using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var leadRemaining = lead is null ? (TimeSpan?)null : Positive(lead.Remaining - clock.Elapsed);
        watchdog.CancelAfter((leadRemaining ?? remaining) + options.WatchdogGrace);
        var solve = Task.Factory.StartNew(
            () => SolveMipOnThisThread(catalog, options, start, remaining, onPlan, lead is null ? null : lead with { Remaining = leadRemaining!.Value }, watchdog.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            solve.Wait(watchdog.Token);
            return solve.Result;
        }
        catch (OperationCanceledException)
        {
            // Give an engine that does honour the interrupt a moment to return what it has; a neighbourhood's sub-MIP
            // can only improve a plan already held, so a stopped one is not waited for.
            if (waitOnStop && solve.Wait(StopGrace, CancellationToken.None))
            {
                return solve.Result;
            }

            return new EngineResult(EngineStatus.Unknown, null, null, $"{name} (abandoned: it ignores stop requests)");
        }
    }

    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(1);

    /// <summary>Solves a catalog (a full model or a neighbourhood) with the chosen MIP engine; for tests.</summary>
    internal static (Assignment? Plan, bool Optimal) SolveCatalog(PlacementCatalog catalog, PlannerOptions options)
    {
        var result = SolveMip(catalog, options, null, Stopwatch.StartNew(), CancellationToken.None);
        return (result.Assignment, result.Status == EngineStatus.Optimal);
    }

    /// <summary>The chosen MIP engine's name, as reported.</summary>
    private static string MipEngineName(PlannerOptions options) => options.Solver == SolverKind.Scip ? "SCIP" : "HiGHS";

    private static EngineResult SolveMipOnThisThread(
        PlacementCatalog catalog, PlannerOptions options, PlanEvaluation? start, TimeSpan remaining, Action<Assignment, double?>? onPlan, ScipRace.Lead? lead, CancellationToken stop)
    {
        var name = MipEngineName(options);
        var model = new MipModel(catalog);
        if (model.Model.VariablesCount() == 0)
        {
            // Nothing can be placed or sold: the empty plan is the only candidate, and a plan only if nothing must be
            // placed. Answered here because the engines do not: HiGHS answers an empty model with no status and no
            // solution (measured, OR-Tools 9.15: UNKNOWN in 0.06 ms), and both engines call a model with no variables
            // solved even when a commitment's row (0 = 1) cannot hold.
            return catalog.HasCommitments
                ? new EngineResult(EngineStatus.Infeasible, null, null, name)
                : new EngineResult(EngineStatus.Optimal, model.Extract(_ => 0.0), 0.0, name);
        }

        if (options.Solver == SolverKind.Scip && options.Threads > 1 && start is null)
        {
            return ScipRace.Solve(model, options, remaining, onPlan, stop, lead);
        }

        // Measured with OR-Tools 9.15's model builder: SCIP takes the plan as its first incumbent and searches on from
        // it; HiGHS' hint path writes into vectors it never sized, so HiGHS is given none.
        if (start is not null && options.Solver == SolverKind.Scip)
        {
            model.Hint(start);
        }

        var solver = new ModelSolver(name.ToLowerInvariant());
        if (!solver.SolverIsSupported())
        {
            throw new InvalidOperationException($"OR-Tools has no {name} solver on this platform.");
        }

        solver.SetTimeLimitInSeconds(Math.Max(0.001, remaining.TotalSeconds));
        solver.SetSolverSpecificParameters(EngineParameters(options));

        // Asked to stop (or overrunning its limit): interrupt, for engines that listen; SolveMip stops waiting either way.
        SolveStatus status;
        using (new Interrupter(() => solver.InterruptSolve(), stop))
        {
            status = solver.Solve(model.Model);
        }

        var engineStatus = status switch
        {
            SolveStatus.OPTIMAL => EngineStatus.Optimal,
            SolveStatus.FEASIBLE => EngineStatus.Feasible,
            SolveStatus.INFEASIBLE => EngineStatus.Infeasible,
            // A silently ignored gap or seed would make "optimal" mean something else, so a refused option is an error.
            SolveStatus.INVALID_SOLVER_PARAMETERS => throw new InvalidOperationException(
                $"{name} rejected the planner's parameters ({EngineParameters(options).Replace('\n', ';')}); this OR-Tools build is not the one the planner was checked with."),
            SolveStatus.MODEL_INVALID => throw new InvalidOperationException($"{name} calls the model invalid. This is a bug in the model."),
            _ => EngineStatus.Unknown,
        };

        // HiGHS stops at the limit without handing back its incumbent (measured): no plan, no bound, Unknown.
        if (engineStatus is not (EngineStatus.Optimal or EngineStatus.Feasible) || !solver.HasSolution())
        {
            return new EngineResult(engineStatus == EngineStatus.Infeasible ? EngineStatus.Infeasible : EngineStatus.Unknown, null, null, name);
        }

        double? bound;
        if (options.Solver == SolverKind.Highs)
        {
            // Measured: OR-Tools' HiGHS bridge reports HiGHS' objective as its "best bound". What is known is that
            // HiGHS stopped at the relative gap it was given, so that is the bound claimed, and only when it says so.
            var value = solver.ObjectiveValue / MipModel.ObjectiveScale;
            bound = engineStatus == EngineStatus.Optimal ? value + options.EngineGap * Math.Abs(value) : null;
        }
        else
        {
            bound = solver.BestObjectiveBound / MipModel.ObjectiveScale;
        }

        if (bound is { } b && !double.IsFinite(b))
        {
            bound = null;
        }

        return new EngineResult(engineStatus, model.Extract(solver), bound, name);
    }

    /// <summary>
    /// SCIP's settings from the planner's, for every way the planner runs SCIP: the seed (shifted, so that racers search
    /// differently), the gap the engine stops at, and a node limit.
    /// </summary>
    internal static IEnumerable<string> ScipParameters(PlannerOptions options, int seedShift, long? nodeLimit)
    {
        yield return string.Create(CultureInfo.InvariantCulture, $"randomization/randomseedshift = {Math.Abs(options.Seed) + seedShift}");
        yield return string.Create(CultureInfo.InvariantCulture, $"limits/gap = {options.EngineGap:R}");

        // As for HiGHS below: the objective is in millions of USD, so SCIP's default dual feasibility tolerance of 1e-7
        // ignores 0.1 USD a unit. On seed 3199982222000851 of the random small instances it called a plan 18.06 USD
        // short of the enumerated optimum optimal, with its bound at that plan's value; at 1e-9 it proves the optimum.
        yield return "numerics/dualfeastol = 1e-9";
        if (nodeLimit is { } nodes)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"limits/totalnodes = {nodes}");
        }
    }

    /// <summary>
    /// The engine's own options: the planner's relative gap, seed and node limit, engine logs off. SCIP runs on one thread through
    /// the model builder (on more, <see cref="ScipRace"/> takes over); HiGHS gets the MIP's threads.
    /// </summary>
    private static string EngineParameters(PlannerOptions options) => options.Solver == SolverKind.Scip
        ? string.Join('\n', ScipParameters(options, 0, options.NodeLimit))
        : string.Join('\n',
            "output_flag = false",
            string.Create(CultureInfo.InvariantCulture, $"random_seed = {Math.Abs(options.Seed)}"),
            string.Create(CultureInfo.InvariantCulture, $"mip_rel_gap = {options.EngineGap:R}"),
            "mip_abs_gap = 0",
            // The objective is in millions of USD (MipModel.ObjectiveScale), so HiGHS' default reduced-cost tolerance of
            // 1e-7 ignores 0.1 USD a unit: on seed 1948746 of the corner instances it left 18.95 USD of spot unsold and
            // called that optimal. Its tightest tolerance takes that to 1e-4 USD a unit.
            "dual_feasibility_tolerance = 1e-10",
            // And it prunes a node unless it may beat the incumbent by its MIP feasibility tolerance (default 1e-6, here
            // 1 USD): on random small instances it called plans 0.77 and 0.86 USD short optimal (seeds 2809620136821868702
            // and 4773068199380080503). At 1e-7 a node is kept for 0.1 USD; tighter, HiGHS repairs the plans it maps back
            // from its presolved model more often, each repair a line on standard output (StandardOutput in the CLI).
            "mip_feasibility_tolerance = 1e-7",
            string.Create(CultureInfo.InvariantCulture, $"threads = {(options.Deterministic ? 1 : Math.Max(1, options.Threads))}"));
}

/// <summary>What an engine reports before the planner checks it.</summary>
internal enum EngineStatus
{
    Optimal,
    Feasible,
    Infeasible,
    Unknown,
}

/// <summary>An engine's raw answer: its plan (if any), its bound in USD, and its name.</summary>
internal sealed record EngineResult(EngineStatus Status, Assignment? Assignment, double? Bound, string Name);
