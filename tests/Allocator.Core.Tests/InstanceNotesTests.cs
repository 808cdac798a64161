using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;

namespace Allocator.Core.Tests;

public sealed class InstanceNotesTests
{
    [Fact]
    public void The_seeds_have_nothing_to_note()
    {
        Assert.Empty(InstanceNotes.Of(new CompiledInstance(Fixtures.Tiny())));
        Assert.Empty(InstanceNotes.Of(new CompiledInstance(InstanceReader.ReadFile(Fixtures.Seed("colossus-2026.json")))));
    }

    [Fact]
    public void A_delivery_past_the_horizon_is_noted_by_its_path()
    {
        var tiny = Fixtures.Tiny();
        var pool = tiny.Pools[0] with { Deliveries = [.. tiny.Pools[0].Deliveries, new Delivery(8, 500)] };

        var note = Assert.Single(InstanceNotes.Of(new CompiledInstance(tiny with { Pools = [pool] })));

        Assert.Equal("$.pools[0].deliveries[1].period", note.Path);
        Assert.Equal("8 is past the horizon's last period (7); this delivery never counts.", note.Message);
    }

    [Fact]
    public void A_spot_price_below_every_pools_power_cost_is_noted()
    {
        // Tiny's pool draws 1.4 kW at 60 USD/MWh: 0.084 USD per GPU-hour, above a spot price of 0.08.
        var tiny = Fixtures.Tiny();

        var notes = InstanceNotes.Of(new CompiledInstance(tiny with { Spot = new SpotMarket(0.08, 0.5) }));

        Assert.Equal("$.spot", Assert.Single(notes).Path);
        Assert.Empty(InstanceNotes.Of(new CompiledInstance(tiny with { Spot = new SpotMarket(0.09, 0.5) })));
    }

    [Fact]
    public void A_pool_or_a_job_named_twice_in_one_list_is_noted_at_the_second_mention()
    {
        var tiny = Fixtures.Tiny();
        var instance = tiny with
        {
            Leases = [tiny.Leases[0], tiny.Leases[1] with { Pools = ["m-h100", "m-h100"] }],
            Jobs = [tiny.Jobs[0], tiny.Jobs[1] with { After = ["pretrain", "pretrain"] }],
        };

        var notes = InstanceNotes.Of(new CompiledInstance(instance));

        Assert.Equal(["$.leases[1].pools[1]", "$.jobs[1].after[1]"], notes.Select(n => n.Path));
        Assert.Equal("names job 'pretrain' again; once is enough (was another job meant?).", notes[1].Message);
    }

    [Fact]
    public void An_offer_paying_less_than_its_power_is_noted_and_a_signed_lease_is_not()
    {
        var tiny = Fixtures.Tiny();
        var leases = tiny.Leases.Select(l => l with { PricePerGpuHour = 0.08 }).ToArray();

        var note = Assert.Single(InstanceNotes.Of(new CompiledInstance(tiny with { Leases = [.. leases] })));

        Assert.Equal("$.leases[1].pricePerGpuHour", note.Path);
        Assert.Contains("offer 'beta-1' pays 0.08 per GPU-hour, less than its cheapest allowed pool's power (0.084)", note.Message, StringComparison.Ordinal);
    }
}
