using Allocator.Core.Evaluation;
using Allocator.Core.Generation;
using Allocator.Core.Scenarios;

namespace Allocator.Core.Tests;

public sealed class ScenarioDrawsTests
{
    private static CompiledInstance Generated(bool uncertainty) =>
        new(InstanceGenerator.Generate(new GeneratorOptions(4, 30, 8, 12, 5, Uncertainty: uncertainty) { AnnouncedShare = 0.4 }));

    [Fact]
    public void The_gpus_working_are_the_deliveries_arrived_by_then_less_the_share_down()
    {
        var instance = Generated(uncertainty: true);
        var T = instance.Periods;
        var slipped = 0;
        for (var k = 0; k < 20; k++)
        {
            var draws = ScenarioDraws.Of(instance, 3, k);
            slipped += Enumerable.Range(0, draws.DeliveryArrival.Length).Count(d => draws.DeliveryArrival[d] > instance.DeliveryPeriod[d]);
            for (var p = 0; p < instance.PoolCount; p++)
            {
                for (var t = 0; t < T; t++)
                {
                    var arrived = instance.PoolInitialGpus[p] + Enumerable.Range(0, instance.DeliveryPool.Length)
                        .Where(d => instance.DeliveryPool[d] == p && draws.DeliveryArrival[d] <= t).Sum(d => instance.DeliveryGpus[d]);
                    Assert.InRange(draws.OutageShare[p * T + t], 0, instance.Source.Uncertainty!.Outage!.Max);
                    Assert.Equal(arrived * (1 - draws.OutageShare[p * T + t]), draws.AvailableGpus[p * T + t], 1e-9);
                }
            }
        }

        Assert.True(slipped > 0, "some delivery slips in 20 scenarios of this instance, so arrivals are tested");
    }

    [Fact]
    public void Without_uncertainty_nothing_is_drawn_away_from_the_instance()
    {
        var instance = Generated(uncertainty: false);

        var draws = ScenarioDraws.Of(instance, 3, 7);

        Assert.Equal(instance.DeliveryPeriod.ToArray(), draws.DeliveryArrival.ToArray());
        Assert.All(draws.OutageShare, share => Assert.Equal(0, share));
        Assert.Equal(instance.Capacity.Select(c => (double)c), draws.AvailableGpus);
        Assert.All(draws.OverrunPeriods, o => Assert.Equal(0, o));
        Assert.True(draws.JobSucceeds.IsEmpty);
        Assert.All(Enumerable.Range(0, instance.JobCount), j => Assert.True(draws.Succeeds(j)));
        Assert.All(draws.OfferMade, Assert.True);
        Assert.Equal(instance.SpotPrice.ToArray(), draws.SpotPrice.ToArray());
    }

    [Fact]
    public void The_draws_the_recourse_runs_on_are_these()
    {
        var instance = Generated(uncertainty: true);
        for (var k = 0; k < 10; k++)
        {
            var draws = ScenarioDraws.Of(instance, 3, k);
            var run = new ScenarioRun(instance, 3, k);

            Assert.All(Enumerable.Range(0, instance.JobCount), j => Assert.Equal(instance.JobPeriods[j] + draws.OverrunPeriods[j], run.Needs(j)));
            Assert.All(Enumerable.Range(0, instance.JobCount), j => Assert.Equal(draws.Succeeds(j), run.Succeeds(j)));
            Assert.All(Enumerable.Range(0, instance.LeaseCount), l => Assert.Equal(draws.OfferMade[l], run.Made(l)));
        }
    }
}
