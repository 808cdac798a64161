using System.Diagnostics;
using Allocator.Core.Evaluation;
using LinearSolver = Google.OrTools.LinearSolver;

namespace Allocator.Solver;

/// <summary>
/// SCIP on several threads, each thread its own one-thread SCIP solve of <see cref="MipModel"/> with its own seed,
/// solved in rounds: each solve is stopped at the end of a round and resumed (SCIP keeps its search tree between calls of
/// the same solver when the model is unchanged), and between rounds the racers hand each other their best plan as a
/// hint. The first proof ends the race. Unlike SCIP's own concurrent solvers (<see cref="ConcurrentScip"/>), which
/// show nothing before they end and ignore stop requests, the race hands the planner SCIP's plan and bound after every
/// round and stops when asked (one-thread SCIP honours the interrupt), so a stop during the MIP's share writes SCIP's
/// plan rather than the start plan (benchmarks/RESULTS.md, "SCIP in rounds").
/// </summary>
internal sealed class ScipRace
{
    public const string Name = "SCIP";

    // The first round ends when the root node is done (a node limit of one): stopped inside the root's LP by a clock,
    // SCIP resumed from a pseudo solution and found its first good plan an order of magnitude later (measured on the
    // hard case). Later rounds are timed, from the shortest, growing by half each time up to the longest.
    private const long RootNodes = 1;
    private static readonly TimeSpan ShortestRound = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LongestRound = TimeSpan.FromSeconds(20);
    private const double RoundGrowth = 1.5;

    private readonly Lock _gate = new();
    private readonly MipModel _model;
    private readonly Action<Assignment, double?>? _onPlan;
    private double[]? _bestValues;
    private double _bestObjective = double.NegativeInfinity;
    private double _bound = double.PositiveInfinity;
    private EngineStatus _end = EngineStatus.Unknown;

    private readonly Lead? _lead;

    private ScipRace(MipModel model, Action<Assignment, double?>? onPlan, Lead? lead) => (_model, _onPlan, _lead) = (model, onPlan, lead);

    /// <summary>
    /// The first racer runs on past the others' share, to <paramref name="Remaining"/>, while their threads re-solve
    /// neighbourhoods; from the end of the share it takes the best plan held outside the race (<paramref name="Outside"/>,
    /// on the model's <paramref name="Score"/>) as a hint between rounds when that beats the race's own. (Not before:
    /// the start plan as SCIP's first plan left SCIP's plans worse, benchmarks/RESULTS.md.) The other racers keep their
    /// trees at the share's end and wait for a thread: <paramref name="ThreadBack"/> waits up to the time given for a
    /// re-solve worker to hand its thread back (its re-solves stopped finding better plans) and says whether one did;
    /// the racer then resumes its tree to the limit.
    /// </summary>
    public sealed record Lead(
        TimeSpan Remaining, Func<PlanEvaluation> Outside, Func<PlanEvaluation, double> Score, Func<TimeSpan, CancellationToken, bool> ThreadBack);

