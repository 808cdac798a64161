using System.Diagnostics;
using Allocator.Core.Evaluation;
using Allocator.Core.Randomness;
using Allocator.Core.Scenarios;
using Allocator.Kernels;

namespace Allocator.Search;

/// <summary>A starting plan for the search, with a name the report uses ("exact", "exact, 5% buffer", "previous").</summary>
public sealed record SeedPlan(string Name, Assignment Assignment)
{
    /// <summary>
    /// The usual seeds: the exact plan first (the reference the result never falls below), then the previous plan
    /// under <paramref name="previousName"/> when there is one and it is still feasible for this instance.
    /// </summary>
    public static IReadOnlyList<SeedPlan> ExactAndPrevious(CompiledInstance instance, Assignment exact, Assignment? previous, string previousName)
    {
        var seeds = new List<SeedPlan> { new("exact", exact) };
        if (previous is not null && PlanEvaluator.Evaluate(instance, previous).IsFeasible)
        {
            seeds.Add(new SeedPlan(previousName, previous));
        }

        return seeds;
    }
}

/// <summary>A plan with how it scored on the search's scenarios.</summary>
public sealed record ScoredPlan(string Name, Assignment Assignment, RiskSummary Risk, Fitness Fitness);

/// <summary>Why a search stopped.</summary>
public enum StopReason
{
    /// <summary>The wall-clock limit was reached.</summary>
    TimeLimit,

    /// <summary>The evaluation budget was spent.</summary>
    Budget,

    /// <summary>Cancelled (Ctrl-C, SIGTERM, a service stopping).</summary>
    Cancelled,

    /// <summary>Several steps in a row proposed no plan that had not been scored already: the neighbourhood is used up.</summary>
    Exhausted,
}

/// <summary>The search's progress after one step.</summary>
public sealed record SearchProgress(int Step, long Evaluations, TimeSpan Elapsed, ScoredPlan Best, double FractionDone);

