using Allocator.Core.ClosedLoop;
using Allocator.Core.Evaluation;
using Allocator.Core.IO;
using Allocator.Core.Json;

namespace Allocator.Lab;

/// <summary>
/// What each policy saw and decided at each epoch of the shown scenario, as files the other commands take:
/// <c>epochs/POLICY/epoch-TTT/instance.json</c> (the residual instance, closed-loop.md) and <c>plan.json</c> (the
/// policy's plan for it, with its objective; absent where it found none). So an epoch's decision can be evaluated,
/// planned again or scored on its own: <c>allocator plan epochs/exact/epoch-004/instance.json</c>.
/// </summary>
public static class ShownEpochs
{
    /// <summary>The folder under an output folder that holds them.</summary>
    public const string Folder = "epochs";

    /// <summary>Writes them into <paramref name="folder"/>/epochs (each file atomically); returns how many epochs.</summary>
    public static int Write(string folder, SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var instance = result.Request.Instance;
        var written = 0;
        foreach (var policy in result.Policies.Where(p => p.Shown is not null))
        {
            foreach (var epoch in policy.Shown!.Epochs)
            {
                var here = Path.Combine(folder, Folder, PolicyNames.AsFileName(policy.Name), $"epoch-{epoch.Epoch:000}");
                var residual = new CompiledInstance(ResidualInstance.Of(instance, epoch.State));
                AtomicFile.WriteAllText(Path.Combine(here, "instance.json"), InstanceWriter.Write(residual.Source));
                if (epoch.Plan is { } plan)
                {
                    AtomicFile.WriteAllText(Path.Combine(here, "plan.json"), PlanWriter.Write(plan.ToPlan(residual), PlanEvaluator.Evaluate(residual, plan), null, residual));
                }

                written++;
            }
        }

        return written;
    }
}
