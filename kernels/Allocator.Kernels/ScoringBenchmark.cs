using System.Diagnostics;
using Allocator.Core.Evaluation;
using Allocator.Core.Planning;
using Allocator.Core.Randomness;
using Allocator.Core.Scenarios;

namespace Allocator.Kernels;

/// <summary>What one scorer did on the benchmark: its speed, with and without summaries, and its agreement with the reference.</summary>
public sealed record ScorerSpeed(
    string Device,
    int Plans,
    int Scenarios,
    double ScoringSeconds,
    double SummarySeconds,
    int CheckedPairs,
    double WorstDifference)
{
    /// <summary>The precision it computed in.</summary>
    public ScoringPrecision Precision { get; init; }

    /// <summary>Where the kernel kept each pair's state (<see cref="BulkScorer.StatePlacement"/>); null without a kernel.</summary>
    public string? StatePlacement { get; init; }

    /// <summary>
    /// For a mixed-precision row: the largest difference from the double path on the same device over every pair
    /// scored, relative to the pair's gross; null for double rows.
    /// </summary>
    public double? WorstAgainstDouble { get; init; }

    /// <summary>The operations a pair does, counted by running it (<see cref="PairTraffic.Touched"/>).</summary>
    public PairWork? Work { get; init; }

    /// <summary>The device's probed floating-point rates (null for the reference scorer).</summary>
    public ArithmeticPeak? Peak { get; init; }

    /// <summary>The arithmetic bound: pairs per second if the device did nothing but the counted operations at its peak.</summary>
    public double? ArithmeticBoundPairsPerSecond => Work is { } w && Peak is { } peak ? w.ArithmeticBound(peak, Precision) : null;

    /// <summary>The share of <see cref="ArithmeticBoundPairsPerSecond"/> reached.</summary>
    public double? ShareOfArithmeticBound => PairsPerSecond / ArithmeticBoundPairsPerSecond;

    /// <summary>The agreement asked of this precision: 1e-9 relative for double, <see cref="ScoringArithmetic.MixedRelativeBound"/> for mixed.</summary>
    public double Tolerance => Precision == ScoringPrecision.Mixed ? ScoringArithmetic.MixedRelativeBound : 1e-9;

    /// <summary>The device's probed memory bandwidth, GB/s (null for the reference scorer).</summary>
    public double? BandwidthGBps { get; init; }

    /// <summary>Bytes each pair must move whatever the caches do, at this batch's size (<see cref="PairTraffic.Compulsory"/>).</summary>
    public double? CompulsoryBytesPerPair { get; init; }

    /// <summary>Bytes each pair's code reads and writes, counted by running it (<see cref="PairTraffic.Touched"/>): its traffic with no cache.</summary>
    public double? TouchedBytesPerPair { get; init; }

    /// <summary>The memory bound: pairs per second at the probed bandwidth if only compulsory bytes moved.</summary>
    public double? MemoryBoundPairsPerSecond => BandwidthGBps * 1e9 / CompulsoryBytesPerPair;

    /// <summary>The share of <see cref="MemoryBoundPairsPerSecond"/> reached.</summary>
    public double? ShareOfMemoryBound => PairsPerSecond / MemoryBoundPairsPerSecond;

    /// <summary>Pairs (plan x scenario) scored per second, every outcome brought back.</summary>
    public double PairsPerSecond => (double)Plans * Scenarios / ScoringSeconds;

    /// <summary>Pairs per second when only each plan's risk summary comes back.</summary>
    public double SummaryPairsPerSecond => (double)Plans * Scenarios / SummarySeconds;

    /// <summary>Whether every checked pair matches the reference scorer, and a mixed row the double path, within <see cref="Tolerance"/>.</summary>
    public bool Agrees => WorstDifference <= Tolerance && (WorstAgainstDouble ?? 0) <= Tolerance;
}

