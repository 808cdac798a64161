using System.Diagnostics;
using System.Globalization;
using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Planning;
using Allocator.Core.Randomness;
using Allocator.Core.Scenarios;
using Allocator.Kernels;

namespace Allocator.GpuProbe;

/// <summary>
/// Pairs per second of each scorer on the generated 6 x 120 x 20 x 26 instance (with uncertainty): the GPU at full
/// size, the CPU paths on a slice (same pairs per plan), and a check of the GPU's pairs against the reference scorer.
/// Usage: score [--plans N] [--scenarios N] [--cpu-plans N] [--cpu-scenarios N] [--reference-pairs N] [--emulator-pairs N] [--devices auto,cpu,...]
/// </summary>
internal static class ScoringBenchmark
{
    public static int Run(string[] args)
    {
        int Option(string name, int fallback) =>
            Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

        var plans = Option("--plans", 4096);
        var scenarios = Option("--scenarios", 4096);
        var cpuPlans = Option("--cpu-plans", 256);
        var cpuScenarios = Option("--cpu-scenarios", 256);
        var referencePairs = Option("--reference-pairs", 2000);
        var emulatorPlans = Option("--emulator-plans", 8);
        var devices = Array.IndexOf(args, "--devices") is var d and >= 0 ? args[d + 1].Split(',') : ["cuda", "cpu", "ilgpu-cpu", "reference"];

        var instance = new CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(6, 120, 20, 26, 1, Uncertainty: true)));
        var candidates = Candidates(instance, plans);
        Console.WriteLine($"instance 6 pools x 120 leases x 20 jobs x 26 periods (seed 1, uncertainty on); {plans} plans x {scenarios} scenarios on the GPU");
        Console.WriteLine("| scorer | pairs | seconds | pairs/s |");
        Console.WriteLine("|---|---:|---:|---:|");
        var rates = new Dictionary<string, double>();
        foreach (var device in devices)
        {
            if (device == "reference")
            {
                // Warm up first (JIT, caches), then time: best of three runs of the same pairs.
                ReferenceRun(instance, candidates, Math.Min(500, referencePairs));
                var best = Enumerable.Range(0, 3).Min(_ => ReferenceRun(instance, candidates, referencePairs));
                Report("reference (1 thread)", referencePairs, best, rates);
                continue;
            }

            var kind = Enum.Parse<ScoringDevice>(device.Replace("-", "", StringComparison.Ordinal), ignoreCase: true);
            using var scorer = BulkScorer.Create(kind, w => Console.WriteLine($"warning: {w}"));
            var gpu = !scorer.Description.StartsWith("cpu", StringComparison.Ordinal) && !scorer.Description.StartsWith("ilgpu-cpu", StringComparison.Ordinal);
            var (n0, s0) = gpu ? (plans, scenarios) : kind == ScoringDevice.IlgpuCpu ? (emulatorPlans, 64) : (cpuPlans, cpuScenarios);
            var batch = candidates.Take(n0).ToList();
            scorer.Score(instance, batch, 1, s0); // warm-up at full size: first launch, JIT, caches
            var bestTime = double.MaxValue;
            ScoreMatrix? matrix = null;
            for (var rep = 0; rep < 3; rep++)
            {
                matrix = scorer.Score(instance, batch, 1, s0);
                bestTime = Math.Min(bestTime, matrix.ScoringTime.TotalSeconds);
            }

            Report(scorer.Description, (long)n0 * s0, bestTime, rates);
            if (gpu)
            {
                Agreement(instance, batch, matrix!);

                // Risk summaries on the device: scoring plus one summary kernel, a dozen numbers per plan back.
                scorer.Summarize(instance, batch, 1, s0, 0.05);
                var summarized = Enumerable.Range(0, 3).Select(_ => scorer.Summarize(instance, batch, 1, s0, 0.05)).MinBy(r => r.ScoringTime)!;
                var host = RiskSummary.Of(matrix!.ForPlan(0), 0.05);
                var device0 = summarized.Plans[0];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {scorer.Description}, scoring + summaries on the device | {(long)n0 * s0:N0} | {summarized.ScoringTime.TotalSeconds:0.000} | {(long)n0 * s0 / summarized.ScoringTime.TotalSeconds:N0} |"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"device summary of plan 0 vs host: mean {Math.Abs(device0.Mean - host.Mean) / host.Mean:E2}, CVaR {Math.Abs(device0.CVaR - host.CVaR) / Math.Abs(host.CVaR):E2} relative"));
                var clock = Stopwatch.StartNew();
                var all = Enumerable.Range(0, matrix.Plans).Select(n => RiskSummary.Of(matrix.ForPlan(n), 0.05)).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"host summaries of all {all.Count} plans from the downloaded matrix: {clock.Elapsed.TotalSeconds:0.000} s"));
                double Worst(Func<RiskSummary, double> field) =>
                    all.Select((h, n) => Math.Abs(field(summarized.Plans[n]) - field(h)) / Math.Max(1, Math.Abs(field(h)))).Max();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"device summaries vs host, all plans, largest relative difference: mean {Worst(r => r.Mean):E2}, sd {Worst(r => r.StandardDeviation):E2}, CVaR {Worst(r => r.CVaR):E2}, P(short) {Worst(r => r.ProbabilityAnyLeaseShort):E2}, "
                    + $"short GPU-hours {Worst(r => r.ExpectedShortGpuHours):E2}, penalty {Worst(r => r.MeanPenalty):E2}, job value {Worst(r => r.MeanJobValue):E2}, spot {Worst(r => r.MeanSpotRevenue):E2}, power {Worst(r => r.MeanPowerCost):E2}"));
                if (all.Select((h, n) => (h, n)).FirstOrDefault(x => x.h.ProbabilityAnyLeaseShort != summarized.Plans[x.n].ProbabilityAnyLeaseShort) is ({ } differs, var which))
                {
                    Console.WriteLine($"first plan whose P(short) differs: {which}: host {differs}; device {summarized.Plans[which]}");
                }
            }
        }

        foreach (var (a, b) in new[] { ("cpu", "ilgpu-cpu"), ("cpu", "reference"), ("cuda", "cpu") })
        {
            var x = rates.FirstOrDefault(r => r.Key.StartsWith(a, StringComparison.Ordinal)).Value;
            var y = rates.FirstOrDefault(r => r.Key.StartsWith(b, StringComparison.Ordinal)).Value;
            if (x > 0 && y > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{a} / {b}: {x / y:0.0}x"));
            }
        }

        return 0;
    }

    private static double ReferenceRun(CompiledInstance instance, List<Assignment> candidates, int pairs)
    {
        var clock = Stopwatch.StartNew();
        var done = 0;
        for (var n = 0; done < pairs; n++)
        {
            for (var k = 0; k < 100 && done < pairs; k++, done++)
            {
                ReferenceScorer.Score(instance, candidates[n % candidates.Count], 1, k);
            }
        }

        return clock.Elapsed.TotalSeconds;
    }

    private static void Report(string name, long pairs, double seconds, Dictionary<string, double> rates)
    {
        rates[name] = pairs / seconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {pairs:N0} | {seconds:0.000} | {pairs / seconds:N0} |"));
    }

    /// <summary>The GPU's pairs against the reference scorer, on a spread of plans and scenarios.</summary>
    private static void Agreement(CompiledInstance instance, List<Assignment> plans, ScoreMatrix matrix)
    {
        var (checkedPairs, worst) = Kernels.ScoringBenchmark.Agreement(instance, plans, matrix);
        Console.WriteLine($"agreement with the reference scorer on {checkedPairs} pairs: max relative difference {worst:E2} ({(worst <= 1e-9 ? "OK" : "MISMATCH")})");
        var summary = RiskSummary.Of(matrix.ForPlan(0), 0.05);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"plan 0 (greedy): mean {summary.Mean:N0}, stdev {summary.StandardDeviation:N0}, CVaR5% {summary.CVaR:N0}, P(short) {summary.ProbabilityAnyLeaseShort:P1}"));
    }

    private static List<Assignment> Candidates(CompiledInstance instance, int count) => Kernels.ScoringBenchmark.Candidates(instance, count);
}
