using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Scenarios;
using CsCheck;

namespace Allocator.Kernels.Tests;

/// <summary>
/// Every scorer backend on the contract's corners (<see cref="SmallInstances.Unusual"/>: required jobs, retired GPUs,
/// a period with no power, spot margins of zero or below, sell-through 0 or 1, spot priced per period) over plans drawn
/// from the exhaustive enumeration of each tiny instance, feasible or not. Without uncertainty every scenario is worth
/// the evaluator's objective; with it, every pair is the reference scorer's to 1e-9 relative.
/// </summary>
public sealed class ContractCornerTests
{
    private const int PlansPerInstance = 48;

    private static readonly Uncertainty Everything = new(new DeliverySlip(0.3, 2), new Outage(0.05, 0.1), new JobOverrun(0.2, 0.5), true, 0.1);

    /// <summary>Every backend the CPU can run: each lane width, the scalar path, and the real kernel on ILGPU's emulator.</summary>
    private static IEnumerable<(string Name, BulkScorer Scorer)> Backends() =>
    [
        .. new[] { LaneWidth.Vector512, LaneWidth.Vector, LaneWidth.TwinVector, LaneWidth.TwinVector512 }
            .Select(w => ($"lanes {w}", BulkScorer.Create(ScoringDevice.Cpu, options: new ScorerOptions(CpuLaneWidth: w)))),
        ("scalar", BulkScorer.Create(ScoringDevice.Cpu, options: new ScorerOptions(CpuLanes: false))),
        ("emulator", BulkScorer.Create(ScoringDevice.IlgpuCpu)),
    ];

    /// <summary>Seeds whose instance has feasible plans (required jobs leave many corner instances none).</summary>
    public static TheoryData<ulong, bool> WithFeasiblePlans() => new()
    {
        { 2, true }, { 3, true }, { 5, true }, { 6, true }, { 10, true },
        { 1, false }, { 2, false }, { 3, false },
    };

    public static TheoryData<ulong, bool> Seeds() => new()
    {
        { 1, true }, { 2, true }, { 3, true }, { 4, true }, { 5, true }, { 6, true }, { 7, true }, { 8, true },
        { 1, false }, { 2, false }, { 3, false },
    };

    [Theory]
    [MemberData(nameof(WithFeasiblePlans))]
    public void Without_uncertainty_every_backend_scores_a_feasible_plan_at_the_evaluators_objective(ulong seed, bool unusual)
    {
        var backends = Backends().ToList();
        try
        {
            Assert.True(WithoutUncertaintyMatchesTheEvaluator(seed, unusual, backends) > 0, "the instance has feasible plans");
        }
        finally
        {
            backends.ForEach(b => b.Scorer.Dispose());
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void With_uncertainty_every_backend_scores_every_plan_as_the_reference_does(ulong seed, bool unusual)
    {
        var backends = Backends().ToList();
        try
        {
            WithUncertaintyMatchesTheReference(seed, unusual, backends);
        }
        finally
        {
            backends.ForEach(b => b.Scorer.Dispose());
        }
    }

    [Fact]
    public void Random_corner_instances_agree_on_every_backend()
    {
        var backends = Backends().ToList();
        try
        {
            Gen.ULong.Sample(seed =>
            {
                WithoutUncertaintyMatchesTheEvaluator(seed, unusual: true, backends);
                WithUncertaintyMatchesTheReference(seed, unusual: true, backends);
            }, iter: 40, threads: 1);
        }
        finally
        {
            backends.ForEach(b => b.Scorer.Dispose());
        }
    }

    /// <returns>How many feasible plans were scored.</returns>
    private static int WithoutUncertaintyMatchesTheEvaluator(ulong seed, bool unusual, List<(string Name, BulkScorer Scorer)> backends)
    {
        var instance = new CompiledInstance(Source(seed, unusual));
        var evaluations = SmallInstances.Assignments(instance).Select(a => (Plan: a, Evaluation: PlanEvaluator.Evaluate(instance, a))).Where(e => e.Evaluation.IsFeasible).ToList();
        var picked = Spread(evaluations, PlansPerInstance);
        var plans = picked.Select(p => p.Plan).ToList();
        foreach (var (name, scorer) in backends)
        {
            const int scenarios = 3;
            var matrix = scorer.Score(instance, plans, seed: 9, scenarios);
            for (var n = 0; n < plans.Count; n++)
            {
                var objective = picked[n].Evaluation.Objective;
                var tolerance = 1e-9 * Math.Max(1, Math.Abs(objective.LeaseRevenue) + Math.Abs(objective.JobValue) + Math.Abs(objective.SpotRevenue) + Math.Abs(objective.PowerCost));
                for (var k = 0; k < scenarios; k++)
                {
                    var outcome = matrix[n, k];
                    var where = $"{instance.Source.Name}, {name}, plan {n} of {plans.Count}, scenario {k}";
                    Assert.True(Math.Abs(outcome.Total - objective.Total) <= tolerance, $"{where}: evaluator {objective.Total:R}, scorer {outcome.Total:R}");
                    Assert.True(outcome.Penalty == 0 && outcome.ShortGpuHours == 0, $"{where}: a feasible plan short of GPUs without uncertainty ({outcome.ShortGpuHours} GPU-hours)");
                }
            }
        }

        return plans.Count;
    }

    private static void WithUncertaintyMatchesTheReference(ulong seed, bool unusual, List<(string Name, BulkScorer Scorer)> backends)
    {
        var instance = new CompiledInstance(Source(seed, unusual) with { Uncertainty = Everything });
        var plans = Spread(SmallInstances.Assignments(instance).ToList(), PlansPerInstance);
        const int scenarios = 5;
        var expected = new ScenarioOutcome[plans.Count, scenarios];
        for (var n = 0; n < plans.Count; n++)
        {
            for (var k = 0; k < scenarios; k++)
            {
                expected[n, k] = ReferenceScorer.Score(instance, plans[n], 21, 100 + k);
            }
        }

        foreach (var (name, scorer) in backends)
        {
            var matrix = scorer.Score(instance, plans, seed: 21, scenarios, scenarioOffset: 100);
            for (var n = 0; n < plans.Count; n++)
            {
                for (var k = 0; k < scenarios; k++)
                {
                    var e = expected[n, k];
                    var tolerance = 1e-9 * Math.Max(1, Math.Abs(e.LeaseRevenue) + Math.Abs(e.JobValue) + Math.Abs(e.SpotRevenue));
                    var (want, got) = (ScoringCases.Parts(e), ScoringCases.Parts(matrix[n, k]));
                    for (var i = 0; i < want.Length; i++)
                    {
                        Assert.True(Math.Abs(want[i] - got[i]) <= tolerance, $"{instance.Source.Name}, {name}, plan {n} of {plans.Count}, scenario {k}, part {i}: reference {want[i]:R}, scorer {got[i]:R}");
                    }
                }
            }
        }
    }

    private static Instance Source(ulong seed, bool unusual) => unusual ? SmallInstances.Unusual(seed) : SmallInstances.Random(seed);

    /// <summary>At most <paramref name="count"/> items evenly spaced through the list: every part of the enumeration, few enough for the emulator.</summary>
    private static List<T> Spread<T>(List<T> all, int count) =>
        all.Count <= count ? all : [.. Enumerable.Range(0, count).Select(i => all[(int)((long)i * all.Count / count)])];
}
