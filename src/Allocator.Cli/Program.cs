using System.CommandLine;
using Allocator.Cli;

var root = new RootCommand("Allocator: plans which GPU lease offers to accept, where and when training runs go, and what to sell on spot.")
{
    ValidateCommand.Create(),
    PlanCommand.Create(),
    EvaluateCommand.Create(),
    GenerateCommand.Create(),
    DevicesCommand.Create(),
    ScoreCommand.Create(),
    NightlyCommands.Serve(),
    NightlyCommands.RunOnce(),
    NightlyCommands.History(),
};

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    Console.Error.WriteLine("Run 'allocator --help' for the commands and their options.");
    return ExitCodes.InvalidInput;
}

// SIGTERM and Ctrl-C cancel the command's token; the planner then stops its engine and writes its best plan, which
// takes a second or two, so the process is given time to finish before it is ended.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) }).ConfigureAwait(false);
