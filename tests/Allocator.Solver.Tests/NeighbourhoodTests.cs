using Allocator.Core.Evaluation;
using Allocator.Core.Planning;
using Allocator.Core.Randomness;

namespace Allocator.Solver.Tests;

public sealed class NeighbourhoodTests
{
    [Theory]
    [InlineData(2UL)]
    [InlineData(5UL)]
    [InlineData(9UL)]
    [InlineData(14UL)]
    [InlineData(27UL)]
    public void A_neighbourhood_solve_is_the_best_plan_that_keeps_the_fixed_items_where_they_were(ulong seed)
    {
        var instance = new CompiledInstance(SmallInstances.Random(seed));
        if (GreedyPlanner.Plan(instance) is not { } greedy)
        {
            return; // No feasible starting plan to improve; the enumeration tests cover such instances.
        }

        var rng = new SplitMix64(seed);
        var freeLeases = Enumerable.Range(0, instance.LeaseCount).Select(_ => rng.Chance(0.5)).ToArray();
        var freeJobs = Enumerable.Range(0, instance.JobCount).Select(_ => rng.Chance(0.5)).ToArray();
        bool IsFree(Block block) => block.IsJob ? freeJobs[block.Index] : freeLeases[block.Index];

        var (plan, optimal) = ExactPlanner.SolveCatalog(
            new PlacementCatalog(instance).Neighbourhood(greedy, IsFree), new PlannerOptions { Threads = 1, TimeLimit = TimeSpan.FromSeconds(30) });

        Assert.True(optimal);
        var evaluation = PlanEvaluator.Evaluate(instance, plan!);
        Assert.True(evaluation.IsFeasible, string.Join("; ", evaluation.Violations));
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            if (!freeLeases[l])
            {
                Assert.Equal(greedy.LeasePool[l], plan!.LeasePool[l]);
                Assert.True(greedy.LeasePool[l] < 0 || greedy.LeaseStart[l] == plan.LeaseStart[l]);
            }
        }

        for (var j = 0; j < instance.JobCount; j++)
        {
            if (!freeJobs[j])
            {
                Assert.Equal(greedy.JobPool[j], plan!.JobPool[j]);
                Assert.True(greedy.JobPool[j] < 0 || greedy.JobStart[j] == plan.JobStart[j]);
            }
        }

        var expected = SmallInstances.OptimumByEnumeration(instance, fixedPlan: greedy, isFree: IsFree)!.Value;
        Assert.Equal(expected, evaluation.Objective.Total, 1e-6 * Math.Max(1, Math.Abs(expected)));
        Assert.True(evaluation.Objective.Total >= PlanEvaluator.Evaluate(instance, greedy).Objective.Total - 1e-6);
    }

    [Fact]
    public void With_nothing_free_the_neighbourhood_holds_only_the_plan_itself()
    {
        var instance = new CompiledInstance(SmallInstances.Random(5));
        var greedy = GreedyPlanner.Plan(instance)!;
        var (plan, _) = ExactPlanner.SolveCatalog(new PlacementCatalog(instance).Neighbourhood(greedy, _ => false), new PlannerOptions { Threads = 1 });
        Assert.Equal(PlanEvaluator.Evaluate(instance, greedy).Objective.Total, PlanEvaluator.Evaluate(instance, plan!).Objective.Total, 6);
    }
}

public sealed class ImprovementTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    public void A_solve_stopped_by_its_limit_returns_a_feasible_plan_no_worse_than_greedy_with_an_honest_gap(int threads, int mipThreads)
    {
        // The mid-size seed is far from proven optimal in a few seconds, so the neighbourhood rounds run: after the MIP
        // on one thread; beside it on more, and then on the MIP's threads too (several at once with mipThreads 2).
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Allocator.sln")))
        {
            root = root.Parent!;
        }

        var instance = new CompiledInstance(Core.Json.InstanceReader.ReadFile(Path.Combine(root.FullName, "seeds", "mid-6x120x20x26.json")));
        var result = ExactPlanner.Solve(instance, new PlannerOptions { TimeLimit = TimeSpan.FromSeconds(8), Threads = threads, MipThreads = mipThreads });

        Assert.Equal(PlanStatus.Feasible, result.Status);
        var evaluation = PlanEvaluator.Evaluate(instance, result.Assignment!);
        Assert.True(evaluation.IsFeasible);
        Assert.Equal(evaluation.Objective.Total, result.Objective!.Value, 1e-6 * evaluation.Objective.Total);
        Assert.True(result.Objective >= PlanEvaluator.Evaluate(instance, GreedyPlanner.Plan(instance)!).Objective.Total);
        if (result.Bound is { } bound)
        {
            Assert.True(bound >= result.Objective);
        }
    }
}

public sealed class SharedIncumbentTests
{
    /// <summary>Two plans of one small instance, the greedy one worth more than the one that places nothing.</summary>
    private static (PlanEvaluation Greedy, PlanEvaluation Empty) GreedyAndEmptyPlans()
    {
        var instance = new CompiledInstance(SmallInstances.Random(5));
        var greedy = PlanEvaluator.Evaluate(instance, GreedyPlanner.Plan(instance)!);
        var empty = PlanEvaluator.Evaluate(instance, new Assignment(
            [.. Enumerable.Repeat(-1, instance.LeaseCount)], [.. new int[instance.LeaseCount]],
            [.. Enumerable.Repeat(-1, instance.JobCount)], [.. new int[instance.JobCount]]));
        return (greedy, empty);
    }

    [Fact]
    public void Only_a_plan_that_scores_better_replaces_the_incumbent()
    {
        var (greedy, empty) = GreedyAndEmptyPlans();
        Assert.True(greedy.Objective.Total > empty.Objective.Total);

        var shared = new SharedIncumbent(empty, e => e.Objective.Total);
        Assert.False(shared.Offer(empty));
        Assert.True(shared.Offer(greedy));
        Assert.Same(greedy, shared.Best);
        Assert.False(shared.Offer(empty));
        Assert.Same(greedy, shared.Best);

        // The score decides, not the objective: with a score that prefers the empty plan, the greedy one is refused.
        var contrary = new SharedIncumbent(empty, e => -e.Objective.Total);
        Assert.False(contrary.Offer(greedy));
        Assert.Same(empty, contrary.Best);
    }

    [Fact]
    public void A_goal_stops_the_re_solves_when_a_plan_reaches_it_and_not_before()
    {
        var (greedy, empty) = GreedyAndEmptyPlans();
        var goal = (empty.Objective.Total + greedy.Objective.Total) / 2;

        var shared = new SharedIncumbent(empty, e => e.Objective.Total);
        using var stop = new CancellationTokenSource();
        shared.CancelWhen(score => score >= goal, stop);
        Assert.False(stop.IsCancellationRequested);
        Assert.False(shared.Offer(empty));
        Assert.False(stop.IsCancellationRequested);
        Assert.True(shared.Offer(greedy));
        Assert.True(stop.IsCancellationRequested);

        // A goal the incumbent already meets stops at once: a plan found beside the MIP may be within the target already.
        using var already = new CancellationTokenSource();
        shared.CancelWhen(score => score >= goal, already);
        Assert.True(already.IsCancellationRequested);
    }
}
