using System.CommandLine;
using Allocator.Core.Evaluation;
using Allocator.Solver;

namespace Allocator.Cli;

/// <summary><c>allocator validate INSTANCE</c>: checks an instance file against the contract.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var instanceArgument = new Argument<string>("INSTANCE") { Description = "Instance file (JSON) to check." };
        var command = new Command("validate", HelpText.With("Check an instance file against the contract; every problem is listed with its JSON path and the fix.", "allocator validate seeds/tiny.json")) { instanceArgument };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(instanceArgument)!;
            if (InputFiles.ReadInstance(path) is not { } instance)
            {
                return ExitCodes.InvalidInput;
            }

            Console.WriteLine(
                $"{path}: valid. '{instance.Name}': {instance.Horizon.Periods} periods of {instance.Horizon.PeriodHours} h, "
                + $"{instance.Sites.Length} sites, {instance.Pools.Length} pools, {instance.Leases.Length} leases "
                + $"({instance.Leases.Count(l => l.Status == Core.Contract.LeaseStatus.Signed)} signed), {instance.Jobs.Length} jobs.");
            PrintNotes(new CompiledInstance(instance));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// What is valid but likely not meant, one line each with its JSON path; first the commitments that cannot fit even
    /// an empty fleet, since while one is there every plan is infeasible (the contract still calls the file valid).
    /// </summary>
    private static void PrintNotes(CompiledInstance instance)
    {
        foreach (var (commitment, reason) in InfeasibilityExplainer.Unplaceable(instance))
        {
            var path = commitment.IsJob ? $"$.jobs[{commitment.Index}]" : $"$.leases[{commitment.Index}]";
            Console.WriteLine($"  note: {path}: no plan can be feasible: {reason}");
        }

        foreach (var note in InstanceNotes.Of(instance))
        {
            Console.WriteLine($"  note: {note}");
        }
    }
}
