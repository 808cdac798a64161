using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;

namespace Allocator.Core.Policies;

/// <summary>
/// A plan someone already made, as a policy: a plan file, or (with no file) the previous plan the input carries. It is
/// taken as it is; a plan for another instance, or one that breaks a rule, is refused rather than repaired.
/// </summary>
public sealed class PlanFilePolicy : IPlanningPolicy
{
    private readonly string? _path;

    /// <summary>The plan in the file at <paramref name="path"/>; null: the input's previous plan.</summary>
    public PlanFilePolicy(string? path = null) => _path = path;

    /// <inheritdoc />
    public string Name => _path ?? "previous";

    /// <inheritdoc />
    public PolicyPlan Plan(PolicyInput input, IProgress<ProgressPoint>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(input);
        var instance = input.Instance;
        Assignment assignment;
        if (_path is null)
        {
            if (input.Previous is null)
            {
                return PolicyPlan.None(PolicyOutcome.Unusable, Name, "there is no previous plan to keep.");
            }

            assignment = input.Previous;
        }
        else
        {
            Plan plan;
            try
            {
                plan = PlanReader.ReadFile(_path);
            }
            catch (ContractException e)
            {
                return PolicyPlan.None(PolicyOutcome.Unusable, Name, $"{_path} is not a valid plan: {string.Join("; ", e.Problems.Take(3))}.");
            }

            if (PlanIdentity.Mismatch(plan, instance) is { } mismatch)
            {
                return PolicyPlan.None(PolicyOutcome.Unusable, Name, $"{_path}: {mismatch}");
            }

            var violations = new List<PlanViolation>();
            assignment = PlanEvaluator.Resolve(instance, plan, violations);
            if (violations.Count > 0)
            {
                return PolicyPlan.None(PolicyOutcome.Unusable, Name, $"{_path} does not match the instance: {violations[0].Message}");
            }
        }

        var evaluation = PlanEvaluator.Evaluate(instance, assignment);
        progress?.Report(new ProgressPoint(0, evaluation.Objective.Total, null, Name));
        return PolicyPlan.Of(evaluation, new PlanReport("feasible", Name, null, null, 0));
    }
}
