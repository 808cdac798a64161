using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;

namespace Allocator.Core.Tests;

public sealed class PlanEvaluatorTests
{
    private static Plan TinyOptimum(int pretrainStart = 3, int posttrainStart = 6) => new(
        "tiny",
        [new LeaseDecision("acme-1", true, "m-h100", 0), new LeaseDecision("beta-1", true, "m-h100", 0)],
        [new JobDecision("pretrain", true, "m-h100", pretrainStart), new JobDecision("posttrain", true, "m-h100", posttrainStart)]);

    [Fact]
    public void Tiny_known_optimum_is_worth_73_066_528_with_each_part_as_computed_by_hand()
    {
        var instance = new CompiledInstance(Fixtures.Tiny());

        var evaluation = PlanEvaluator.Evaluate(instance, TinyOptimum());

        Assert.True(evaluation.IsFeasible, string.Join("; ", evaluation.Violations));
        // acme 4000*4*168*2.10 + beta 6000*3*168*2.40
        Assert.Equal(12_902_400, evaluation.Objective.LeaseRevenue, 6);
        // 0.6*(90M - 3*5M) + 0.8*(20M - 6*1M)
        Assert.Equal(56_200_000, evaluation.Objective.JobValue, 6);
        // idle: t3 2000, t4-5 6000, t6-7 12000 -> half sold = 19000 GPU-periods * 168 h * 1.60
        Assert.Equal(5_107_200, evaluation.Objective.SpotRevenue, 6);
        // (62000 used + 19000 spot) GPU-periods * 1.4 kW * 168 h * 60 USD/MWh
        Assert.Equal(1_143_072, evaluation.Objective.PowerCost, 6);
        Assert.Equal(73_066_528, evaluation.Objective.Total, 6);
    }

    [Fact]
    public void A_spot_price_per_period_prices_each_period_s_sales_and_a_constant_array_is_the_single_price()
    {
        var tiny = Fixtures.Tiny();
        var rising = tiny with { Spot = tiny.Spot! with { PriceByPeriod = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7] } };
        var constant = tiny with { Spot = tiny.Spot! with { PriceByPeriod = [.. Enumerable.Repeat(1.6, 8)] } };

        var byPeriod = PlanEvaluator.Evaluate(new CompiledInstance(rising), TinyOptimum()).Objective;
        var flat = PlanEvaluator.Evaluate(new CompiledInstance(constant), TinyOptimum()).Objective;