/// <summary>
/// The scoring benchmark a user runs on their own machine (<c>allocator bench</c>): candidate plans (the greedy plan
/// and perturbations of it: offers moved or dropped), scored by a scorer at a given size, best of three timed runs
/// after a warm-up, and a sample of its pairs checked against the plain reference scorer.
/// </summary>
public static class ScoringBenchmark
{
    /// <summary>How many timed runs each figure is the best of.</summary>
    public const int Runs = 3;

    /// <summary>The greedy plan and <paramref name="count"/> - 1 perturbations of it (seeded: the same plans every time).</summary>
    public static List<Assignment> Candidates(CompiledInstance instance, int count)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var greedy = GreedyPlanner.Plan(instance) ?? Assignment.Empty(instance);
        var list = new List<Assignment> { greedy };
        var rng = new SplitMix64(2026);
        while (list.Count < count)
        {
            var leasePool = greedy.LeasePool.ToArray();
            var leaseStart = greedy.LeaseStart.ToArray();
            for (var l = 0; l < instance.LeaseCount; l++)
            {
                if (rng.Chance(0.1))
                {
                    leasePool[l] = rng.Chance(0.5) || instance.LeaseSigned[l] ? instance.LeasePools[l][rng.Between(0, instance.LeasePools[l].Length - 1)] : -1;
                    leaseStart[l] = rng.Between(instance.LeaseEarliestStart[l], instance.LeaseLatestStart[l]);
                }
            }

            list.Add(greedy with { LeasePool = [.. leasePool], LeaseStart = [.. leaseStart] });
        }

