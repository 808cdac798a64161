using System.Text.Json.Nodes;
using Allocator.Core.Contract;
using Allocator.Core.Json;

namespace Allocator.Core.Tests;

public sealed class InstanceReaderTests
{
    private static string TinyJson => File.ReadAllText(Fixtures.Seed("tiny.json"));

    private static ContractException Reject(Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(TinyJson)!;
        edit(node);
        return Assert.Throws<ContractException>(() => InstanceReader.Read(node.ToJsonString()));
    }

    private static void AssertProblem(ContractException e, string path, string fragment) =>
        Assert.Contains(e.Problems, p => p.Path == path && p.Message.Contains(fragment, StringComparison.Ordinal));

    [Fact]
    public void The_spec_example_reads_with_its_defaults_filled_in()
    {
        var instance = Fixtures.Tiny();

        Assert.Equal(8, instance.Horizon.Periods);
        Assert.Equal(LeaseStatus.Signed, instance.Leases[0].Status);
        Assert.Null(instance.Leases[1].Pools);                        // absent = any pool
        Assert.Equal(30, instance.Sites[0].PowerCapMw!.Value[7]);      // a number applies to every period
        Assert.Equal(["pretrain"], instance.Jobs[1].After.AsEnumerable());
        Assert.Null(instance.Uncertainty);
    }

    [Fact]
    public void Written_instances_read_back_equal()
    {
        var instance = Fixtures.Tiny();

        var again = InstanceReader.Read(InstanceWriter.Write(instance));

        Assert.Equal(InstanceWriter.Write(instance), InstanceWriter.Write(again));
    }

    [Fact]
    public void Unknown_field_is_named_with_a_suggestion() =>
        AssertProblem(Reject(n => n["pools"]![0]!["gpu"] = 5), "$.pools[0].gpu", "Did you mean 'gpus'?");

    [Fact]
    public void Missing_required_field_is_named() =>
        AssertProblem(Reject(n => n["leases"]![1]!.AsObject().Remove("pricePerGpuHour")), "$.leases[1].pricePerGpuHour", "required");

    [Fact]
    public void Negative_number_is_rejected() =>
        AssertProblem(Reject(n => n["leases"]![0]!["gpus"] = -4000), "$.leases[0].gpus", "negative");

    [Theory]
    [InlineData("leases", "gpus")]
    [InlineData("leases", "periods")]
    [InlineData("jobs", "gpus")]
    [InlineData("jobs", "periods")]
    public void A_lease_or_job_of_zero_gpus_or_zero_periods_is_rejected(string items, string field) =>
        AssertProblem(Reject(n => n[items]![0]![field] = 0), $"$.{items}[0].{field}", "must be 1 or more");

    [Fact]
    public void Probability_outside_zero_one_is_rejected() =>
        AssertProblem(Reject(n => n["jobs"]![0]!["successProbability"] = 1.5), "$.jobs[0].successProbability", "[0, 1]");

    [Fact]
    public void Duplicate_id_is_rejected() =>
        AssertProblem(Reject(n => n["leases"]![1]!["id"] = "acme-1"), "$.leases[1].id", "used by another lease");

    [Fact]
    public void Lease_naming_an_unknown_pool_is_rejected() =>
        AssertProblem(Reject(n => n["leases"]![0]!["pools"] = new JsonArray("m-h999")), "$.leases[0].pools[0]", "'m-h999', which is not in $.pools; use one of: m-h100");

    [Fact]
    public void Job_after_an_unknown_job_is_rejected() =>
        AssertProblem(Reject(n => n["jobs"]![1]!["after"] = new JsonArray("pre-train")), "$.jobs[1].after[0]", "'pre-train', which is not in $.jobs");

    [Fact]
    public void Cycle_in_after_is_rejected() =>
        AssertProblem(Reject(n => n["jobs"]![0]!["after"] = new JsonArray("posttrain")), "$.jobs[1].after", "is a cycle");

