using System.CommandLine;

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
            return ExitCodes.Success;
        });
        return command;
    }
}
