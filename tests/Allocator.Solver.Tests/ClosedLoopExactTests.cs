using Allocator.Core.ClosedLoop;
using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Json;

namespace Allocator.Solver.Tests;

public sealed class ClosedLoopExactTests
{
    private static readonly PlannerOptions Options = new() { TimeLimit = TimeSpan.FromSeconds(20), Threads = 1 };

    public static TheoryData<string> Instances => ["tiny", "generated"];

    private static CompiledInstance Load(string name) => new(name == "tiny"
        ? InstanceReader.ReadFile(Path.Combine(Root.Find(), "seeds", "tiny.json"))
        : InstanceGenerator.Generate(new GeneratorOptions(3, 12, 5, 8, 21)));

    [Theory]
    [MemberData(nameof(Instances))]
    public void With_no_uncertainty_exact_re_planning_makes_the_deterministic_optimum_in_every_scenario_and_equals_hindsight(string name)
    {
        var instance = Load(name);
        var optimum = ExactPlanner.Solve(instance, Options);
        Assert.Equal(PlanStatus.Optimal, optimum.Status);
        var tolerance = 1e-6 * Math.Abs(optimum.Objective!.Value);

        foreach (var scenario in new long[] { 0, 1, 2 })
        {
            var closed = ClosedLoopRun.Run(instance, new ExactPolicy(Options), seed: 5, scenario, replanEvery: 1);
            var hindsight = ExactPlanner.Solve(new CompiledInstance(HindsightInstance.Of(instance, 5, scenario)), Options);
            var clairvoyant = hindsight.Objective!.Value - HindsightInstance.SignedPenalty(instance);

            Assert.Equal(0, closed.FailedEpochs);
            Assert.Equal(optimum.Objective.Value, closed.Outcome.Total, tolerance);
            Assert.Equal(clairvoyant, closed.Outcome.Total, tolerance);
        }
    }
}
