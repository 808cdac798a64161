using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Json;
using Allocator.Core.Planning;

namespace Allocator.Core.Tests;

public sealed class InstanceGeneratorTests
{
    [Theory]
    [InlineData(1, 0, 0, 2, 1UL)]
    [InlineData(3, 40, 9, 12, 7UL)]
    [InlineData(6, 120, 20, 26, 1UL)]
    [InlineData(12, 600, 60, 52, 3UL)]
    public void Generated_instances_pass_validation_and_have_a_feasible_plan(int pools, int leases, int jobs, int periods, ulong seed)
    {
        var generated = InstanceGenerator.Generate(new GeneratorOptions(pools, leases, jobs, periods, seed, Uncertainty: true));

        // Through the writer and the validating reader: valid by construction.
        var instance = InstanceReader.Read(InstanceWriter.Write(generated));
        var compiled = new CompiledInstance(instance);
        var greedy = GreedyPlanner.Plan(compiled);

        Assert.NotNull(greedy);
        var evaluation = PlanEvaluator.Evaluate(compiled, greedy);
        Assert.True(evaluation.IsFeasible, string.Join("; ", evaluation.Violations));
        Assert.Equal(leases, instance.Leases.Length);
        Assert.Equal(jobs, instance.Jobs.Length);
    }

    [Fact]
    public void Same_options_same_instance_and_another_seed_another_instance()
    {
        var options = new GeneratorOptions(4, 30, 6, 10, 42);

        var a = InstanceWriter.Write(InstanceGenerator.Generate(options));
        var b = InstanceWriter.Write(InstanceGenerator.Generate(options));
        var c = InstanceWriter.Write(InstanceGenerator.Generate(options with { Seed = 43 }));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void The_mid_seed_is_what_the_generator_makes_for_its_options()
    {
        // Pins the ordinary generator: adding the hard case must not change a single instance it made before.
        var generated = InstanceWriter.Write(InstanceGenerator.Generate(new GeneratorOptions(6, 120, 20, 26, 1, Uncertainty: true, Name: "mid-6x120x20x26")));

        Assert.Equal(File.ReadAllText(Fixtures.Seed("mid-6x120x20x26.json")), generated);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void The_hard_case_has_flexible_signed_leases_on_several_pools_and_required_jobs_and_is_feasible(ulong seed)
    {
        var options = new GeneratorOptions(6, 120, 20, 26, seed, Hard: true);

        var instance = InstanceReader.Read(InstanceWriter.Write(InstanceGenerator.Generate(options)));

        var signed = instance.Leases.Where(l => l.Status == Contract.LeaseStatus.Signed).ToList();
        Assert.True(signed.Count >= 30, $"{signed.Count} signed leases");
        Assert.Contains(signed, l => l.LatestStart > l.EarliestStart);
        Assert.Contains(signed, l => l.Pools is { Length: > 1 });
        Assert.Contains(instance.Jobs, j => j.Required);
        var compiled = new CompiledInstance(instance);
        var plan = GreedyPlanner.Plan(compiled);
        Assert.NotNull(plan);
        Assert.True(PlanEvaluator.Evaluate(compiled, plan).IsFeasible);
        Assert.Equal(InstanceWriter.Write(InstanceGenerator.Generate(options)), InstanceWriter.Write(InstanceGenerator.Generate(options)));
    }
}
