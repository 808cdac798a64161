using System.Collections.Immutable;
using System.Diagnostics;
using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Core.Planning;
using Allocator.Core.Policies;

namespace Allocator.Solver;

/// <summary>
/// Bid-price control: the LP relaxation of the exact model prices every GPU-period (the dual of its pool's capacity
/// row) and every MW-period (the dual of its site's power row); an offer is accepted when its net revenue at some
/// placement is positive and at least the price of the GPU-periods and power that placement uses. The plan is then the greedy plan of
/// the instance with the accepted offers signed and the others gone (if the greedy planner cannot place them all, the
/// accepted offers stay offers it may still decline, and where the greedy order still strands a commitment, CP-SAT
/// places the commitments first).
/// </summary>
public sealed class BidPricePolicy : IPlanningPolicy
{
    // One thread and a few seconds: a policy is re-run at every epoch of every scenario (the phase takes a quarter).
    private static readonly PlannerOptions FeasibilityOptions = new() { Threads = 1, TimeLimit = TimeSpan.FromSeconds(8) };

    /// <inheritdoc />
    public string Name => "bid-price";

    /// <inheritdoc />
    public PolicyPlan Plan(PolicyInput input, IProgress<ProgressPoint>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(input);
        var clock = Stopwatch.StartNew();
        var instance = input.Instance;
        var accepted = AcceptedOffers(instance);
        var source = instance.Source;
        var kept = source with
        {
            Leases = [.. source.Leases.Where(l => l.Status == LeaseStatus.Signed || accepted.Contains(l.Id))
                .Select(l => accepted.Contains(l.Id) ? l with { Status = LeaseStatus.Signed } : l)],
        };
        var restricted = new CompiledInstance(kept);
        var plan = GreedyPlanner.Plan(restricted);
        if (plan is null)
        {
            restricted = new CompiledInstance(source with { Leases = [.. source.Leases.Where(l => l.Status == LeaseStatus.Signed || accepted.Contains(l.Id))] });
            // Mid-horizon the commitments left can be tight enough that the greedy order strands one: then CP-SAT places
            // the commitments and the greedy planner fills around them, as the exact planner's start does.
            plan = GreedyPlanner.Plan(restricted) ?? StartPlans.Feasibility(new PlacementCatalog(restricted), FeasibilityOptions, cancellation)?.Plan;
        }

        if (plan is null)
        {
            return PolicyPlan.None(PolicyOutcome.NoPlanInTime, Name, "neither the greedy planner nor CP-SAT placed every signed lease and required job in time.", clock.Elapsed.TotalSeconds);
        }

        var evaluation = PlanEvaluator.Evaluate(instance, Lift(instance, restricted, plan));
        return PolicyPlan.Of(evaluation, new PlanReport("Feasible", Name, null, null, clock.Elapsed.TotalSeconds));
    }

    /// <summary>The offers whose net revenue at some placement beats the bid prices of what that placement uses.</summary>
    public static HashSet<string> AcceptedOffers(CompiledInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var catalog = new PlacementCatalog(instance);
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        if (LpRelaxation.Solve(catalog) is not { PerGpu: var perGpu, PerMw: var perMw })
        {
            return accepted;
        }

        var T = instance.Periods;
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            var (gpus, periods) = (instance.LeaseGpus[l], instance.LeasePeriods[l]);
            // At the LP's optimum an offer it takes has a reduced cost of zero: it pays exactly the prices, so a tie is taken.
            var beats = !instance.LeaseSigned[l] && catalog.Leases[l].Any(o =>
                o.NetValue > 0 && o.NetValue >= Enumerable.Range(o.Start, periods).Sum(t =>
                    gpus * (perGpu[o.Pool * T + t] + (perMw[instance.PoolSite[o.Pool] * T + t] * instance.KwPerGpu[o.Pool] / 1000))) - (1e-6 * o.NetValue));
            if (beats)
            {
                accepted.Add(instance.Source.Leases[l].Id);
            }
        }

        return accepted;
    }

    /// <summary>The restricted plan on the full instance: the same placements by id, every other offer declined.</summary>
    private static Assignment Lift(CompiledInstance instance, CompiledInstance restricted, Assignment plan)
    {
        var leasePool = Enumerable.Repeat(-1, instance.LeaseCount).ToArray();
        var leaseStart = instance.LeaseEarliestStart.ToArray();
        for (var r = 0; r < restricted.LeaseCount; r++)
        {
            var l = instance.LeaseIndex(restricted.Source.Leases[r].Id);
            (leasePool[l], leaseStart[l]) = (plan.LeasePool[r], plan.LeaseStart[r]);
        }

        return new Assignment([.. leasePool], [.. leaseStart], plan.JobPool, plan.JobStart);
    }
}