    /// <summary>
    /// Races <c>options.Threads</c> SCIP solves of <paramref name="model"/> within <paramref name="remaining"/> (the
    /// first to <paramref name="lead"/>'s time when given). <paramref name="onPlan"/> hears of each better plan as a
    /// round ends, with the best bound known then (USD).
    /// </summary>
    public static EngineResult Solve(
        MipModel model, PlannerOptions options, TimeSpan remaining, Action<Assignment, double?>? onPlan, CancellationToken stop, Lead? lead = null)
    {
        var race = new ScipRace(model, onPlan, lead);
        var clock = Stopwatch.StartNew();
        using var finished = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var racers = Enumerable.Range(0, Math.Max(1, options.Threads))
            .Select(i => Task.Factory.StartNew(
                () => race.Run(options, i, remaining, clock, finished),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        Task.WaitAll(racers, CancellationToken.None);
        return race.Result();
    }

    private EngineResult Result()
    {
        lock (_gate)
        {
            if (_end == EngineStatus.Infeasible)
            {
                return new EngineResult(EngineStatus.Infeasible, null, null, Name);
            }

            if (_bestValues is not { } values)
            {
                return new EngineResult(EngineStatus.Unknown, null, null, Name);
            }

            var bound = double.IsFinite(_bound) ? _bound / MipModel.ObjectiveScale : (double?)null;
            return new EngineResult(_end == EngineStatus.Optimal ? EngineStatus.Optimal : EngineStatus.Feasible, _model.Extract(v => values[v.Index]), bound, Name);
        }
    }

    /// <summary>
    /// One racer: its own solver, resumed round after round until a proof, the limit or a stop; past the share (with a
    /// lead), only the first racer and those given a thread back.
    /// </summary>
    private void Run(PlannerOptions options, int racer, TimeSpan share, Stopwatch clock, CancellationTokenSource finished)
    {
        using var solver = LinearSolver.Solver.CreateSolver("SCIP")
            ?? throw new InvalidOperationException("OR-Tools has no SCIP solver on this platform.");
        var variables = ConcurrentScip.Copy(_model, solver);
        solver.SetNumThreads(1);
        using var interrupt = finished.Token.Register(() => solver.InterruptSolve());
        TimeSpan? round = null;
        var solving = TimeSpan.Zero;
        double[]? hinted = null;
        PlanEvaluation? outsideGiven = null;
        var until = racer == 0 && _lead is not null ? _lead.Remaining : share;
        while (RoundLeft(until, clock, finished.Token) || ThreadGivenBack(racer, ref until, share, clock, finished.Token))
        {
            hinted = HintBest(solver, variables, hinted);
            if (_lead is not null && clock.Elapsed >= share)
            {
                outsideGiven = HintOutside(solver, variables, outsideGiven);
            }

            // The wrapper resets SCIP's parameters after each solve, so each round sets them again.
            var root = round is null;
            ConcurrentScip.SetParameters(solver, Parameters(options, racer, root ? Math.Min(RootNodes, options.NodeLimit ?? RootNodes) : options.NodeLimit));

            var slice = root ? until - clock.Elapsed : Min(round!.Value, until - clock.Elapsed);
            round = root ? ShortestRound : Min(round!.Value * RoundGrowth, LongestRound);

            // SCIP's time limit counts its own solving time over every call of this solver.
            var started = clock.Elapsed;
            solver.SetTimeLimit((long)Math.Max(1, (solving + slice).TotalMilliseconds));
            var status = solver.Solve();
            var took = clock.Elapsed - started;
            solving += took;
            if (!Record(solver, variables, status, finished))
            {
                return;
            }

            // A timed round that ends well before its time without a proof or a stop hit the planner's node limit:
            // resuming would return at once, round after round.
            if (!root && !finished.IsCancellationRequested && took < slice / 2)
            {
                return;
            }
        }
    }

    /// <summary>
    /// A racer other than the first, at the share's end, waits (to the limit at most) for a re-solve worker's thread; given
    /// one, it runs on to the limit.
    /// </summary>
    private bool ThreadGivenBack(int racer, ref TimeSpan until, TimeSpan share, Stopwatch clock, CancellationToken finished)
    {
        if (racer == 0 || _lead is null || until != share || finished.IsCancellationRequested)
        {
            return false;
        }

        var wait = _lead.Remaining - clock.Elapsed;
        if (wait <= TimeSpan.Zero || !_lead.ThreadBack(wait, finished))
        {
            return false;
        }

        until = _lead.Remaining;
        return RoundLeft(until, clock, finished);
    }

    /// <summary>Whether a racer goes on to another round: not stopped, and more than a moment left before <paramref name="until"/>.</summary>
    private static bool RoundLeft(TimeSpan until, Stopwatch clock, CancellationToken finished) =>
        !finished.IsCancellationRequested && until - clock.Elapsed > TimeSpan.FromMilliseconds(50);

    /// <summary>Hands the solver the race's best plan as a hint when it is new to this racer; returns what it was given.</summary>
    private double[]? HintBest(LinearSolver.Solver solver, LinearSolver.Variable[] variables, double[]? hinted)
    {
        lock (_gate)
        {
            if (_bestValues is null || ReferenceEquals(_bestValues, hinted))
            {
                return hinted;
            }

            solver.SetHint(variables, _bestValues);
            return _bestValues;
        }
    }

    /// <summary>
    /// Hands a racer running past the share the plan held outside the race when it is new to this racer and beats the
    /// race's own; returns the last one given.
    /// </summary>
    private PlanEvaluation? HintOutside(LinearSolver.Solver solver, LinearSolver.Variable[] variables, PlanEvaluation? given)
    {
        if (_lead is null || _lead.Outside() is not { } outside || ReferenceEquals(outside, given))
        {
            return given;
        }

        var objective = _lead.Score(outside) * MipModel.ObjectiveScale;
        lock (_gate)
        {
            if (objective <= _bestObjective)
            {
                return given;
            }
        }

        solver.SetHint(variables, _model.Values(outside));
        return outside;
    }

    /// <summary>Keeps a round's plan and bound; says whether the racer goes on.</summary>
    private bool Record(LinearSolver.Solver solver, LinearSolver.Variable[] variables, LinearSolver.Solver.ResultStatus status, CancellationTokenSource finished)
    {
        switch (status)
        {
            case LinearSolver.Solver.ResultStatus.OPTIMAL or LinearSolver.Solver.ResultStatus.FEASIBLE:
                var objective = solver.Objective().Value();
                var bound = solver.Objective().BestBound();
                double[]? better = null;
                double tightest;
                lock (_gate)
                {
                    if (objective > _bestObjective)
                    {
                        better = [.. variables.Select(v => v.SolutionValue())];
                        (_bestObjective, _bestValues) = (objective, better);
                    }

                    _bound = Math.Min(_bound, double.IsFinite(bound) ? bound : double.PositiveInfinity);
                    tightest = _bound;
                    if (status == LinearSolver.Solver.ResultStatus.OPTIMAL && _end != EngineStatus.Optimal)
                    {
                        _end = EngineStatus.Optimal;
                        finished.Cancel();
                    }
                }

                if (better is not null && _onPlan is { } onPlan)
                {
                    onPlan(_model.Extract(v => better[v.Index]), double.IsFinite(tightest) ? tightest / MipModel.ObjectiveScale : null);
                }

                return status == LinearSolver.Solver.ResultStatus.FEASIBLE;
            case LinearSolver.Solver.ResultStatus.INFEASIBLE:
                lock (_gate)
                {
                    _end = EngineStatus.Infeasible;
                }

                finished.Cancel();
                return false;
            case LinearSolver.Solver.ResultStatus.MODEL_INVALID:
                throw new InvalidOperationException("SCIP calls the model invalid. This is a bug in the model.");
            case LinearSolver.Solver.ResultStatus.NOT_SOLVED:
                // A round too short to find a plan: the next one goes on from where it stopped.
                return true;
            default:
                // ABNORMAL leaves the wrapper's solver unusable; the other racers go on.
                return false;
        }
    }

    /// <summary>
    /// The planner's seed (shifted by the racer, so that racers search differently), gap and a node limit, and the
    /// settings that make resuming with a hint work.
    /// </summary>
    private static IEnumerable<string> Parameters(PlannerOptions options, int racer, long? nodeLimit) =>
        ExactPlanner.ScipParameters(options, racer, nodeLimit).Concat(ResumeSettings);

    /// <summary>
    /// The two settings that make resuming with a hint work (both measured with OR-Tools 9.15: see the lines; on their
    /// own they leave one-thread proof times within SCIP's seed-to-seed spread, benchmarks/RESULTS.md).
    /// </summary>
    internal static readonly string[] ResumeSettings =
    [
        // Resumed with this propagator on, SCIP fails inside it ("No memory" in prop_genvbounds).
        "propagating/genvbounds/freq = -1",
        // A hint given mid-solve is set on the original variables, which SCIP refuses for a multi-aggregated one.
        "presolving/donotmultaggr = TRUE",
    ];

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
