using Allocator.Core.Contract;

namespace Allocator.Core.Evaluation;

/// <summary>Whether a plan was made for an instance: its <c>instance</c> field names the instance.</summary>
public static class PlanIdentity
{
    /// <summary>Null when <paramref name="plan"/> names <paramref name="instance"/>; else one sentence saying it does not.</summary>
    public static string? Mismatch(Plan plan, CompiledInstance instance)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(instance);
        return string.Equals(plan.Instance, instance.Source.Name, StringComparison.Ordinal)
            ? null
            : $"the plan is for instance '{plan.Instance}', not '{instance.Source.Name}'.";
    }
}
