namespace Allocator.Kernels;

/// <summary>
/// Calls of any size: the scenario tables of one call live in memory at once (on the host for the CPU fast path, on the
/// device for a GPU), so a call of more scenarios than <see cref="ScenariosPerCall"/> is scored in consecutive batches
/// of scenarios and joined. Scenario k is the same draw in any batch, so the outcomes are those of one call.
/// </summary>
public sealed partial class BulkScorer
{
    /// <summary>
    /// Scenarios one call of <paramref name="plans"/> plans scores at most on <paramref name="instance"/>: its tables within
    /// <see cref="ScorerOptions.TableBytesPerCall"/> and 32-bit offsets, its pairs within an array's length.
    /// </summary>
    public int ScenariosPerCall(Core.Evaluation.CompiledInstance instance, int plans) => ScenariosPerCall(instance, plans, _options);

    private static int ScenariosPerCall(Core.Evaluation.CompiledInstance instance, int plans, ScorerOptions options)
    {
        var stride = ScoreParams.For(instance, plans, 1, 0, 0).TableStride;
        var byTables = Math.Min(options.TableBytesPerCall / sizeof(double) / stride, int.MaxValue / stride);
        var byPairs = Array.MaxLength / Math.Max(1, plans);
        return (int)Math.Max(1, Math.Min(byTables, byPairs));
    }

    /// <summary>
    /// The least memory a scoring call needs on the host: every pair's six outcome parts and its total (the summaries
    /// read them), and one batch of scenario tables; the runtime and the collector's lag add to it (a large `score` took
    /// 2.3 to 3.9 times this, RESULTS.md). What a command checks against the machine before it starts.
    /// </summary>
    public static long HostBytes(Core.Evaluation.CompiledInstance instance, int plans, int scenarios, ScorerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var batch = Math.Min(scenarios, ScenariosPerCall(instance, plans, options ?? ScorerOptions.Default));
        return (long)plans * scenarios * 7 * sizeof(double) + (long)batch * ScoreParams.For(instance, plans, 1, 0, 0).TableStride * sizeof(double);
    }

    /// <summary>Every pair's outcome parts over <paramref name="scenarios"/> scenarios, batch after batch; and the time scoring took.</summary>
    private (double[][] Parts, TimeSpan Elapsed) InBatches(PreparedPlans plans, ulong seed, int scenarios, long scenarioOffset, int batch)
    {
        double[][] joined = [.. Enumerable.Range(0, 6).Select(_ => new double[Math.Max(1, (long)plans.Count * scenarios)])];
        var elapsed = TimeSpan.Zero;
        for (var first = 0; first < scenarios; first += batch)
        {
            var count = Math.Min(batch, scenarios - first);
            var (parts, _, time) = Execute(plans, seed, count, scenarioOffset + first, alpha: null);
            elapsed += time;
            for (var k = 0; k < joined.Length; k++)
            {
                for (var n = 0; n < plans.Count; n++)
                {
                    Array.Copy(parts![k], (long)n * count, joined[k], (long)n * scenarios + first, count);
                }
            }
        }

        return (joined, elapsed);
    }

    /// <summary>Each plan's risk summary over scenarios scored batch after batch, summarised on the host.</summary>
    private (double[][]? Parts, double[]? Summary, TimeSpan Elapsed) SummaryInBatches(PreparedPlans plans, ulong seed, int scenarios, long scenarioOffset, int batch, double alpha)
    {
        var (parts, elapsed) = InBatches(plans, seed, scenarios, scenarioOffset, batch);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        return (null, SummaryOnHost(parts, plans.Count, scenarios, alpha), elapsed + clock.Elapsed);
    }

    /// <summary>Each plan's risk summary from its outcomes on the host, as the CPU fast path computes it.</summary>
    private static double[] SummaryOnHost(double[][] parts, int plans, int scenarios, double alpha)
    {
        var outcomes = Outcomes(parts);
        var totals = new ArrayColumn<double>(new double[Math.Max(1, (long)plans * scenarios)]);
        var summary = new double[Math.Max(1, plans * RiskKernels.Fields)];
        var output = new ArrayColumn<double>(summary);
        Parallel.For(0, plans, n => RiskKernels.Summarize(n, outcomes, totals, output, scenarios, alpha));
        return summary;
    }
}
