using Allocator.Core.Evaluation;
using Allocator.Core.Planning;
using Allocator.Core.Randomness;

namespace Allocator.Search.Tests;

public sealed class MoveTests
{
    [Fact]
    public void Every_move_keeps_the_plan_feasible_and_each_kind_changes_it()
    {
        var applied = Enum.GetValues<MoveKind>().ToDictionary(k => k, _ => 0);
        for (var seed = 1UL; seed <= 4; seed++)
        {
            Walk(seed, applied);
        }

        // Across the four fleets every kind of move found something to do (one fleet may offer no swap, say).
        Assert.All(applied, pair => Assert.True(pair.Value > 0, $"{pair.Key} never applied in 12,000 tries."));
    }

    private static void Walk(ulong seed, Dictionary<MoveKind, int> applied)
    {
        var instance = SearchCases.Generated(seed);
        var draft = DraftPlan.Of(instance, GreedyPlanner.Plan(instance)!);
        var rng = new SplitMix64(seed);
        for (var i = 0; i < 3000; i++)
        {
            var kind = (MoveKind)rng.Between(0, applied.Count - 1);
            var before = draft.ToAssignment();
            if (Moves.Apply(kind, draft, ref rng))
            {
                applied[kind]++;
                Assert.False(SameDecisions(before, draft.ToAssignment()), $"{kind} reported a change but the plan is the same.");
            }
            else
            {
                Assert.True(SameDecisions(before, draft.ToAssignment()), $"{kind} failed but changed the plan.");
            }

            if (i % 50 == 0)
            {
                AssertFeasible(instance, draft);
            }
        }

        AssertFeasible(instance, draft);
    }

    [Fact]
    public void Capacity_buffers_keep_the_share_free_wherever_an_offer_or_free_job_could_go()
    {
        var instance = SearchCases.Generated(7);
        var plan = DraftPlan.Of(instance, GreedyPlanner.Plan(instance)!);
        var buffered = CapacityBuffer.Apply(plan, 0.10);
        AssertFeasible(instance, buffered);
        for (var pool = 0; pool < instance.PoolCount; pool++)
        {
            for (var t = 0; t < instance.Periods; t++)
            {
                if (buffered.Headroom(pool, t) >= Math.Ceiling(0.10 * instance.CapacityAt(pool, t)))
                {
                    continue;
                }

                // Still too full: only signed leases and jobs that must stay may be left covering it.
                for (var l = 0; l < instance.LeaseCount; l++)
                {
                    var covers = buffered.LeasePool(l) == pool && buffered.LeaseStart(l) <= t && t < buffered.LeaseStart(l) + instance.LeasePeriods[l];
                    Assert.False(covers && !instance.LeaseSigned[l], $"offer {l} still fills pool {pool} in period {t}.");
                }

                for (var j = 0; j < instance.JobCount; j++)
                {
                    var covers = buffered.JobPool(j) == pool && buffered.JobStart(j) <= t && t < buffered.JobStart(j) + instance.JobPeriods[j];
                    Assert.False(covers && buffered.CanDropJob(j), $"job {j} could go but still fills pool {pool} in period {t}.");
                }
            }
        }

        // The plan it came from is untouched.
        Assert.True(SameDecisions(GreedyPlanner.Plan(instance)!, plan.ToAssignment()));
    }

    private static void AssertFeasible(CompiledInstance instance, DraftPlan draft)
    {
        var evaluation = PlanEvaluator.Evaluate(instance, draft.ToAssignment());
        Assert.True(evaluation.IsFeasible, string.Join("; ", evaluation.Violations));
    }

    private static bool SameDecisions(Assignment a, Assignment b)
    {
        for (var l = 0; l < a.LeasePool.Length; l++)
        {
            if (a.LeasePool[l] != b.LeasePool[l] || (a.LeasePool[l] >= 0 && a.LeaseStart[l] != b.LeaseStart[l]))
            {
                return false;
            }
        }

        for (var j = 0; j < a.JobPool.Length; j++)
        {
            if (a.JobPool[j] != b.JobPool[j] || (a.JobPool[j] >= 0 && a.JobStart[j] != b.JobStart[j]))
            {
                return false;
            }
        }

        return true;
    }
}