        // Half the idle GPUs sold: t3 1000, t4-5 3000, t6-7 6000, each at its period's price, 168 h.
        Assert.Equal(168 * ((1000 * 1.3) + (3000 * 1.4) + (3000 * 1.5) + (6000 * 1.6) + (6000 * 1.7)), byPeriod.SpotRevenue, 6);
        Assert.Equal(1_143_072, byPeriod.PowerCost, 6);
        Assert.Equal(73_066_528, flat.Total, 6);
    }

    [Fact]
    public void Spot_knapsack_sells_best_margin_per_megawatt_first_when_the_site_power_cap_binds()
    {
        // One site, 10 MW. Pool A: 1 kW GPUs (195 USD margin, 195,000 per MW); pool B: 2 kW (190, 95,000 per MW).
        var instance = new CompiledInstance(InstanceReader.Read("""
            {
              "name": "knapsack", "horizon": { "start": "2026-07-06", "periods": 1, "periodHours": 100 },
              "sites": [ { "id": "s", "powerCapMw": 10, "powerCostPerMwh": 50 } ],
              "pools": [ { "id": "a", "site": "s", "gpus": 5000, "kwPerGpu": 1.0 },
                         { "id": "b", "site": "s", "gpus": 5000, "kwPerGpu": 2.0 } ],
              "leases": [ { "id": "l", "gpus": 2000, "periods": 1, "earliestStart": 0, "latestStart": 0, "pools": ["a"], "pricePerGpuHour": 3.0 } ],
              "jobs": [],
              "spot": { "pricePerGpuHour": 2.0, "sellThrough": 1.0 }
            }
            """));
        var plan = new Plan("knapsack", [new LeaseDecision("l", true, "a", 0)], []);

        var evaluation = PlanEvaluator.Evaluate(instance, plan);

        // The lease draws 2 MW; A's 3000 idle GPUs take 3 MW; B gets the last 5 MW = 2500 GPUs of its 5000.
        Assert.True(evaluation.IsFeasible);
        Assert.Equal(3000, evaluation.Spot[0], 9);
        Assert.Equal(2500, evaluation.Spot[1], 9);
        Assert.Equal(600_000, evaluation.Objective.LeaseRevenue, 6);
        Assert.Equal(1_100_000, evaluation.Objective.SpotRevenue, 6);
        Assert.Equal(50_000, evaluation.Objective.PowerCost, 6);
        Assert.Equal(1_650_000, evaluation.Objective.Total, 6);
        Assert.Equal(10, evaluation.Kpis.SitePeakPowerMw[0], 9);
    }

    [Fact]
    public void Spot_is_not_sold_from_pools_whose_margin_is_not_positive()
    {
        // Power at 2000 USD/MWh makes a 1 kW GPU-hour cost 2 USD, exactly the spot price: margin 0, so no spot.
        var instance = new CompiledInstance(InstanceReader.Read("""
            {
              "name": "no-margin", "horizon": { "start": "2026-07-06", "periods": 2, "periodHours": 10 },
              "sites": [ { "id": "s", "powerCostPerMwh": 2000 } ],
              "pools": [ { "id": "a", "site": "s", "gpus": 100, "kwPerGpu": 1.0 } ],
              "leases": [], "jobs": [],
              "spot": { "pricePerGpuHour": 2.0, "sellThrough": 0.5 }
            }
            """));

        var evaluation = PlanEvaluator.Evaluate(instance, new Plan("no-margin", [], []));

        Assert.All(evaluation.Spot, s => Assert.Equal(0, s));
        Assert.Equal(0, evaluation.Objective.Total);
    }

    [Fact]
    public void Job_value_decays_with_each_period_of_delay_and_never_goes_negative()
    {
        var instance = new CompiledInstance(Fixtures.Tiny());

        // pretrain started 5 periods late keeps 0.6 * (90M - 5 * 5M); posttrain 100 periods late is worth nothing, not less.
        Assert.Equal(0.6 * 65_000_000, instance.JobExpectedValue(0, 5), 6);
        Assert.Equal(0, instance.JobExpectedValue(1, 100), 6);
    }

    [Fact]
    public void Overbooking_a_pool_is_reported_with_the_pool_periods_and_excess()
    {
        var instance = new CompiledInstance(Fixtures.Tiny());

        // pretrain at 0 collides with both leases in periods 0..2 (18,000 GPUs on 10,000) and acme in 3 (12,000 on 14,000 is fine).
        var evaluation = PlanEvaluator.Evaluate(instance, TinyOptimum(pretrainStart: 0, posttrainStart: 3));

        var violation = Assert.Single(evaluation.Violations, v => v.Rule == "pool-capacity");
        Assert.Contains("'m-h100'", violation.Message, StringComparison.Ordinal);
        Assert.Contains("periods 0..2", violation.Message, StringComparison.Ordinal);
        Assert.Contains("8,000", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_broken_rule_of_a_bad_plan_is_listed()
    {
        var instance = new CompiledInstance(Fixtures.Tiny());
        var plan = new Plan(
            "tiny",
            [new LeaseDecision("acme-1", false, null, null), new LeaseDecision("beta-1", true, "m-h100", 5), new LeaseDecision("ghost", true, "m-h100", 0)],
            [new JobDecision("posttrain", true, "m-h100", 1)]);

        var rules = PlanEvaluator.Evaluate(instance, plan).Violations.Select(v => v.Rule).ToHashSet();

        Assert.Contains("signed-lease", rules);     // acme-1 is signed but rejected
        Assert.Contains("lease-window", rules);     // beta-1 may start 0..2
        Assert.Contains("unknown-lease", rules);    // ghost
        Assert.Contains("missing-job", rules);      // pretrain absent
        Assert.Contains("job-chain", rules);        // posttrain after an unscheduled pretrain
    }

    [Fact]
    public void A_job_may_not_start_before_the_job_it_follows_has_finished()
    {
        var instance = new CompiledInstance(Fixtures.Tiny());

        var evaluation = PlanEvaluator.Evaluate(instance, TinyOptimum(pretrainStart: 3, posttrainStart: 5));

        var chain = Assert.Single(evaluation.Violations);
        Assert.Equal("job-chain", chain.Rule);
        Assert.Contains("ends in period 5", chain.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plan_for_another_instance_is_rejected()
    {
        var instance = new CompiledInstance(Fixtures.Tiny());

        var evaluation = PlanEvaluator.Evaluate(instance, TinyOptimum() with { Instance = "other" });

        Assert.Contains(evaluation.Violations, v => v.Rule == "instance");
    }

    [Fact]
    public void A_site_over_its_power_cap_is_reported()
    {
        var instance = new CompiledInstance(InstanceReader.Read("""
            {
              "name": "power", "horizon": { "start": "2026-07-06", "periods": 2, "periodHours": 1 },
              "sites": [ { "id": "s", "powerCapMw": [1, 3] } ],
              "pools": [ { "id": "a", "site": "s", "gpus": 2000, "kwPerGpu": 1.0 } ],
              "leases": [ { "id": "l", "gpus": 2000, "periods": 2, "earliestStart": 0, "latestStart": 0, "pricePerGpuHour": 1 } ],
              "jobs": []
            }
            """));

        var evaluation = PlanEvaluator.Evaluate(instance, new Plan("power", [new LeaseDecision("l", true, "a", 0)], []));

        var violation = Assert.Single(evaluation.Violations);
        Assert.Equal("site-power", violation.Rule);
        Assert.Contains("periods 0..0", violation.Message, StringComparison.Ordinal);
    }
}
