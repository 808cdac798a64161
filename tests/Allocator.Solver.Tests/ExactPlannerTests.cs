using System.Collections.Immutable;
using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Json;
using CsCheck;

namespace Allocator.Solver.Tests;

public sealed class ExactPlannerTests
{
    private static readonly string TinyPath = Path.Combine(Root.Find(), "seeds", "tiny.json");

    private static PlannerResult Solve(Instance instance, SolverKind solver, bool deterministic = false) =>
        ExactPlanner.Solve(new CompiledInstance(instance), new PlannerOptions { Solver = solver, TimeLimit = TimeSpan.FromSeconds(30), Threads = 1, Deterministic = deterministic });

    [Theory]
    [InlineData(SolverKind.Scip)]
    [InlineData(SolverKind.Highs)]
    [InlineData(SolverKind.CpSat)]
    public void Tiny_reaches_the_known_optimum_73_066_528(SolverKind solver)
    {
        var result = Solve(InstanceReader.ReadFile(TinyPath), solver);

        Assert.Equal(73_066_528, result.Objective!.Value, 6);
        var plan = result.Assignment!.ToPlan(new CompiledInstance(InstanceReader.ReadFile(TinyPath)));
        Assert.Equal(["acme-1:0", "beta-1:0"], plan.Leases.Select(l => $"{l.Id}:{l.Start}"));
        Assert.Equal(["pretrain:3", "posttrain:6"], plan.Jobs.Select(j => $"{j.Id}:{j.Start}"));
        // SCIP and HiGHS prove the 1e-7 gap; CP-SAT's bound carries the slack of its integer spot grid (~1e-6), so it
        // says "feasible" with that gap.
        Assert.Equal(solver == SolverKind.CpSat ? PlanStatus.Feasible : PlanStatus.Optimal, result.Status);
        Assert.True(result.Gap <= 1e-6, $"gap {result.Gap}");
        Assert.Equal(SolveEnd.Proven, result.End);
    }

