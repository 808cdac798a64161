using System.CommandLine;
using Allocator.Cli;

StandardOutput.Separate();
Terminal.ConfigureOutput();
var verbose = new Option<bool>("--verbose") { Description = "On an unexpected failure, print its details (the stack trace) too.", Recursive = true };
var root = new RootCommand("Allocator: plans which GPU lease offers to accept, where and when training runs go, and what to sell on spot.")
{
    verbose,
    ValidateCommand.Create(),
    PlanCommand.Create(),
    EvaluateCommand.Create(),
    GenerateCommand.Create(),
    DevicesCommand.Create(),
    ScoreCommand.Create(),
    ScenariosCommand.Create(),
    SchemaCommand.Create(),
    CompareCommand.Create(),
    SimulateCommand.Create(),
    SweepCommands.Sweep(),
    SweepCommands.Merge(),
    BenchCommand.Create(),
    NightlyCommands.Serve(),
    NightlyCommands.RunOnce(),
    NightlyCommands.History(),
};

if (HelpText.AsksForOverview(args))
{
    HelpText.WriteOverview(root, Console.Out);
    return ExitCodes.Success;
}

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"error: {ParseErrors.Readable(error.Message)}");
    }

    Console.Error.WriteLine("Run 'allocator --help' for the commands and their options.");
    return ExitCodes.InvalidInput;
}

// SIGTERM and Ctrl-C cancel the command's token; the planner then stops its engine and writes its best plan, which
// takes a second or two, so the process is given time to finish before it is ended. A failure nobody foresaw ends in
// one line and exit 4, never in a stack trace (unless asked for).
try
{
    return await parse.InvokeAsync(new InvocationConfiguration
    {
        ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
        EnableDefaultExceptionHandler = false,
    }).ConfigureAwait(false);
}
#pragma warning disable CA1031 // The last line of defence: whatever failed is reported, and the exit code says so.
catch (Exception e)
#pragma warning restore CA1031
{
    Console.Error.WriteLine($"error: {e.Message} This is an unexpected failure; run again with --verbose for its details.");
    if (parse.GetValue(verbose))
    {
        Console.Error.WriteLine(e);
    }

    return ExitCodes.Failed;
}
