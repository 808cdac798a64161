using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Core.Planning;
using ModelSolver = Google.OrTools.ModelBuilder.Solver;

namespace Allocator.Solver.Tests;

public sealed class MipModelTests
{
    [Fact]
    public void SCIP_takes_the_hinted_plan_as_its_first_incumbent_and_completes_its_spot()
    {
        // A plan SCIP would not find by itself: the greedy plan of the mid seed with every other accepted offer dropped
        // (still feasible: removing a lease only frees room). Stopped at its first solution, SCIP must hand it back.
        var instance = new CompiledInstance(InstanceReader.ReadFile(Path.Combine(Root.Find(), "seeds", "mid-6x120x20x26.json")));
        var greedy = GreedyPlanner.Plan(instance)!;
        var pools = greedy.LeasePool.ToArray();
        var dropped = 0;
        for (var l = 0; l < pools.Length; l++)
        {
            if (pools[l] >= 0 && !instance.LeaseSigned[l] && dropped++ % 2 == 0)
            {
                pools[l] = -1;
            }
        }

        var hint = greedy with { LeasePool = [.. pools] };
        var expected = PlanEvaluator.Evaluate(instance, hint);
        Assert.True(expected.IsFeasible);
        var model = new MipModel(new PlacementCatalog(instance));
        model.Hint(expected);
        var solver = new ModelSolver("scip");
        solver.SetSolverSpecificParameters("limits/solutions = 1");

        solver.Solve(model.Model);

        // (Arrays: xunit compares ImmutableArrays by their IEquatable, i.e. by reference.)
        var found = model.Extract(solver);
        Assert.Equal(hint.LeasePool.ToArray(), found.LeasePool.ToArray());
        Assert.Equal(hint.JobPool.ToArray(), found.JobPool.ToArray());
        Assert.Equal(hint.JobStart.ToArray(), found.JobStart.ToArray());
        Assert.Equal(
            Enumerable.Range(0, pools.Length).Where(l => pools[l] >= 0).Select(l => hint.LeaseStart[l]),
            Enumerable.Range(0, pools.Length).Where(l => pools[l] >= 0).Select(l => found.LeaseStart[l]));
        // The engine's own value includes the spot it chose, which must be the contract's best spot for the plan.
        Assert.Equal(expected.Objective.Total, solver.ObjectiveValue / MipModel.ObjectiveScale, 1e-6 * expected.Objective.Total);
    }
}
