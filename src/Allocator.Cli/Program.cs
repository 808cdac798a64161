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

return await parse.InvokeAsync().ConfigureAwait(false);
