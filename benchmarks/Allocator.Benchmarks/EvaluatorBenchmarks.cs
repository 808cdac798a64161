using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Planning;
using BenchmarkDotNet.Attributes;

namespace Allocator.Benchmarks;

/// <summary>
/// The deterministic evaluator (feasibility, objective, spot knapsack) on a greedy plan: the reference the
/// scenario scorers of later issues are compared with. Sizes are the ones RESULTS.md reports solver times for.
/// </summary>
[MemoryDiagnoser]
public class EvaluatorBenchmarks
{
    private CompiledInstance _instance = null!;
    private Assignment _plan = null!;

    [Params("6x120x20x26", "12x600x60x52")]
    public string Size { get; set; } = "6x120x20x26";

    [GlobalSetup]
    public void Setup()
    {
        var n = Size.Split('x').Select(int.Parse).ToArray();
        _instance = new CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(n[0], n[1], n[2], n[3], Seed: 1)));
        _plan = GreedyPlanner.Plan(_instance) ?? throw new InvalidOperationException("generated instances always have a greedy plan");
    }

    [Benchmark(Baseline = true)]
    public double Evaluate() => PlanEvaluator.Evaluate(_instance, _plan).Objective.Total;

    [Benchmark]
    public Assignment? Greedy() => GreedyPlanner.Plan(_instance);
}