        return list;
    }

    /// <summary>
    /// Times <paramref name="scorer"/> on <paramref name="plans"/> x <paramref name="scenarios"/>, checks a sample of its
    /// pairs against the reference and, given the double path's scores of the same batch, every pair against those.
    /// Returns the figures and the scores of its best run. A <paramref name="stop"/> ends it between two calls of the
    /// scorer (<see cref="OperationCanceledException"/>): a half-measured device has no figures.
    /// </summary>
    public static (ScorerSpeed Speed, ScoreMatrix Scores) Measure(
        BulkScorer scorer, CompiledInstance instance, IReadOnlyList<Assignment> plans, int scenarios, ScoreMatrix? doublePath = null, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(plans);
        T Unless<T>(Func<T> call)
        {
            stop.ThrowIfCancellationRequested();
            return call();
        }

        Unless(() => scorer.Score(instance, plans, 1, scenarios)); // warm-up: compilation, first launch, buffers
        var runs = Enumerable.Range(0, Runs).Select(_ => Unless(() => scorer.Score(instance, plans, 1, scenarios))).ToList();
        var best = runs.MinBy(m => m.ScoringTime)!;
        Unless(() => scorer.Summarize(instance, plans, 1, scenarios, 0.05));
        var summary = Enumerable.Range(0, Runs).Min(_ => Unless(() => scorer.Summarize(instance, plans, 1, scenarios, 0.05)).ScoringTime);
        var (checkedPairs, worst) = Unless(() => Agreement(instance, plans, best, scorer.Precision));
        var sample = plans.Take(4).ToList();
        var work = PairTraffic.Touched(instance, sample, Math.Min(scenarios, 64));
        var speed = new ScorerSpeed(scorer.Description, plans.Count, scenarios, best.ScoringTime.TotalSeconds, summary.TotalSeconds, checkedPairs, worst)
        {
            Precision = scorer.Precision,
            StatePlacement = scorer.StatePlacement(instance),
            WorstAgainstDouble = doublePath is null || scorer.Precision == ScoringPrecision.Double ? null : WorstRelativeToGross(doublePath, best),
            BandwidthGBps = scorer.MemoryBandwidthGBps(),
            CompulsoryBytesPerPair = PairTraffic.Compulsory(instance, plans, scenarios),
            TouchedBytesPerPair = work.BytesPerPair,
            Work = work,
            Peak = scorer.ArithmeticPeak(),
        };
        return (speed, best);
    }

    /// <summary>The largest difference between two score matrices of the same batch, pair by pair, relative to the first's gross.</summary>
    public static double WorstRelativeToGross(ScoreMatrix expected, ScoreMatrix actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var worst = 0.0;
        for (var n = 0; n < expected.Plans; n++)
        {
            for (var k = 0; k < expected.Scenarios; k++)
            {
                worst = Math.Max(worst, RelativeToGross(expected[n, k], actual[n, k]));
            }
        }

        return worst;
    }

    // Every part's difference over the pair's gross: the scale float32 rounding of each part is bounded against.
    private static double RelativeToGross(ScenarioOutcome e, ScenarioOutcome a)
    {
        var gross = Math.Max(1, e.LeaseRevenue + e.Penalty + e.JobValue + e.SpotRevenue + e.PowerCost);
        var worst = Math.Max(Math.Abs(e.LeaseRevenue - a.LeaseRevenue), Math.Abs(e.Penalty - a.Penalty));
        worst = Math.Max(worst, Math.Max(Math.Abs(e.JobValue - a.JobValue), Math.Abs(e.SpotRevenue - a.SpotRevenue)));
        worst = Math.Max(worst, Math.Max(Math.Abs(e.PowerCost - a.PowerCost), Math.Abs(e.Total - a.Total)));
        return worst / gross;
    }

    /// <summary>The plain reference scorer on one thread, pair by pair, best of <see cref="Runs"/>; a <paramref name="stop"/> ends it between plans.</summary>
    public static ScorerSpeed MeasureReference(CompiledInstance instance, IReadOnlyList<Assignment> plans, int scenarios, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(plans);
        double Once()
        {
            var clock = Stopwatch.StartNew();
            foreach (var plan in plans)
            {
                stop.ThrowIfCancellationRequested();
                for (var k = 0; k < scenarios; k++)
                {
                    ReferenceScorer.Score(instance, plan, 1, k);
                }
            }

            return clock.Elapsed.TotalSeconds;
        }

        Once();
        var seconds = Enumerable.Range(0, Runs).Min(_ => Once());
        return new ScorerSpeed("reference (plain C#, 1 thread)", plans.Count, scenarios, seconds, seconds, 0, 0);
    }

    /// <summary>
    /// A spread of up to 16 x 16 pairs against the reference scorer: how many, and the largest relative difference
    /// (mixed precision: every part relative to the pair's gross, the scale its bound is stated on).
    /// </summary>
    public static (int Pairs, double Worst) Agreement(CompiledInstance instance, IReadOnlyList<Assignment> plans, ScoreMatrix matrix, ScoringPrecision precision = ScoringPrecision.Double)
    {
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(matrix);
        var worst = 0.0;
        var pairs = 0;
        for (var n = 0; n < plans.Count; n += Math.Max(1, plans.Count / 16))
        {
            for (var k = 0; k < matrix.Scenarios; k += Math.Max(1, matrix.Scenarios / 16))
            {
                var expected = ReferenceScorer.Score(instance, plans[n], 1, k);
                var actual = matrix[n, k];
                pairs++;
                if (precision == ScoringPrecision.Mixed)
                {
                    worst = Math.Max(worst, RelativeToGross(expected, actual));
                    continue;
                }

                var scale = Math.Max(1, Math.Abs(expected.LeaseRevenue) + Math.Abs(expected.JobValue) + Math.Abs(expected.SpotRevenue));
                worst = Math.Max(worst, Math.Abs(expected.Total - actual.Total) / scale);
                worst = Math.Max(worst, Math.Abs(expected.Penalty - actual.Penalty) / scale);
                worst = Math.Max(worst, Math.Abs(expected.ShortGpuHours - actual.ShortGpuHours) / Math.Max(1, expected.ShortGpuHours));
            }
        }

        return (pairs, worst);
    }
}