    [Theory]
    [InlineData(SolverKind.Scip)]
    [InlineData(SolverKind.Highs)]
    public void A_target_gap_ends_the_solve_with_a_plan_proven_within_it_and_not_called_optimal(SolverKind solver)
    {
        // Neither engine proves this generated instance optimal within 60 s (measured: SCIP ends at 0.3%, HiGHS without a
        // bound), but both get within 2% in about a second, so only the target can end this solve before its 600 s
        // limit: a planner that ignored it would run to the limit and say so.
        var instance = new CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(4, 60, 10, 16, 3, Uncertainty: true)));

        var result = ExactPlanner.Solve(instance, new PlannerOptions { Solver = solver, TimeLimit = TimeSpan.FromSeconds(600), Threads = 2, TargetGap = 0.02 });

        Assert.Equal(SolveEnd.TargetGap, result.End);
        Assert.Equal(PlanStatus.Feasible, result.Status);
        Assert.InRange(result.Gap!.Value, 1e-7, 0.02 * (1 + 1e-9));
        var recomputed = PlanEvaluator.Evaluate(instance, result.Assignment!);
        Assert.True(recomputed.IsFeasible);
        Assert.Equal(recomputed.Objective.Total, result.Objective!.Value, 1e-6 * recomputed.Objective.Total);
    }

    /// <summary>Seeds 1..40, plus seeds that once failed (kept as regression cases).</summary>
    public static TheoryData<SolverKind, ulong> EnumerationCases()
    {
        var data = new TheoryData<SolverKind, ulong>();
        foreach (var solver in new[] { SolverKind.Scip, SolverKind.Highs, SolverKind.CpSat })
        {
            // 116: HiGHS once stopped 2.1e-5 short at its default gap. 408132235699: HiGHS' reported bound was its objective.
            // 3199982222000851: SCIP at its default dual feasibility tolerance called a plan 18.06 USD short optimal.
            // 2809620136821868702, 4773068199380080503: HiGHS at its default MIP feasibility tolerance (1 USD in the
            // model's units) pruned plans 0.77 and 0.86 USD better and called the one it held optimal.
            ulong[] failed = [116, 408132235699, 3199982222000851, 2809620136821868702, 4773068199380080503];
            foreach (var seed in Enumerable.Range(1, 40).Select(i => (ulong)i).Concat(failed))
            {
                data.Add(solver, seed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EnumerationCases))]
    public void Planner_matches_exhaustive_enumeration_on_random_small_instances(SolverKind solver, ulong seed) =>
        MatchesEnumeration(solver, seed, threads: 1);

    [Theory]
    [InlineData(SolverKind.Scip, 3UL)]
    [InlineData(SolverKind.Scip, 7UL)]
    [InlineData(SolverKind.Scip, 12UL)]
    [InlineData(SolverKind.Scip, 21UL)]
    [InlineData(SolverKind.Highs, 3UL)]
    [InlineData(SolverKind.Highs, 12UL)]
    public void With_two_threads_the_mip_beside_neighbourhood_re_solves_still_matches_enumeration(SolverKind solver, ulong seed) =>
        MatchesEnumeration(solver, seed, threads: 2);

    [Theory]
    [InlineData(5UL)]
    [InlineData(12UL)]
    public void With_three_threads_one_mip_thread_and_two_re_solve_workers_still_match_enumeration(ulong seed) =>
        MatchesEnumeration(SolverKind.Scip, seed, threads: 3);

    private static void MatchesEnumeration(SolverKind solver, ulong seed, int threads) =>
        MatchesEnumeration(solver, new CompiledInstance(SmallInstances.Random(seed)), seed, threads);

    private static void MatchesEnumeration(SolverKind solver, CompiledInstance instance, ulong seed, int threads)
    {
        var optimum = SmallInstances.OptimumByEnumeration(instance);

        var result = ExactPlanner.Solve(instance, new PlannerOptions { Solver = solver, TimeLimit = TimeSpan.FromSeconds(20), Threads = threads });

        if (optimum is null)
        {
            Assert.Equal(PlanStatus.Infeasible, result.Status);
            return;
        }

        Assert.True(result.Evaluation!.IsFeasible, string.Join("; ", result.Evaluation.Violations));
        var tolerance = 1e-6 * Math.Max(1, Math.Abs(optimum.Value));

        // Honest reporting, whatever the engine: the true optimum lies under the reported bound, and a plan
        // reported optimal is the optimum.
        Assert.True(result.Bound is null || result.Bound >= optimum.Value - tolerance, $"seed {seed}: bound {result.Bound:R} below the optimum {optimum:R}");
        if (result.Status == PlanStatus.Optimal)
        {
            Assert.True(Math.Abs(result.Objective!.Value - optimum.Value) <= tolerance, $"seed {seed}: {solver} said optimal at {result.Objective:R}, enumeration {optimum:R}");
        }

        // Every engine reaches the optimum, and the two MIP engines prove it (HiGHS at the planner's gap, not its own 1e-4).
        Assert.True(optimum.Value - result.Objective!.Value <= tolerance, $"seed {seed}: {solver} found {result.Objective:R}, enumeration {optimum:R}");
        if (solver != SolverKind.CpSat)
        {
            Assert.Equal(PlanStatus.Optimal, result.Status);
        }
    }

    [Theory]
    [MemberData(nameof(UnusualCases))]
    public void Planner_matches_exhaustive_enumeration_in_the_contracts_corners(SolverKind solver, ulong seed)
    {
        // Through the JSON reader, as a planner's file would come: it must be valid as written.
        var problems = new List<ContractProblem>();
        var source = InstanceReader.TryRead(InstanceWriter.Write(SmallInstances.Unusual(seed)), problems);
        Assert.Empty(problems);
        MatchesEnumeration(solver, new CompiledInstance(source!), seed, threads: 1);
    }

    /// <summary>
    /// Seeds 1..24 for SCIP and CP-SAT, 1..8 for HiGHS, and the seeds the fresh-seed test found failing: 52147 (nothing
    /// can be placed, so the model is empty, which HiGHS answered with no status; every engine runs it) and 1948746 (HiGHS
    /// called a plan 18.95 USD short of the optimum optimal: its reduced-cost tolerance on an objective in millions).
    /// </summary>
    public static TheoryData<SolverKind, ulong> UnusualCases()
    {
        var data = new TheoryData<SolverKind, ulong>();
        foreach (var (solver, count) in new[] { (SolverKind.Scip, 24), (SolverKind.CpSat, 24), (SolverKind.Highs, 8) })
        {
            foreach (var seed in Enumerable.Range(1, count))
            {
                data.Add(solver, (ulong)seed);
            }

            data.Add(solver, 52147);
            data.Add(solver, 1948746);
        }

        return data;
    }

    [Fact]
    public void Planner_matches_exhaustive_enumeration_on_fresh_random_seeds()
    {
        // New seeds every run (CsCheck prints a failing one); a failure becomes a fixed case above.
        Gen.ULong.Sample(seed => MatchesEnumeration(SolverKind.Scip, seed, threads: 1), iter: 15, threads: 1);
        Gen.ULong.Sample(seed => Planner_matches_exhaustive_enumeration_in_the_contracts_corners(SolverKind.Scip, seed), iter: 40, threads: 1);
        Gen.ULong.Sample(seed => Planner_matches_exhaustive_enumeration_in_the_contracts_corners(SolverKind.CpSat, seed), iter: 20, threads: 1);
        Gen.ULong.Sample(seed => Planner_matches_exhaustive_enumeration_in_the_contracts_corners(SolverKind.Highs, seed), iter: 20, threads: 1);
    }

    [Fact]
    public void Reported_objective_is_the_evaluators_recomputation_from_the_plan_alone()
    {
        var instance = new CompiledInstance(SmallInstances.Random(12345));

        var result = ExactPlanner.Solve(instance, new PlannerOptions { TimeLimit = TimeSpan.FromSeconds(20) });
        var recomputed = PlanEvaluator.Evaluate(instance, PlanReader.Read(PlanWriter.Write(result.Assignment!.ToPlan(instance))));

        Assert.True(recomputed.IsFeasible);
        Assert.Equal(result.Objective!.Value, recomputed.Objective.Total, 1e-6 * Math.Abs(recomputed.Objective.Total));
    }

    [Fact]
    public void Colliding_signed_leases_are_infeasible_and_the_report_names_them_the_pool_and_periods()
    {
        var tiny = InstanceReader.ReadFile(TinyPath);
        var instance = tiny with
        {
            Leases = tiny.Leases.Add(new Lease("acme-2", "Acme AI", LeaseStatus.Signed, 8000, 3, 0, 0, ["m-h100"], 2.0, 3.0)),
        };

        var result = Solve(instance, SolverKind.Scip);

        Assert.Equal(PlanStatus.Infeasible, result.Status);
        var report = result.Infeasibility!;
        Assert.Equal(["signed lease 'acme-1' (Acme AI)", "signed lease 'acme-2' (Acme AI)"], report.Commitments);
        Assert.Contains(report.Reasons, r => r.Contains("Pool 'm-h100' in periods 0..2", StringComparison.Ordinal)
            && r.Contains("12,000 GPUs", StringComparison.Ordinal) && r.Contains("2,000 more", StringComparison.Ordinal));
    }

    [Fact]
    public void A_required_job_too_big_for_any_pool_is_explained_on_its_own()
    {
        var tiny = InstanceReader.ReadFile(TinyPath);
        var instance = tiny with { Jobs = [tiny.Jobs[0] with { Gpus = 50_000, Required = true }, tiny.Jobs[1]] };

        var result = Solve(instance, SolverKind.Scip);

        Assert.Equal(PlanStatus.Infeasible, result.Status);
        Assert.Equal(["required job 'pretrain'"], result.Infeasibility!.Commitments);
        Assert.Contains("at most 14,000 fit throughout any such window ('m-h100' in periods 3..5, held to that by its GPUs in period 3)", Assert.Single(result.Infeasibility.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void A_signed_lease_held_out_by_a_power_cap_is_explained_by_that_cap()
    {
        // 5 MW powers 3,571 GPUs of 1.4 kW; the pool has 10,000 and the signed lease needs 4,000.
        var tiny = InstanceReader.ReadFile(TinyPath);
        var instance = tiny with { Sites = [tiny.Sites[0] with { PowerCapMw = [.. Enumerable.Repeat(5.0, 8)] }] };

        var result = Solve(instance, SolverKind.Scip);

        Assert.Equal(PlanStatus.Infeasible, result.Status);
        Assert.Contains(
            "at most 3,571 fit throughout any such window ('m-h100' in periods 0..3, held to that by the power cap of site 'memphis' (5 MW) in period 0)",
            Assert.Single(result.Infeasibility!.Reasons), StringComparison.Ordinal);
        var (lease, reason) = Assert.Single(InfeasibilityExplainer.Unplaceable(new CompiledInstance(instance)));
        Assert.Equal(Block.Lease(0), lease);
        Assert.Equal(result.Infeasibility.Reasons[0], reason);
    }

    [Theory]
    [InlineData(SolverKind.Scip)]
    [InlineData(SolverKind.Highs)]
    [InlineData(SolverKind.CpSat)]
    public void A_fleet_with_no_room_for_anything_and_a_signed_lease_is_infeasible_not_an_empty_plan(SolverKind solver)
    {
        // No GPUs and no spot market: the model has no variables, and the signed lease still must be placed (the
        // engines called such a model solved with the empty plan, and the plan was refused as a bug in the model).
        var tiny = InstanceReader.ReadFile(TinyPath);
        var instance = tiny with { Pools = [tiny.Pools[0] with { Gpus = 0, Deliveries = [] }], Spot = null };

        var result = Solve(instance, solver);

        Assert.Equal(PlanStatus.Infeasible, result.Status);
        Assert.Null(result.Assignment);
        Assert.Equal(["signed lease 'acme-1' (Acme AI)"], result.Infeasibility!.Commitments);
    }

    [Theory]
    [InlineData(SolverKind.Scip)]
    [InlineData(SolverKind.CpSat)]
    public void Deterministic_mode_gives_the_same_plan_twice(SolverKind solver)
    {
        var instance = SmallInstances.Random(777);

        var first = Solve(instance, solver, deterministic: true);
        var second = Solve(instance, solver, deterministic: true);

        Assert.Equal(first.Assignment!.LeasePool.AsEnumerable(), second.Assignment!.LeasePool.AsEnumerable());
        Assert.Equal(first.Assignment.JobStart.AsEnumerable(), second.Assignment.JobStart.AsEnumerable());
        Assert.Equal(first.Objective, second.Objective);
    }

    [Fact]
    public void A_previous_plan_is_used_by_cp_sat_and_never_makes_the_result_worse()
    {
        var instance = new CompiledInstance(InstanceReader.ReadFile(TinyPath));
        var previous = new Assignment([0, 0], [0, 1], [0, -1], [4, 0]);

        var result = ExactPlanner.Solve(instance, new PlannerOptions { Solver = SolverKind.CpSat, Hint = previous, TimeLimit = TimeSpan.FromSeconds(10) });

        Assert.True(PlanEvaluator.Evaluate(instance, previous).IsFeasible);
        Assert.Equal(73_066_528, result.Objective!.Value, 6);
    }

    [Fact]
    public void An_engine_stopped_without_a_solution_claims_no_bound_and_no_zero_gap()
    {
        // HiGHS through OR-Tools hands back no plan when the limit stops it; the planner falls back to the greedy plan and
        // must not dress that up as a 0% gap.
        var instance = new CompiledInstance(InstanceReader.ReadFile(Path.Combine(Root.Find(), "seeds", "mid-6x120x20x26.json")));

        var result = ExactPlanner.Solve(instance, new PlannerOptions { Solver = SolverKind.Highs, TimeLimit = TimeSpan.FromSeconds(1), Threads = 1 });

        Assert.NotEqual(PlanStatus.Optimal, result.Status);
        Assert.Equal(SolveEnd.TimeLimit, result.End);
        Assert.True(result.Evaluation!.IsFeasible);
        Assert.True(result.Bound is null || result.Bound >= result.Objective, $"bound {result.Bound} below the plan's {result.Objective}");
        Assert.True(result.Gap is null || result.Gap > 0, $"gap {result.Gap} claimed for a plan that is not proven optimal");
    }

    [Fact]
    public void A_claimed_bound_below_the_best_plans_value_is_refused_and_plan_json_says_why()
    {
        // HiGHS once called a plan optimal with a bound 18.95 USD below that plan's recomputed value (corner seed 1948746,
        // before its reduced-cost tolerance was tightened): such a bound bounds nothing.
        Assert.Null(ExactPlanner.BoundOver(74_918.4084, 74_937.357));
        Assert.Equal(74_937.357, ExactPlanner.BoundOver(74_937.357 - 1e-3, 74_937.357));
        Assert.Equal(80_000, ExactPlanner.BoundOver(80_000, 74_937.357));

        var instance = new CompiledInstance(InstanceReader.ReadFile(TinyPath));
        var solved = Solve(instance.Source, SolverKind.Scip);
        Assert.Null(Notes(solved));

        var refused = solved with { Status = PlanStatus.Feasible, Bound = null, BoundNote = ExactPlanner.RefusedProof("HiGHS", 74_918.4084, 74_937.357) };
        var note = Notes(refused)!.Value.GetProperty("bound").GetString();
        Assert.Contains("HiGHS called its plan optimal with a bound of 74,918.41 USD, below the best plan's recomputed value of 74,937.36 USD", note);
        Assert.Contains("not reported", note);

        System.Text.Json.JsonElement? Notes(PlannerResult result)
        {
            var json = PlanWriter.Write(result.Assignment!.ToPlan(instance), result.Evaluation, result.Report(result.Status.ToString().ToLowerInvariant()), instance);
            return System.Text.Json.JsonDocument.Parse(json).RootElement.TryGetProperty("notes", out var notes) ? notes.Clone() : null;
        }
    }
}
