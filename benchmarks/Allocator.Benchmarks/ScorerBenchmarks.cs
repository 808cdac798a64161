using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Planning;
using Allocator.Core.Scenarios;
using Allocator.Kernels;
using BenchmarkDotNet.Attributes;

namespace Allocator.Benchmarks;

/// <summary>
/// One batch of 32 plans x 64 scenarios (2,048 pairs) on the generated 6 x 120 x 20 x 26 instance with uncertainty,
/// per scorer. Pairs per second = 2,048 / mean time. The full 4,096 x 4,096 GPU figure comes from the GPU bundle
/// (benchmarks/gpu), where BenchmarkDotNet's many launches would not fit the device time.
/// </summary>
[MemoryDiagnoser]
public class ScorerBenchmarks
{
    private const int Plans = 32;
    private const int Scenarios = 64;
    private CompiledInstance _instance = null!;
    private List<Assignment> _plans = null!;
    private BulkScorer _fastPath = null!;
    private BulkScorer _emulator = null!;

    [GlobalSetup]
    public void Setup()
    {
        _instance = new CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(6, 120, 20, 26, Seed: 1, Uncertainty: true)));
        var greedy = GreedyPlanner.Plan(_instance)!;
        _plans = [.. Enumerable.Range(0, Plans).Select(i => greedy with { LeaseStart = [.. greedy.LeaseStart.Select((s, l) => Math.Clamp(s + i % 2, _instance.LeaseEarliestStart[l], _instance.LeaseLatestStart[l]))] })];
        _fastPath = BulkScorer.Create(ScoringDevice.Cpu);
        _emulator = BulkScorer.Create(ScoringDevice.IlgpuCpu);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fastPath.Dispose();
        _emulator.Dispose();
    }

    [Benchmark(Baseline = true, Description = "reference (1 thread)")]
    public double Reference()
    {
        var sum = 0.0;
        for (var n = 0; n < Plans; n++)
        {
            for (var k = 0; k < Scenarios; k++)
            {
                sum += ReferenceScorer.Score(_instance, _plans[n], 1, k).Total;
            }
        }

        return sum;
    }

    [Benchmark(Description = "CPU fast path (all cores)")]
    public double FastPath() => _fastPath.Score(_instance, _plans, 1, Scenarios)[Plans - 1, Scenarios - 1].Total;

    [Benchmark(Description = "ILGPU CPU accelerator (kernel)")]
    public double Emulator() => _emulator.Score(_instance, _plans, 1, Scenarios)[Plans - 1, Scenarios - 1].Total;
}
