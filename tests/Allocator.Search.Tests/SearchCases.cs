using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Json;
using Allocator.Solver;

namespace Allocator.Search.Tests;

/// <summary>Instances for search tests: generated fleets with every rule in play, and a hand-built one with a known robust answer.</summary>
internal static class SearchCases
{
    /// <summary>A generated instance with chains, signed leases, offers and uncertainty; one site's power cap tightened.</summary>
    public static CompiledInstance Generated(ulong seed, bool uncertainty = true, int pools = 3, int leases = 16, int jobs = 6, int periods = 8)
    {
        var generated = InstanceGenerator.Generate(new GeneratorOptions(pools, leases, jobs, periods, seed, Uncertainty: uncertainty));
        var sites = generated.Sites.SetItem(0, generated.Sites[0] with { PowerCapMw = [.. generated.Sites[0].PowerCapMw!.Value.Select(c => c * 0.7)] });
        return new CompiledInstance(generated with { Sites = sites });
    }

    /// <summary>
    /// One pool of 1,000 GPUs that loses up to 10% to outages (mean 5%) and two offers that cannot both fit: "big" (all
    /// 1,000 GPUs at 1.00/h) and "small" (800 at 1.00/h), both with a 50/h penalty for GPU-hours not delivered. The exact
    /// plan takes "big" (more revenue); in scenarios "big" is short about 50 GPUs every period and loses money, while
    /// "small" is never short. The robust answer is "small".
    /// </summary>
    public static CompiledInstance OutageTrap() => new(InstanceReader.Read("""
        {
          "name": "outage-trap",
          "horizon": { "start": "2026-07-06", "periods": 4, "periodHours": 168 },
          "sites": [ { "id": "s1" } ],
          "pools": [ { "id": "p1", "site": "s1", "gpus": 1000, "kwPerGpu": 1.0 } ],
          "leases": [
            { "id": "big", "gpus": 1000, "periods": 4, "earliestStart": 0, "latestStart": 0, "pricePerGpuHour": 1.0, "penaltyPerGpuHour": 50 },
            { "id": "small", "gpus": 800, "periods": 4, "earliestStart": 0, "latestStart": 0, "pricePerGpuHour": 1.0, "penaltyPerGpuHour": 50 }
          ],
          "jobs": [],
          "uncertainty": { "outage": { "mean": 0.05, "max": 0.10 } }
        }
        """));

    /// <summary>The exact planner's optimal plan (SCIP, small instances solve in well under a second).</summary>
    public static Assignment Exact(CompiledInstance instance)
    {
        var result = ExactPlanner.Solve(instance, new PlannerOptions { TimeLimit = TimeSpan.FromSeconds(30), Threads = 1 });
        Assert.Equal(PlanStatus.Optimal, result.Status);
        return result.Assignment!;
    }

    public static bool Accepted(CompiledInstance instance, Assignment plan, string lease) => plan.LeasePool[instance.LeaseIndex(lease)] >= 0;
}
