using Allocator.Core.Contract;

namespace Allocator.Core.ClosedLoop;

/// <summary>
/// The rule both rewritten instances apply to chains: a job after one that can no longer finish is absent too, directly
/// or through other jobs; a job after one that is absent for another reason (finished, failed) is no longer held by it.
/// </summary>
internal static class JobChains
{
    /// <summary>The jobs kept (null: absent), less those after a <paramref name="late"/> one, with <c>after</c> naming only jobs still present.</summary>
    public static IEnumerable<Job> Present(Job?[] kept, HashSet<string> late)
    {
        for (var changed = true; changed;)
        {
            changed = false;
            for (var j = 0; j < kept.Length; j++)
            {
                if (kept[j] is { } job && job.After.Any(late.Contains))
                {
                    late.Add(job.Id);
                    kept[j] = null;
                    changed = true;
                }
            }
        }

        var present = kept.Where(j => j is not null).Select(j => j!.Id).ToHashSet(StringComparer.Ordinal);
        return kept.Where(j => j is not null).Select(j => j! with { After = [.. j.After.Where(present.Contains)] });
    }
}
