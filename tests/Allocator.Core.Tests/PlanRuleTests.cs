using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;

namespace Allocator.Core.Tests;

/// <summary>
/// Each rule of the contract on its own: a feasible plan of a small instance, then that plan with one decision changed
/// so that it breaks exactly one rule, which the evaluator names (and no other).
/// </summary>
public sealed class PlanRuleTests
{
    private static readonly CompiledInstance Instance = new(InstanceReader.Read("""
        {
          "name": "rules", "horizon": { "start": "2026-07-06", "periods": 6, "periodHours": 1 },
          "sites": [ { "id": "s", "powerCapMw": 100 }, { "id": "t", "powerCapMw": 1 } ],
          "pools": [
            { "id": "a", "site": "s", "gpus": 100, "kwPerGpu": 1.0 },
            { "id": "b", "site": "s", "gpus": 100, "kwPerGpu": 1.0 },
            { "id": "c", "site": "t", "gpus": 10000, "kwPerGpu": 20.0 }
          ],
          "leases": [
            { "id": "sig", "status": "signed", "gpus": 10, "periods": 2, "earliestStart": 0, "latestStart": 1, "pools": ["a"], "pricePerGpuHour": 1 },
            { "id": "off", "gpus": 10, "periods": 2, "earliestStart": 1, "latestStart": 2, "pools": ["a"], "pricePerGpuHour": 1 },
            { "id": "big", "gpus": 95, "periods": 1, "earliestStart": 0, "latestStart": 5, "pricePerGpuHour": 1 }
          ],
          "jobs": [
            { "id": "first", "gpus": 10, "periods": 2, "earliestStart": 0, "deadline": 5, "pools": ["a"], "value": 100, "successProbability": 1 },
            { "id": "req", "gpus": 10, "periods": 1, "earliestStart": 2, "deadline": 4, "pools": ["a"], "value": 100, "successProbability": 1, "required": true },
            { "id": "then", "gpus": 10, "periods": 1, "earliestStart": 0, "deadline": 5, "pools": ["a", "b"], "value": 100, "successProbability": 1, "after": ["first"] }
          ]
        }
        """));

    private static readonly Plan Feasible = new(
        "rules",
        [new LeaseDecision("sig", true, "a", 0), new LeaseDecision("off", true, "a", 1), new LeaseDecision("big", false, null, null)],
        [new JobDecision("first", true, "a", 0), new JobDecision("req", true, "a", 2), new JobDecision("then", true, "a", 2)]);

    [Fact]
    public void The_plan_every_case_changes_is_feasible()
    {
        Assert.Empty(PlanEvaluator.Evaluate(Instance, Feasible).Violations);
    }

    [Theory]
    [InlineData("signed-lease", "sig", null, null, "signed lease 'sig'")]
    [InlineData("lease-pool", "off", "b", 1, "may not run on pool 'b'; allowed: a")]
    [InlineData("lease-window", "off", "a", 3, "outside its window 1..2")]
    [InlineData("pool-capacity", "big", "a", 1, "pool 'a' is overbooked in periods 1..1 by up to 25 GPUs")]
    [InlineData("site-power", "big", "c", 0, "site 't' draws up to 0.900 MW over its cap in periods 0..0")]
    public void A_lease_decision_that_breaks_one_rule_is_named_by_that_rule_alone(string rule, string lease, string? pool, int? start, string says)
    {
        var plan = Feasible with { Leases = [.. Feasible.Leases.Select(d => d.Id == lease ? new LeaseDecision(lease, pool is not null, pool, start) : d)] };

        var violation = Assert.Single(PlanEvaluator.Evaluate(Instance, plan).Violations);

        Assert.Equal(rule, violation.Rule);
        Assert.Contains(says, violation.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("required-job", "req", null, null, "required job 'req' is not scheduled")]
    [InlineData("job-pool", "first", "b", 0, "may not run on pool 'b'; allowed: a")]
    [InlineData("job-window", "req", "a", 0, "must start at or after 2")]
    [InlineData("job-chain", "then", "a", 1, "before 'first' finishes")]
    public void A_job_decision_that_breaks_one_rule_is_named_by_that_rule_alone(string rule, string job, string? pool, int? start, string says)
    {
        var plan = Feasible with { Jobs = [.. Feasible.Jobs.Select(d => d.Id == job ? new JobDecision(job, pool is not null, pool, start) : d)] };

        var violation = Assert.Single(PlanEvaluator.Evaluate(Instance, plan).Violations);

        Assert.Equal(rule, violation.Rule);
        Assert.Contains(says, violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_overbooked_pool_is_reported_as_data_period_by_period_with_what_runs_there()
    {
        var plan = Feasible with { Leases = [.. Feasible.Leases.Select(d => d.Id == "big" ? new LeaseDecision("big", true, "a", 1) : d)] };

        var violation = Assert.Single(PlanEvaluator.Evaluate(Instance, plan).Violations);

        Assert.Equal("a", violation.Where);
        Assert.Equal((1, 1), (violation.FirstPeriod, violation.LastPeriod));
        Assert.Equal([new PeriodExcess(1, 100, 125, 25)], violation.Periods);
        Assert.Equal(["sig", "off", "big"], violation.Leases);
        Assert.Equal(["first"], violation.Jobs);
        Assert.Contains("period 1: 125 GPUs placed on 100 (25 over)", violation.Message, StringComparison.Ordinal);
        Assert.Contains("leases 'sig', 'off', 'big'; job 'first'; move or drop one of them", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_site_filled_exactly_to_its_cap_fits_in_the_evaluator_and_in_the_ledger_alike()
    {
        // 187 GPUs at 1.4 kW draw 0.26180000000000003 MW in floating point: exactly the cap, as a planner reads it.
        var instance = new CompiledInstance(InstanceReader.Read("""
            {
              "name": "cap", "horizon": { "start": "2026-07-06", "periods": 1, "periodHours": 1 },
              "sites": [ { "id": "s", "powerCapMw": 0.2618 } ],
              "pools": [ { "id": "a", "site": "s", "gpus": 5000, "kwPerGpu": 1.4 } ],
              "leases": [ { "id": "l", "gpus": 187, "periods": 1, "earliestStart": 0, "latestStart": 0, "pricePerGpuHour": 1 } ],
              "jobs": []
            }
            """));
        var ledger = new CapacityLedger(instance);

        Assert.True(PlanEvaluator.Evaluate(instance, new Plan("cap", [new LeaseDecision("l", true, "a", 0)], [])).IsFeasible);
        Assert.True(ledger.Fits(0, 0, 1, 187));
        Assert.False(ledger.Fits(0, 0, 1, 188));
    }
}
