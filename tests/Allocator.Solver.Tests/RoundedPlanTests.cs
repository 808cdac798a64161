using System.Diagnostics;
using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Json;
using Allocator.Core.Planning;
using Allocator.Tests;

namespace Allocator.Solver.Tests;

/// <summary>The LP relaxation and the start plan rounded from it: a bound, a feasible plan, and the better start.</summary>
public sealed class RoundedPlanTests
{
    public static TheoryData<ulong> SmallSeeds() => [.. Enumerable.Range(1, 16).Select(s => (ulong)s)];

    [Theory]
    [MemberData(nameof(SmallSeeds))]
    public void The_relaxation_bounds_the_enumerated_optimum_and_the_rounded_plan_keeps_every_rule(ulong seed)
    {
        foreach (var instance in new[] { new CompiledInstance(SmallInstances.Random(seed)), new CompiledInstance(SmallInstances.Unusual(seed)) })
        {
            var catalog = new PlacementCatalog(instance);
            var optimum = SmallInstances.OptimumByEnumeration(instance);

            var relaxation = LpRelaxation.Solve(catalog);
            var rounded = relaxation is null ? null : RoundedPlan.Best(catalog, relaxation);

            if (optimum is not { } best)
            {
                Assert.Null(rounded); // no plan keeps every commitment, so no rounding can
                continue;
            }

            Assert.NotNull(relaxation);
            Assert.True(relaxation.Objective >= best - (1e-6 * Math.Abs(best)) - 1e-3, $"LP {relaxation.Objective} below the optimum {best}");
            if (rounded is not null)
            {
                var evaluation = PlanEvaluator.Evaluate(instance, rounded.Assignment);
                Assert.True(evaluation.IsFeasible, string.Join("; ", evaluation.Violations));
                Assert.Equal(evaluation.Objective.Total, rounded.Objective.Total);
                Assert.True(rounded.Objective.Total <= best + (1e-9 * Math.Abs(best)) + 1e-6);
            }
        }
    }

    public static TheoryData<bool, ulong> Families()
    {
        var families = new TheoryData<bool, ulong>();
        foreach (var hard in new[] { false, true })
        {
            for (var seed = 1UL; seed <= 5; seed++)
            {
                families.Add(hard, seed);
            }
        }

        return families;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void On_mid_size_fleets_with_chains_and_commitments_the_rounded_plan_is_feasible(bool hard, ulong seed)
    {
        var instance = new CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(6, 120, 20, 26, seed, Uncertainty: true, Hard: hard)));
        var catalog = new PlacementCatalog(instance);

        var rounded = RoundedPlan.Best(catalog, LpRelaxation.Solve(catalog)!);