/// <summary>What a robust search returns: the best plan, the seeds as they scored, and what the search did.</summary>
public sealed record SearchResult(
    ScoredPlan Best,
    IReadOnlyList<ScoredPlan> Seeds,
    int Steps,
    long Evaluations,
    TimeSpan Elapsed,
    TimeSpan ScoringTime,
    StopReason Stopped,
    string Device,
    IReadOnlyDictionary<MoveKind, int> ImprovingMoves)
{
    /// <summary>Candidate plans scored per second of the whole search (move generation included).</summary>
    public double CandidatesPerSecond => Elapsed > TimeSpan.Zero ? Evaluations / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// The robust search: a population of plans, each step copying parents, applying a few random planner moves to each
/// copy (every move keeps the plan nominally feasible), scoring the whole batch in one call of the bulk scorer against
/// the same scenarios, and keeping the best distinct plans. The first seed (the exact plan) is scored first and only a
/// strictly better plan replaces it, so the result is never worse than the exact plan on these scenarios.
/// </summary>
public static class RobustSearch
{
    // Steps in a row without a single new candidate before the neighbourhood counts as used up.
    private const int ExhaustedAfterSteps = 3;

    /// <summary>Runs the search from <paramref name="seeds"/> (the first is the reference, usually the exact plan).</summary>
    public static SearchResult Run(
        CompiledInstance instance,
        IPlanScorer scorer,
        IReadOnlyList<SeedPlan> seeds,
        SearchOptions options,
        IProgress<SearchProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (seeds.Count == 0)
        {
            throw new ArgumentException("The search needs at least one seed plan (the exact plan).", nameof(seeds));
        }

        foreach (var seed in seeds)
        {
            if (PlanEvaluator.Evaluate(instance, seed.Assignment) is { IsFeasible: false } evaluation)
            {
                throw new ArgumentException($"Seed plan '{seed.Name}' is not feasible: {string.Join("; ", evaluation.Violations.Take(3))}.", nameof(seeds));
            }
        }

        var clock = Stopwatch.StartNew();
        var scoringTime = TimeSpan.Zero;
        var seen = new HashSet<(ulong, ulong)>();

        // Seeds: as given, plus the first with capacity buffers.
        var seedDrafts = seeds.Select(seed => (seed.Name, Draft: DraftPlan.Of(instance, seed.Assignment))).ToList();
        var reference = seedDrafts[0].Draft;
        foreach (var share in options.BufferShares)
        {
            seedDrafts.Add(($"{seeds[0].Name}, {share:P0} buffer", CapacityBuffer.Apply(reference, share)));
        }

        var population = new List<Member>();
        var seedScores = new List<ScoredPlan>();
        {
            var distinct = seedDrafts.Select(s => (s.Name, s.Draft, Assignment: s.Draft.ToAssignment()))
                .Where(s => seen.Add(Key(s.Assignment))).ToList();
            var report = scorer.Summarize(instance, [.. distinct.Select(s => s.Assignment)], options.Seed, options.Scenarios, options.Risk.Alpha);
            scoringTime += report.ScoringTime;
            for (var i = 0; i < distinct.Count; i++)
            {
                var scored = new ScoredPlan(distinct[i].Name, distinct[i].Assignment, report.Plans[i], options.Risk.FitnessOf(report.Plans[i]));
                seedScores.Add(scored);
                population.Add(new Member(scored, distinct[i].Draft, population.Count));
            }
        }

        // Only a strictly better plan replaces the reference: the result is never worse than the exact plan here.
        var best = seedScores[0];
        foreach (var s in seedScores.Skip(1))
        {
            best = s.Fitness.Beats(best.Fitness) ? s : best;
        }

        population = Rank(population, options.PopulationSize);
        var improving = Enum.GetValues<MoveKind>().ToDictionary(k => k, _ => 0);
        long evaluations = 0;
        var step = 0;
        var idleSteps = 0;
        var serial = population.Count;
        StopReason stopped;
        var lastStep = TimeSpan.Zero;
        Task<Batch>? ahead = null;
        while (true)
        {
            if (cancellation.IsCancellationRequested)
            {
                stopped = StopReason.Cancelled;
                break;
            }

            var remainingBudget = options.EvaluationBudget is { } budget ? budget - evaluations : long.MaxValue;
            if (remainingBudget <= 0)
            {
                stopped = StopReason.Budget;
                break;
            }

            var remainingTime = options.TimeLimit is { } limit ? limit - clock.Elapsed : TimeSpan.MaxValue;
            if (remainingTime <= TimeSpan.Zero)
            {
                stopped = StopReason.TimeLimit;
                break;
            }

            if (idleSteps >= ExhaustedAfterSteps)
            {
                stopped = StopReason.Exhausted;
                break;
            }

            var batch = (int)Math.Min(options.BatchSize, remainingBudget);
            // The last step of a timed run is shortened to end near the limit (timed runs are not reproducible anyway).
            if (options.TimeLimit is not null && lastStep > remainingTime && lastStep > TimeSpan.Zero)
            {
                batch = Math.Max(1, (int)(batch * (remainingTime / lastStep)));
            }

            var stepClock = Stopwatch.StartNew();
            // This step's batch (proposals, those not seen before, laid out for the scorer) was made while the previous
            // step scored, or is made now on the first step; the next step's is made from the same parents while this
            // one scores, so the host's work overlaps the scorer's. Proposals depend only on (seed, step, parents), the
            // parents lag by one step on every backend and at every speed, and only the batch being made touches `seen`,
            // so the search stays reproducible. The batch size follows the evaluation budget; a step shortened to end
            // near the time limit scores a prefix of its batch (the rest counts as seen: the run is ending anyway).
            var parents = population.ToArray();
            var current = ahead?.GetAwaiter().GetResult() ?? MakeBatch(scorer, instance, parents, options, step, batch, seen);
            if (current.Fresh.Count > batch)
            {
                current = Batch.Of(scorer, instance, [.. current.Fresh.Take(batch)]);
            }

            var nextStep = step + 1;
            var nextBatch = (int)Math.Min(options.BatchSize, remainingBudget - current.Fresh.Count);
            ahead = nextBatch > 0 ? Task.Run(() => MakeBatch(scorer, instance, parents, options, nextStep, nextBatch, seen), CancellationToken.None) : null;
            var fresh = current.Fresh;

            step++;
            if (fresh.Count == 0)
            {
                idleSteps++;
                continue;
            }

            idleSteps = 0;
            var report = scorer.Summarize(current.Prepared, options.Seed, options.Scenarios, options.Risk.Alpha);
            scoringTime += report.ScoringTime;
            evaluations += fresh.Count;
            for (var i = 0; i < fresh.Count; i++)
            {
                var proposal = fresh[i];
                var scored = new ScoredPlan($"step {step}", proposal.Assignment, report.Plans[i], options.Risk.FitnessOf(report.Plans[i]));
                population.Add(new Member(scored, proposal.Draft, serial++));
                if (scored.Fitness.Beats(proposal.ParentFitness))
                {
                    foreach (var kind in proposal.Moves)
                    {
                        improving[kind]++;
                    }
                }

                if (scored.Fitness.Beats(best.Fitness))
                {
                    best = scored;
                }
            }

            population = Rank(population, options.PopulationSize);
            lastStep = stepClock.Elapsed;
            progress?.Report(new SearchProgress(step, evaluations, clock.Elapsed, best, FractionDone(options, evaluations, clock.Elapsed)));
        }

        // Proposals made ahead for a step that will not run are finished, not left working after the search returns.
        ahead?.Wait(CancellationToken.None);

        // Moves keep plans feasible by construction; this is the check that they did.
        if (PlanEvaluator.Evaluate(instance, best.Assignment) is { IsFeasible: false } check)
        {
            throw new InvalidOperationException($"The search produced an infeasible plan: {string.Join("; ", check.Violations.Take(3))}. This is a bug in a move.");
        }

        return new SearchResult(best, seedScores, step, evaluations, clock.Elapsed, scoringTime, stopped, scorer.Description, improving);
    }

    /// <summary>
    /// The first <paramref name="count"/> proposals of <paramref name="step"/> that were never scored before (recorded in
    /// <paramref name="seen"/>, in proposal order), laid out for the scorer.
    /// </summary>
    private static Batch MakeBatch(IPlanScorer scorer, CompiledInstance instance, Member[] parents, SearchOptions options, int step, int count, HashSet<(ulong, ulong)> seen) =>
        Batch.Of(scorer, instance, [.. Propose(parents, options, step, count).Where(p => seen.Add(p.Key))]);

    /// <summary>
    /// Proposes <paramref name="count"/> candidates. Candidate i of step s draws from its own generator keyed by (seed,
    /// step, i), so proposals do not depend on threads or timing, only on the parents, which the scores decide; and a
    /// shorter batch is a prefix of a longer one.
    /// </summary>
    private static Proposal[] Propose(Member[] population, SearchOptions options, int step, int count)
    {
        var proposals = new Proposal[count];
        var streamBase = SplitMix64.Mix(options.Seed ^ 0x5EA2C4_0000_0000UL) ^ SplitMix64.Mix((ulong)step);
        Parallel.For(0, count, i =>
        {
            var rng = new SplitMix64(SplitMix64.Mix(streamBase + (ulong)i));
            // Binary tournament on rank: the better of two random members is the parent.
            var parent = population[Math.Min(rng.Between(0, population.Length - 1), rng.Between(0, population.Length - 1))];
            var draft = parent.Draft.Copy();
            var moves = new List<MoveKind>();
            var wanted = rng.Between(1, options.MaxMovesPerCandidate);
            for (var m = 0; m < wanted; m++)
            {
                if (Moves.ApplyRandom(draft, ref rng) is { } kind)
                {
                    moves.Add(kind);
                }
            }

            var assignment = draft.ToAssignment();
            proposals[i] = new Proposal(assignment, draft, parent.Plan.Fitness, moves, Key(assignment));
        });
        return proposals;
    }

    /// <summary>Best first; ties keep the older member (then the earlier proposal), so ranking never depends on timing.</summary>
    private static List<Member> Rank(List<Member> members, int keep) =>
        [.. members.OrderByDescending(m => m.Plan.Fitness).ThenBy(m => m.Serial).Take(keep)];

    private static double FractionDone(SearchOptions options, long evaluations, TimeSpan elapsed)
    {
        var byBudget = options.EvaluationBudget is { } b && b > 0 ? (double)evaluations / b : 0;
        var byTime = options.TimeLimit is { } t ? elapsed / t : 0;
        return Math.Clamp(Math.Max(byBudget, byTime), 0, 1);
    }

    /// <summary>A 128-bit fingerprint of a plan (two independent hashes), so the search never scores a plan twice.</summary>
    private static (ulong, ulong) Key(Assignment a)
    {
        ulong h1 = 0x243F6A8885A308D3UL, h2 = 0x13198A2E03707344UL;
        void Add(int value)
        {
            h1 = SplitMix64.Mix(h1 ^ (uint)value) + 0x9E3779B97F4A7C15UL;
            h2 = SplitMix64.Mix(h2 + (uint)value * 0xD6E8FEB86659FD93UL) ^ 0xA0761D6478BD642FUL;
        }

        for (var l = 0; l < a.LeasePool.Length; l++)
        {
            Add(a.LeasePool[l]);
            Add(a.LeasePool[l] >= 0 ? a.LeaseStart[l] : -1);
        }

        for (var j = 0; j < a.JobPool.Length; j++)
        {
            Add(a.JobPool[j]);
            Add(a.JobPool[j] >= 0 ? a.JobStart[j] : -1);
        }

        return (h1, h2);
    }

    private sealed record Member(ScoredPlan Plan, DraftPlan Draft, long Serial);

    /// <summary>A step's fresh proposals and the same plans laid out for the scorer.</summary>
    private sealed record Batch(List<Proposal> Fresh, PreparedPlans Prepared)
    {
        public static Batch Of(IPlanScorer scorer, CompiledInstance instance, List<Proposal> fresh) =>
            new(fresh, scorer.Prepare(instance, [.. fresh.Select(f => f.Assignment)]));
    }

    private sealed record Proposal(Assignment Assignment, DraftPlan Draft, Fitness ParentFitness, List<MoveKind> Moves, (ulong, ulong) Key);
}
