using Allocator.Core.Evaluation;
using Allocator.Core.Planning;

namespace Allocator.Solver.Tests;

public sealed class StabilityTests
{
    [Theory]
    [InlineData(3UL)]
    [InlineData(8UL)]
    [InlineData(15UL)]
    [InlineData(21UL)]
    public void With_a_move_cost_the_planner_maximises_objective_less_charge_as_enumeration_does(ulong seed)
    {
        var instance = new CompiledInstance(SmallInstances.Random(seed));
        if (GreedyPlanner.Plan(instance) is not { } previous)
        {
            return; // Nothing feasible to be stable around; enumeration tests cover such instances.
        }

        // A charge of the order of what a GPU-period earns, so it changes the optimum on some instances.
        var moveCost = 0.5 * instance.PeriodHours;
        var catalog = new PlacementCatalog(instance, previous, moveCost);
        var expected = SmallInstances.OptimumByEnumeration(instance, catalog.StabilityCost)!.Value;

        var result = ExactPlanner.Solve(instance, new PlannerOptions { Hint = previous, MoveCostPerGpuPeriod = moveCost, Threads = 1, TimeLimit = TimeSpan.FromSeconds(30) });

        Assert.Equal(PlanStatus.Optimal, result.Status);
        Assert.Equal(expected, result.Score!.Value, 1e-6 * Math.Max(1, Math.Abs(expected)));
        Assert.Equal(catalog.StabilityCost(result.Assignment!), result.StabilityCost, 6);
        // The objective written to plan.json is still the contract's, recomputed from the plan alone.
        Assert.Equal(PlanEvaluator.Evaluate(instance, result.Assignment!).Objective.Total, result.Objective!.Value, 1e-6 * Math.Max(1, Math.Abs(expected)));
    }

    [Fact]
    public void A_prohibitive_move_cost_keeps_every_placement_the_previous_plan_made()
    {
        var instance = new CompiledInstance(SmallInstances.Random(8));
        var previous = GreedyPlanner.Plan(instance)!;
        var result = ExactPlanner.Solve(instance, new PlannerOptions { Hint = previous, MoveCostPerGpuPeriod = 1e9, Threads = 1 });

        Assert.Equal(0, result.StabilityCost);
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            if (previous.LeasePool[l] >= 0 && result.Assignment!.LeasePool[l] >= 0)
            {
                Assert.Equal((previous.LeasePool[l], previous.LeaseStart[l]), (result.Assignment.LeasePool[l], result.Assignment.LeaseStart[l]));
            }
        }

        for (var j = 0; j < instance.JobCount; j++)
        {
            if (previous.JobPool[j] >= 0 && result.Assignment!.JobPool[j] >= 0)
            {
                Assert.Equal((previous.JobPool[j], previous.JobStart[j]), (result.Assignment.JobPool[j], result.Assignment.JobStart[j]));
            }
        }

        // And it is never worse than simply keeping the previous plan.
        Assert.True(result.Objective >= PlanEvaluator.Evaluate(instance, previous).Objective.Total - 1e-6);
    }

    [Fact]
    public void Moving_a_block_is_charged_for_the_gpu_periods_it_no_longer_shares()
    {
        var instance = new CompiledInstance(SmallInstances.Random(3));
        var previous = GreedyPlanner.Plan(instance)!;
        var catalog = new PlacementCatalog(instance, previous, 10);
        Assert.Equal(0, catalog.StabilityCost(previous));
        Assert.Equal(0, new PlacementCatalog(instance, previous, 0).StabilityCost(Assignment.Empty(instance)));
        // Leaving everything out is not a move: nothing is charged for a placement that is not made.
        Assert.Equal(0, catalog.StabilityCost(Assignment.Empty(instance)));
    }
}
