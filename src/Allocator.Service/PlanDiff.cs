using Allocator.Core.Contract;

namespace Allocator.Service;

/// <summary>One lease or job whose decision differs between two plans.</summary>
public sealed record PlanChange(string Kind, string Id, string Change, string? Before, string? After);

/// <summary>What changed from one run's plan to another's: offers accepted or dropped, leases and jobs moved, and the value.</summary>
public sealed record PlanDiff(long From, long To, double? ObjectiveBefore, double? ObjectiveAfter, IReadOnlyList<PlanChange> Changes)
{
    /// <summary>Objective after - before, when both runs have one.</summary>
    public double? ValueDelta => ObjectiveAfter - ObjectiveBefore;

    /// <summary>What the reader must know to read the changes: runs of different instances, or a run that has no plan.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>
    /// Compares the plans of two runs, by lease and job id (ids only in one plan count as added or removed). A run with
    /// no plan (invalid, infeasible, failed) leaves nothing to compare: no changes, and a note says why.
    /// </summary>
    public static PlanDiff Between(RunRecord from, RunRecord to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var notes = new List<string>();
        if (!string.Equals(from.Instance, to.Instance, StringComparison.Ordinal))
        {
            notes.Add($"the runs are of different instances ('{from.Instance}', '{to.Instance}'): the same id need not be the same lease or job.");
        }

        notes.AddRange(new[] { from, to }.Where(r => r.PlanJson is null).Select(r => $"run {r.Id} has no plan ({r.Status.ToString().ToLowerInvariant()}): nothing to compare."));
        if (from.PlanJson is null || to.PlanJson is null)
        {
            return new PlanDiff(from.Id, to.Id, from.Objective, to.Objective, []) { Notes = notes };
        }

        var before = Read(from);
        var after = Read(to);
        var changes = new List<PlanChange>();
        Compare(
            "lease",
            before?.Leases.ToDictionary(l => l.Id, l => l.Accepted ? Where(l.Pool, l.Start) : null, StringComparer.Ordinal) ?? [],
            after?.Leases.ToDictionary(l => l.Id, l => l.Accepted ? Where(l.Pool, l.Start) : null, StringComparer.Ordinal) ?? [],
            "accepted", "dropped", changes);
        Compare(
            "job",
            before?.Jobs.ToDictionary(j => j.Id, j => j.Scheduled ? Where(j.Pool, j.Start) : null, StringComparer.Ordinal) ?? [],
            after?.Jobs.ToDictionary(j => j.Id, j => j.Scheduled ? Where(j.Pool, j.Start) : null, StringComparer.Ordinal) ?? [],
            "scheduled", "left out", changes);
        return new PlanDiff(from.Id, to.Id, from.Objective, to.Objective, changes) { Notes = notes };
    }

    private static Plan? Read(RunRecord run) => run.PlanJson is { } json ? Core.Json.PlanReader.Read(json, $"run {run.Id}") : null;

    private static string Where(string? pool, int? start) => $"{pool} from period {start}";

    private static void Compare(string kind, Dictionary<string, string?> before, Dictionary<string, string?> after, string placed, string unplaced, List<PlanChange> changes)
    {
        foreach (var id in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            before.TryGetValue(id, out var b);
            after.TryGetValue(id, out var a);
            var change = (b, a) switch
            {
                (null, null) => null,
                (null, not null) => placed,
                (not null, null) => unplaced,
                _ when a != b => "moved",
                _ => null,
            };
            if (change is not null)
            {
                changes.Add(new PlanChange(kind, id, change, b, a));
            }
        }
    }
}