        Assert.NotNull(rounded);
        var evaluation = PlanEvaluator.Evaluate(instance, rounded.Assignment);
        Assert.True(evaluation.IsFeasible, string.Join("; ", evaluation.Violations));
        Assert.All(instance.Blocks().Where(instance.IsCommitted), block => Assert.True(rounded.Assignment.Placement(block).Pool >= 0));
    }

    [Fact]
    public void On_the_mid_seed_the_start_is_the_rounded_plan_worth_more_than_the_greedy_one_and_both_are_reported()
    {
        // The greedy plan of the mid seed is 6% below the optimum (RESULTS.md); rounding the LP gets within 2.5%.
        var instance = new CompiledInstance(InstanceReader.ReadFile(Path.Combine(Root.Find(), "seeds", "mid-6x120x20x26.json")));
        var log = new SolveLog(null);
        var greedy = GreedyPlanner.BestPlan(instance)!;

        var start = StartPlans.Find(new PlacementCatalog(instance), new PlannerOptions { TimeLimit = TimeSpan.FromSeconds(60) }, log, Stopwatch.StartNew(), CancellationToken.None);

        Assert.NotNull(start);
        Assert.Equal("LP rounded", start.Source);
        Assert.True(start.Evaluation.Objective.Total > greedy.Objective.Total);
        Assert.Equal(["greedy", "LP rounded"], log.Points.Select(p => p.Source));
        Assert.Equal(start.Evaluation.Objective.Total, log.Points[^1].Objective);
    }

    [Fact]
    public void Stopped_before_the_relaxation_the_start_is_the_greedy_plan()
    {
        var instance = new CompiledInstance(InstanceReader.ReadFile(Path.Combine(Root.Find(), "seeds", "mid-6x120x20x26.json")));
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        Assert.Null(LpRelaxation.Solve(new PlacementCatalog(instance), cancellation: stop.Token));
        var start = StartPlans.Find(new PlacementCatalog(instance), new PlannerOptions { TimeLimit = TimeSpan.FromSeconds(60) }, new SolveLog(null), Stopwatch.StartNew(), stop.Token);
        Assert.Equal("greedy", start!.Source);
    }

    [Fact]
    public void An_engine_stopped_without_a_bound_leaves_the_relaxations_bound_and_the_gap_it_gives()
    {
        // HiGHS stopped by its limit hands back no plan and no bound (measured, ExactPlanner); the mid seed is not proven
        // by HiGHS in 3 s. Before the relaxation was solved for the start plan, such a solve ended with no bound at all.
        var instance = new CompiledInstance(InstanceReader.ReadFile(Path.Combine(Root.Find(), "seeds", "mid-6x120x20x26.json")));
        var relaxation = LpRelaxation.Solve(new PlacementCatalog(instance))!;

        var result = ExactPlanner.Solve(instance, new PlannerOptions { Solver = SolverKind.Highs, TimeLimit = TimeSpan.FromSeconds(3), Threads = 2 });

        Assert.Equal(PlanStatus.Feasible, result.Status);
        Assert.NotNull(result.Bound);
        Assert.Equal(relaxation.Objective, result.Bound.Value, 1e-6 * relaxation.Objective);
        Assert.Equal(PlannerResult.GapBetween(result.Bound.Value, result.Objective!.Value), result.Gap!.Value, 1e-12);
        Assert.True(result.Bound >= result.Objective);
    }

    [Fact]
    public void A_model_too_large_to_build_quickly_gets_no_relaxation_and_the_start_is_the_greedy_plan()
    {
        // Building the model is outside GLOP's time limit: on 100 x 10,000 x 1,000 x 104 (70 million terms) it held the
        // whole solve for minutes. Past the size limit the start is the greedy plan, as before the relaxation.
        var instance = new CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(40, 3000, 300, 104, 1)));
        var catalog = new PlacementCatalog(instance);
        Assert.True(catalog.CapacityTerms > 2_000_000, $"{catalog.CapacityTerms} terms");
        var log = new SolveLog(null);

        var start = StartPlans.Find(catalog, new PlannerOptions { TimeLimit = TimeSpan.FromSeconds(600) }, log, Stopwatch.StartNew(), CancellationToken.None);

        Assert.Equal("greedy", start!.Source);
        Assert.Null(start.Bound);
        Assert.Equal(["greedy"], log.Points.Select(p => p.Source));
    }

    [Fact]
    public void With_cp_sat_the_progress_never_dips_below_the_plan_held_from_the_start()
    {
        // CP-SAT's first solutions on the mid seed were worth 325 M against the 1,608 M start it was hinted with; progress
        // lists what the planner holds over time, so CP-SAT's plans below the start are left out of it.
        var instance = new CompiledInstance(InstanceReader.ReadFile(Path.Combine(Root.Find(), "seeds", "mid-6x120x20x26.json")));

        var result = ExactPlanner.Solve(instance, new PlannerOptions { Solver = SolverKind.CpSat, TimeLimit = TimeSpan.FromSeconds(4), Threads = 2 });

        var points = result.Progress;
        Assert.Equal("LP rounded", points[1].Source);
        Assert.True(points.Zip(points.Skip(1)).All(p => p.First.Objective <= p.Second.Objective), string.Join("; ", points.Select(p => $"{p.Source} {p.Objective:N0}")));
        Assert.Equal(result.Objective!.Value, points[^1].Objective, 1e-6 * result.Objective.Value);
    }

    [Fact]
    public void Without_a_move_cost_a_previous_plan_worth_less_than_the_rounded_one_is_not_the_start()
    {
        // Last night's plan, and no move cost: where the LP's plan is worth more, the solve holds that from the start.
        var instance = Mid();
        var previous = GreedyPlanner.BestPlan(instance)!.Assignment;
        var log = new SolveLog(null);

        var start = StartPlans.Find(new PlacementCatalog(instance), new PlannerOptions { Hint = previous, TimeLimit = TimeSpan.FromSeconds(60) }, log, Stopwatch.StartNew(), CancellationToken.None);

        Assert.Equal("LP rounded", start!.Source);
        Assert.Same(previous, start.Previous!.Assignment); // still SCIP's first incumbent
        Assert.Equal(["previous plan", "LP rounded"], log.Points.Select(p => p.Source));
    }

    [Fact]
    public void With_a_prohibitive_move_cost_the_previous_plan_stays_the_start_with_the_relaxations_bound()
    {
        var instance = Mid();
        var previous = GreedyPlanner.BestPlan(instance)!.Assignment;
        var log = new SolveLog(null);

        var start = StartPlans.Find(new PlacementCatalog(instance, previous, 1e9), new PlannerOptions { Hint = previous, MoveCostPerGpuPeriod = 1e9, TimeLimit = TimeSpan.FromSeconds(60) }, log, Stopwatch.StartNew(), CancellationToken.None);

        Assert.Equal("previous plan", start!.Source);
        Assert.Same(previous, start.Plan);
        Assert.Same(previous, start.Previous!.Assignment);
        Assert.NotNull(start.Bound);
        Assert.Equal(["previous plan", "LP relaxation's bound"], log.Points.Select(p => p.Source));
    }

    [Fact]
    public void A_previous_plan_that_no_longer_fits_is_repaired_keeping_what_still_fits()
    {
        // A third of the first pool's GPUs gone (a delivery slipped, an outage): last night's plan no longer fits there.
        var mid = Mid();
        var previous = GreedyPlanner.BestPlan(mid)!.Assignment;
        var pool = mid.Source.Pools[0];
        var instance = new CompiledInstance(mid.Source with { Pools = [pool with { Gpus = pool.Gpus * 2 / 3 }, .. mid.Source.Pools.Skip(1)] });
        Assert.False(PlanEvaluator.Evaluate(instance, previous).IsFeasible);

        var start = StartPlans.Find(new PlacementCatalog(instance, previous, 1e9), new PlannerOptions { Hint = previous, MoveCostPerGpuPeriod = 1e9, TimeLimit = TimeSpan.FromSeconds(60) }, new SolveLog(null), Stopwatch.StartNew(), CancellationToken.None);

        Assert.Equal("previous plan, repaired", start!.Source);
        Assert.Null(start.Previous);
        var evaluation = PlanEvaluator.Evaluate(instance, start.Plan);
        Assert.True(evaluation.IsFeasible, string.Join("; ", evaluation.Violations));
        Assert.All(instance.Blocks().Where(instance.IsCommitted), block => Assert.True(start.Plan.Placement(block).Pool >= 0));
        // Every lease placed in another pool keeps its place: nothing there changed.
        Assert.All(
            Enumerable.Range(0, instance.LeaseCount).Where(l => previous.LeasePool[l] > 0),
            l => Assert.Equal((previous.LeasePool[l], previous.LeaseStart[l]), (start.Plan.LeasePool[l], start.Plan.LeaseStart[l])));
    }

    [Fact]
    public void A_previous_plan_that_fits_is_also_filled_around_with_what_is_new_since()
    {
        // Last night's plan, made before half the offers it accepts were known: they are unplaced in it. Kept as it is,
        // tonight's offers would wait for the MIP.
        var instance = Mid();
        var full = GreedyPlanner.BestPlan(instance)!.Assignment;
        var unplaced = Enumerable.Range(0, instance.LeaseCount).Where(l => full.LeasePool[l] >= 0 && !instance.LeaseSigned[l]).Where((_, i) => i % 2 == 0).ToHashSet();
        var previous = full with { LeasePool = [.. full.LeasePool.Select((pool, l) => unplaced.Contains(l) ? -1 : pool)] };
        var before = PlanEvaluator.Evaluate(instance, previous);
        Assert.True(before.IsFeasible);
        var log = new SolveLog(null);

        var start = StartPlans.Find(new PlacementCatalog(instance, previous, 1e9), new PlannerOptions { Hint = previous, MoveCostPerGpuPeriod = 1e9, TimeLimit = TimeSpan.FromSeconds(60) }, log, Stopwatch.StartNew(), CancellationToken.None);

        Assert.Equal("previous plan, filled", start!.Source);
        Assert.Equal(["previous plan", "previous plan, filled"], log.Points.Take(2).Select(p => p.Source));
        Assert.True(start.Evaluation.Objective.Total > before.Objective.Total);
        Assert.Same(previous, start.Previous!.Assignment);
        Assert.All(instance.Blocks().Where(b => previous.Placement(b).Pool >= 0), b => Assert.Equal(previous.Placement(b), start.Plan.Placement(b)));
    }

    private static CompiledInstance Mid() => new(InstanceReader.ReadFile(Path.Combine(Root.Find(), "seeds", "mid-6x120x20x26.json")));
}
