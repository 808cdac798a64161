using System.Collections.Immutable;

namespace Allocator.Core.Contract;

/// <summary>A decision: for every lease whether and where it is placed, for every job whether and where it runs.</summary>
public sealed record Plan(string Instance, ImmutableArray<LeaseDecision> Leases, ImmutableArray<JobDecision> Jobs);

/// <summary>One lease's decision; <see cref="Pool"/> and <see cref="Start"/> are set when accepted.</summary>
public sealed record LeaseDecision(string Id, bool Accepted, string? Pool, int? Start);

/// <summary>One job's decision; <see cref="Pool"/> and <see cref="Start"/> are set when scheduled.</summary>
public sealed record JobDecision(string Id, bool Scheduled, string? Pool, int? Start);