    [Fact]
    public void Lease_window_past_the_horizon_is_rejected() =>
        AssertProblem(Reject(n => n["leases"]![1]!["latestStart"] = 6), "$.leases[1].latestStart", "set latestStart to at most 5");

    [Theory]
    [InlineData("leases")]
    [InlineData("jobs")]
    public void A_lease_or_job_longer_than_the_horizon_is_told_to_shorten_not_to_start_before_period_0(string items) =>
        AssertProblem(Reject(n => n[items]![0]!["periods"] = 999), $"$.{items}[0].periods", "longer than the horizon's 8; shorten it to at most 8");

    [Fact]
    public void A_count_above_the_largest_whole_number_is_too_large_not_too_small() =>
        AssertProblem(Reject(n => n["pools"]![0]!["gpus"] = 1e300), "$.pools[0].gpus", "1E+300 is too large; the number of GPUs must be at most 2147483647");

    [Fact]
    public void Job_that_cannot_finish_by_its_deadline_is_rejected() =>
        AssertProblem(Reject(n => n["jobs"]![0]!["deadline"] = 1), "$.jobs[0].deadline", "cannot finish by period 1");

    [Fact]
    public void Capacity_that_goes_negative_is_rejected() =>
        AssertProblem(Reject(n => n["pools"]![0]!["deliveries"]![0]!["gpus"] = -20000), "$.pools[0].deliveries[0].gpus", "-10000 GPUs in period 3");

    [Fact]
    public void Capacity_above_what_a_pool_can_hold_is_rejected() =>
        AssertProblem(Reject(n => n["pools"]![0]!["deliveries"]![0]!["gpus"] = 2_147_480_000), "$.pools[0].deliveries[0].gpus", "takes the pool's capacity to 2147490000 GPUs in period 3; a pool holds at most 2147483647 GPUs");

    [Theory]
    [InlineData("leases", 1, "pricePerGpuHour", "a price in USD per GPU-hour")]
    [InlineData("leases", 0, "penaltyPerGpuHour", "a penalty in USD per GPU-hour")]
    [InlineData("jobs", 0, "value", "the value in USD")]
    public void A_money_figure_beyond_what_the_planner_computes_with_is_rejected_by_its_range(string items, int index, string field, string what) =>
        // SCIP called the model of a price of 1e300 invalid ("objective value is infinite"), exit 4.
        AssertProblem(Reject(n => n[items]![index]![field] = 1e300), $"$.{items}[{index}].{field}", $"; {what} must ");

    [Fact]
    public void A_spot_price_beyond_the_limit_is_rejected_in_an_array_too() =>
        AssertProblem(Reject(n => n["spot"]!["pricePerGpuHour"] = new JsonArray(1.6, 1.6, 1.6, 2e6, 1.6, 1.6, 1.6, 1.6)), "$.spot.pricePerGpuHour[3]", "2000000 is outside [0, 1000000]; a spot price in USD per GPU-hour must lie in that range");

    [Fact]
    public void A_fleet_of_no_pool_is_rejected() =>
        // Every command failed on it ("Sequence contains no elements", exit 4).
        AssertProblem(Reject(n => { n["pools"] = new JsonArray(); n["leases"]![1]!.AsObject().Remove("pools"); n["leases"]![0]!.AsObject().Remove("pools"); n["jobs"]![0]!.AsObject().Remove("pools"); }), "$.pools", "lists no pool");

    [Fact]
    public void A_fleet_of_no_site_is_rejected() =>
        AssertProblem(Reject(n => { n["sites"] = new JsonArray(); n["pools"] = new JsonArray(); }), "$.sites", "lists no site");

    [Fact]
    public void Array_valued_field_of_the_wrong_length_is_rejected() =>
        AssertProblem(Reject(n => n["sites"]![0]!["powerCapMw"] = new JsonArray(30, 30)), "$.sites[0].powerCapMw", "has 2 values but the horizon has 8 periods");

    [Fact]
    public void An_offer_announced_after_its_earliest_start_is_rejected() =>
        AssertProblem(Reject(n => n["leases"]![1]!["announcedAt"] = 1), "$.leases[1].announcedAt", "is after earliestStart 0");

