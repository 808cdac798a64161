using Allocator.Cli;
using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Kernels;

namespace Allocator.Cli.Tests;

/// <summary>
/// <c>allocator bench</c> with a device that fails while it scores. No device here does (the process tests cover one that
/// is absent or fails to start), so the device's measuring is handed in: the real one for the others, one that throws as
/// a driver would part way through for the failing device.
/// </summary>
public sealed class BenchRunTests
{
    private static readonly CompiledInstance Instance = new(InstanceGenerator.Generate(new GeneratorOptions(2, 6, 4, 6, 3, Uncertainty: true)));

    private static BenchStep Step(string word) => word == "reference"
        ? new BenchStep(word, ScoringPrecision.Double, KernelState.Auto, null, null)
        : new BenchStep(word, ScoringPrecision.Double, KernelState.Auto, LaneWidth.Auto, null);

    /// <summary>The real measuring, except that <paramref name="failing"/> scores a while and then throws.</summary>
    private static DeviceMeasure FailingWhileScoring(string failing) =>
        (word, options, instance, candidates, plans, scenarios, doublePath, warn, stop) =>
        {
            var measured = BenchCommand.Measure(word, options, instance, candidates, plans, scenarios, doublePath, warn, stop);
            return word == failing ? throw new InvalidOperationException("the kernel launch failed (an injected fault)") : measured;
        };

    [Fact]
    public void A_device_failing_while_it_scores_costs_its_row_and_the_others_are_measured()
    {
        var bench = new BenchRun(Instance, ScoringBenchmark.Candidates(Instance, 8), 8, 64, CancellationToken.None, FailingWhileScoring("ilgpu-cpu"));

        bench.MeasureAll([Step("ilgpu-cpu"), Step("cpu"), Step("reference")]);

        var failed = Assert.Single(bench.Failed);
        Assert.Equal("ilgpu-cpu, double precision", failed.Step);
        Assert.Contains("InvalidOperationException: the kernel launch failed", failed.Reason, StringComparison.Ordinal);
        Assert.Contains(bench.Skipped, s => s.Asked == failed.Step && s.Reason == failed.Reason);
        Assert.Equal(2, bench.Rows.Count);
        Assert.StartsWith("cpu", bench.Rows[0].Device, StringComparison.Ordinal);
        Assert.StartsWith("reference", bench.Rows[1].Device, StringComparison.Ordinal);
        Assert.All(bench.Rows, r => Assert.True(r.Agrees));
        Assert.Empty(bench.Interrupted);
    }

    [Fact]
    public void The_cpu_fast_path_failing_is_a_defect_and_is_not_passed_off_as_a_device_fault()
    {
        var bench = new BenchRun(Instance, ScoringBenchmark.Candidates(Instance, 8), 8, 64, CancellationToken.None, FailingWhileScoring("cpu"));

        var thrown = Assert.Throws<InvalidOperationException>(() => bench.MeasureAll([Step("cpu"), Step("reference")]));

        Assert.Contains("injected fault", thrown.Message, StringComparison.Ordinal);
        Assert.Empty(bench.Failed);
    }
}
