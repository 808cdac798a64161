using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Json;
using Allocator.Core.Planning;

namespace Allocator.Core.Tests;

public sealed class GreedyPlannerTests
{
    [Fact]
    public void The_commitment_with_fewer_placements_goes_first_even_when_it_earns_less()
    {
        // "narrow" can only start in period 0; "wide" earns more per GPU-hour and may start in 0 or 1. Both need 60 of the
        // pool's 100 GPUs, so they fit only in different periods: placing the better-paying one first in the emptiest
        // period (what an order by value does) would strand the other.
        var instance = new CompiledInstance(InstanceReader.Read("""
            {
              "name": "two-signed", "horizon": { "start": "2026-07-06", "periods": 2, "periodHours": 168 },
              "sites": [ { "id": "s", "powerCostPerMwh": 50 } ],
              "pools": [ { "id": "p", "site": "s", "gpus": 100, "kwPerGpu": 1.0 } ],
              "leases": [
                { "id": "wide", "status": "signed", "gpus": 60, "periods": 1, "earliestStart": 0, "latestStart": 1, "pricePerGpuHour": 5.0 },
                { "id": "narrow", "status": "signed", "gpus": 60, "periods": 1, "earliestStart": 0, "latestStart": 0, "pricePerGpuHour": 1.0 }
              ],
              "jobs": []
            }
            """));

        var plan = GreedyPlanner.Plan(instance);

        Assert.NotNull(plan);
        Assert.Equal(1, plan.LeaseStart[0]);
        Assert.Equal(0, plan.LeaseStart[1]);
        Assert.True(PlanEvaluator.Evaluate(instance, plan).IsFeasible);
    }

    [Theory]
    [InlineData(3, 30, 6, 10)]
    [InlineData(4, 60, 10, 16)]
    [InlineData(6, 120, 20, 26)]
    public void Hard_instances_with_flexible_signed_leases_in_tight_pools_get_a_feasible_plan(int pools, int leases, int jobs, int periods)
    {
        for (var seed = 1UL; seed <= 12; seed++)
        {
            var compiled = new CompiledInstance(InstanceReader.Read(InstanceWriter.Write(
                InstanceGenerator.Generate(new GeneratorOptions(pools, leases, jobs, periods, seed, Hard: true)))));

            var plan = GreedyPlanner.Plan(compiled);

            Assert.NotNull(plan);
            var evaluation = PlanEvaluator.Evaluate(compiled, plan);
            Assert.True(evaluation.IsFeasible, $"seed {seed}: {string.Join("; ", evaluation.Violations)}");
        }
    }

    [Fact]
    public void Kept_placements_stay_where_they_are_and_the_rest_is_filled_around_them()
    {
        var compiled = new CompiledInstance(InstanceReader.Read(InstanceWriter.Write(
            InstanceGenerator.Generate(new GeneratorOptions(4, 60, 10, 16, 5, Hard: true)))));
        var full = GreedyPlanner.Plan(compiled)!;
        // Keep only the signed leases of the full plan.
        var keep = Assignment.Empty(compiled) with
        {
            LeasePool = [.. full.LeasePool.Select((p, l) => compiled.LeaseSigned[l] ? p : -1)],
            LeaseStart = full.LeaseStart,
        };

        var plan = GreedyPlanner.Plan(compiled, keep);

        Assert.NotNull(plan);
        Assert.True(PlanEvaluator.Evaluate(compiled, plan).IsFeasible);
        for (var l = 0; l < compiled.LeaseCount; l++)
        {
            if (compiled.LeaseSigned[l])
            {
                Assert.Equal((full.LeasePool[l], full.LeaseStart[l]), (plan.LeasePool[l], plan.LeaseStart[l]));
            }
        }

        Assert.True(plan.LeasePool.Count(p => p >= 0) > keep.LeasePool.Count(p => p >= 0));
    }
}
