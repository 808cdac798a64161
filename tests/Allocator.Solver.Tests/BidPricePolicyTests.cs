using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Json;
using Allocator.Core.Policies;

namespace Allocator.Solver.Tests;

public sealed class BidPricePolicyTests
{
    private static Core.Contract.Instance Tiny() => InstanceReader.ReadFile(Path.Combine(Root.Find(), "seeds", "tiny.json"));

    [Fact]
    public void An_offer_worth_more_than_the_gpu_periods_it_uses_is_accepted_and_one_priced_below_its_power_is_not()
    {
        var tiny = Tiny();
        var cheap = tiny with { Leases = tiny.Leases.SetItem(1, tiny.Leases[1] with { PricePerGpuHour = 0.01 }) };

        Assert.Contains("beta-1", BidPricePolicy.AcceptedOffers(new CompiledInstance(tiny)));
        Assert.DoesNotContain("beta-1", BidPricePolicy.AcceptedOffers(new CompiledInstance(cheap)));
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void The_plan_keeps_every_rule_places_every_signed_lease_and_takes_only_accepted_offers(ulong seed)
    {
        var instance = new CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(4, 30, 8, 12, seed)));
        var accepted = BidPricePolicy.AcceptedOffers(instance);

        var plan = new BidPricePolicy().Plan(new PolicyInput(instance), null, CancellationToken.None);

        Assert.Equal(PolicyOutcome.Planned, plan.Outcome);
        Assert.True(plan.Evaluation!.IsFeasible);
        for (var l = 0; l < instance.LeaseCount; l++)
        {
            var placed = plan.Assignment!.LeasePool[l] >= 0;
            Assert.True(instance.LeaseSigned[l] ? placed : !placed || accepted.Contains(instance.Source.Leases[l].Id));
        }
    }
}
