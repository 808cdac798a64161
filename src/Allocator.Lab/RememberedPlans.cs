using System.Security.Cryptography;
using System.Text;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Core.Policies;

namespace Allocator.Lab;

/// <summary>
/// The plans a simulation's policies made, by policy and residual instance. A policy sees only the residual instance
/// (closed-loop.md), so given one it planned before, in any scenario, it returns the plan it made then. Every
/// scenario's epoch 0 is the same instance (unless a delivery due at period 0 slips), so the static plan and each
/// re-planning policy's first plan are made once per run instead of once per scenario, and a static plan cut short by
/// its time limit is one plan in every scenario rather than a different one in each. Policies are told apart by name:
/// within one run, one name means one policy with one set of settings (static's plan is exact's first one). Holds the
/// most recently used plans only, so a long run's memory does not grow with its scenarios.
/// </summary>
public sealed class RememberedPlans(int capacity = 1024)
{
    private readonly Dictionary<string, LinkedListNode<(string Key, Lazy<PolicyPlan> Plan)>> _byKey = [];
    private readonly LinkedList<(string Key, Lazy<PolicyPlan> Plan)> _recent = new();
    private readonly Lock _gate = new();
    private long _made;
    private long _reused;

    /// <summary>Plans made by a policy (a residual instance not planned before, or no longer held).</summary>
    public long Made => Interlocked.Read(ref _made);

    /// <summary>Plans given again for a residual instance planned before.</summary>
    public long Reused => Interlocked.Read(ref _reused);

    /// <summary><paramref name="policy"/>, remembering its plans here.</summary>
    public IPlanningPolicy Around(IPlanningPolicy policy) => new Remembering(policy, this);

    private PolicyPlan Plan(IPlanningPolicy policy, PolicyInput input, IProgress<ProgressPoint>? progress, CancellationToken cancellation)
    {
        if (input.Previous is not null)
        {
            return policy.Plan(input, progress, cancellation); // a starting plan is an input too: nothing to look up by
        }

        var key = $"{policy.Name}\n{Key(input.Instance)}";
        Lazy<PolicyPlan> plan;
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                plan = node.Value.Plan;
                _reused++;
            }
            else
            {
                // Made outside the lock, once: a scenario asking for it meanwhile waits for this one's plan.
                plan = new Lazy<PolicyPlan>(() => policy.Plan(input, progress, cancellation), LazyThreadSafetyMode.ExecutionAndPublication);
                _byKey[key] = _recent.AddFirst((key, plan));
                _made++;
                if (_recent.Count > capacity)
                {
                    _byKey.Remove(_recent.Last!.Value.Key);
                    _recent.RemoveLast();
                }
            }
        }

        return plan.Value;
    }

    /// <summary>What tells instances apart: the SHA-256 of the instance as written (every field, in order).</summary>
    public static string Key(CompiledInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(InstanceWriter.Write(instance.Source))));
    }

    private sealed class Remembering(IPlanningPolicy policy, RememberedPlans plans) : IPlanningPolicy
    {
        public string Name => policy.Name;

        public PolicyPlan Plan(PolicyInput input, IProgress<ProgressPoint>? progress, CancellationToken cancellation) =>
            plans.Plan(policy, input, progress, cancellation);
    }
}
