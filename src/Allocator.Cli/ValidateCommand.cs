using System.CommandLine;
using System.Text.Json;
using Allocator.Core.Contract;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Solver;

namespace Allocator.Cli;

/// <summary><c>allocator validate INSTANCE [--json]</c>: checks an instance file against the contract.</summary>
internal static class ValidateCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create()
    {
        var instanceArgument = new Argument<string>("INSTANCE") { Description = "Instance file (JSON) to check." };
        var asJson = new Option<bool>("--json") { Description = "Print the verdict as JSON on standard output (valid, problems and notes, each with its JSON path), for scripts and CI; the exit code is the same." };
        var command = new Command("validate", HelpText.With(
            "Check an instance file against the contract; every problem is listed with its JSON path and the fix, and a valid file gets notes on what it holds that a planner likely did not mean.",
            "allocator validate seeds/tiny.json",
            "allocator validate instances/q3.json --json"))
        {
            instanceArgument, asJson,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(instanceArgument)!;
            return parse.GetValue(asJson) ? WriteJson(path) : WriteText(path);
        });
        return command;
    }

    private static int WriteText(string path)
    {
        if (InputFiles.ReadInstance(path) is not { } instance)
        {
            return ExitCodes.InvalidInput;
        }

        Console.WriteLine(
            $"{path}: valid. '{instance.Name}': {instance.Horizon.Periods} periods of {instance.Horizon.PeriodHours} h, "
            + $"{instance.Sites.Length} sites, {instance.Pools.Length} pools, {instance.Leases.Length} leases "
            + $"({instance.Leases.Count(l => l.Status == LeaseStatus.Signed)} signed), {instance.Jobs.Length} jobs.");
        foreach (var note in Notes(new CompiledInstance(instance)))
        {
            Console.WriteLine($"  note: {note}");
        }

        return ExitCodes.Success;
    }

    private static int WriteJson(string path)
    {
        Instance? instance = null;
        IReadOnlyList<ContractProblem> problems = [];
        try
        {
            instance = InstanceReader.ReadFile(path);
        }
        catch (ContractException e)
        {
            problems = e.Problems;
        }

        var notes = instance is null ? [] : Notes(new CompiledInstance(instance));
        Console.WriteLine(JsonSerializer.Serialize(
            new
            {
                file = path,
                valid = instance is not null,
                problems = problems.Select(p => new { path = p.Path, message = p.Message }),
                notes = notes.Select(n => new { path = n.Path, message = n.Message }),
            },
            JsonOptions));
        return instance is null ? ExitCodes.InvalidInput : ExitCodes.Success;
    }

    /// <summary>
    /// What is valid but likely not meant, each with its JSON path: first the commitments that cannot fit even an empty
    /// fleet, since while one is there every plan is infeasible (the contract still calls the file valid), then the
    /// contract-level notes.
    /// </summary>
    private static List<InstanceNote> Notes(CompiledInstance instance) =>
    [
        .. InfeasibilityExplainer.Unplaceable(instance).Select(u => new InstanceNote(
            u.Commitment.IsJob ? $"$.jobs[{u.Commitment.Index}]" : $"$.leases[{u.Commitment.Index}]",
            $"no plan can be feasible: {u.Reason}")),
        .. InstanceNotes.Of(instance),
    ];
}