    [Fact]
    public void A_signed_lease_with_an_announcement_is_rejected() =>
        AssertProblem(Reject(n => n["leases"]![0]!["announcedAt"] = 1), "$.leases[0].announcedAt", "on a signed lease");

    [Fact]
    public void A_negative_announcement_is_rejected() =>
        AssertProblem(Reject(n => n["leases"]![1]!["announcedAt"] = -1), "$.leases[1].announcedAt", "negative");

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void A_milestone_outside_the_job_s_periods_is_rejected(int knownAfter) =>
        AssertProblem(Reject(n => n["jobs"]![0]!["successKnownAfter"] = knownAfter), "$.jobs[0].successKnownAfter", "outside 1..3");

    [Fact]
    public void A_spot_price_array_of_the_wrong_length_is_rejected() =>
        AssertProblem(Reject(n => n["spot"]!["pricePerGpuHour"] = new JsonArray(1.6, 1.7)), "$.spot.pricePerGpuHour", "has 2 values but the horizon has 8 periods");

    [Fact]
    public void An_offer_arrival_probability_outside_zero_one_is_rejected() =>
        AssertProblem(Reject(n => n["uncertainty"] = JsonNode.Parse("""{ "offerArrival": { "probability": 1.5 } }""")), "$.uncertainty.offerArrival.probability", "[0, 1]");

    [Fact]
    public void The_closed_loop_fields_read_and_write_back()
    {
        var node = JsonNode.Parse(TinyJson)!;
        node["leases"]![1]!["earliestStart"] = 2;
        node["leases"]![1]!["latestStart"] = 4;
        node["leases"]![1]!["announcedAt"] = 1;
        node["jobs"]![0]!["successKnownAfter"] = 2;
        node["spot"]!["pricePerGpuHour"] = new JsonArray(1.6, 1.7, 1.8, 1.9, 2.0, 1.9, 1.8, 1.7);
        node["uncertainty"] = JsonNode.Parse("""{ "jobSuccess": true, "offerArrival": { "probability": 0.6 } }""");

        var instance = InstanceReader.Read(node.ToJsonString());
        var again = InstanceReader.Read(InstanceWriter.Write(instance));

        Assert.Equal(1, instance.Leases[1].AnnouncedAt);
        Assert.Equal(0, instance.Leases[0].AnnouncedAt);
        Assert.Equal(2, instance.Jobs[0].SuccessKnownAfter);
        Assert.Null(instance.Jobs[1].SuccessKnownAfter);
        Assert.Equal(1.9, instance.Spot!.PriceAt(3));
        Assert.Equal(1.8, instance.Spot.PricePerGpuHour, 1e-12); // the mean of the array
        Assert.Equal(0.6, instance.Uncertainty!.OfferArrival!.Probability);
        Assert.Equal(InstanceWriter.Write(instance), InstanceWriter.Write(again));
        Assert.Equal(instance.Spot.PriceByPeriod!.Value.AsEnumerable(), again.Spot!.PriceByPeriod!.Value.AsEnumerable());
    }

    [Fact]
    public void Unknown_lease_status_is_rejected() =>
        AssertProblem(Reject(n => n["leases"]![0]!["status"] = "sigend"), "$.leases[0].status", "use \"signed\"");

    [Fact]
    public void Every_problem_is_reported_at_once_not_only_the_first()
    {
        var e = Reject(n =>
        {
            n["leases"]![0]!["gpus"] = -1;
            n["jobs"]![0]!["successProbability"] = 2;
            n["pools"]![0]!["kwPerGpu"] = "lots";
        });

        Assert.Equal(3, e.Problems.Count);
        Assert.Contains("$.pools[0].kwPerGpu", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_json_says_where()
    {
        var e = Assert.Throws<ContractException>(() => InstanceReader.Read("{ \"name\": \"x\", }"));

        Assert.Contains("line 1", Assert.Single(e.Problems).Message, StringComparison.Ordinal);
    }
}
