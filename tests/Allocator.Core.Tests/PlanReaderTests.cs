using Allocator.Core.Contract;
using Allocator.Core.Json;

namespace Allocator.Core.Tests;

public sealed class PlanReaderTests
{
    [Fact]
    public void A_plan_with_only_the_contract_fields_is_accepted()
    {
        var plan = PlanReader.Read("""
            { "instance": "tiny",
              "leases": [ { "id": "acme-1", "accepted": true, "pool": "m-h100", "start": 0 }, { "id": "beta-1", "accepted": false } ],
              "jobs": [ { "id": "pretrain", "scheduled": true, "pool": "m-h100", "start": 4 } ] }
            """);

        Assert.Equal(new LeaseDecision("acme-1", true, "m-h100", 0), plan.Leases[0]);
        Assert.Equal(new LeaseDecision("beta-1", false, null, null), plan.Leases[1]);
        Assert.Equal(4, plan.Jobs[0].Start);
    }

    [Fact]
    public void Fields_added_by_solvers_are_ignored_and_a_written_plan_reads_back()
    {
        var plan = new Plan("tiny", [new LeaseDecision("acme-1", true, "m-h100", 0)], [new JobDecision("pretrain", false, null, null)]);
        var json = PlanWriter.Write(plan, report: new PlanReport("optimal", "SCIP", 1, 0, 0.5));

        var again = PlanReader.Read(json);

        Assert.Equal(plan.Leases.AsEnumerable(), again.Leases.AsEnumerable());
        Assert.Equal(plan.Jobs.AsEnumerable(), again.Jobs.AsEnumerable());
    }

    [Fact]
    public void An_accepted_lease_without_pool_or_start_is_rejected_with_its_path()
    {
        var e = Assert.Throws<ContractException>(() => PlanReader.Read("""
            { "instance": "tiny", "leases": [ { "id": "acme-1", "accepted": true } ], "jobs": [] }
            """));

        Assert.Contains(e.Problems, p => p.Path == "$.leases[0].pool");
        Assert.Contains(e.Problems, p => p.Path == "$.leases[0].start");
    }
}
