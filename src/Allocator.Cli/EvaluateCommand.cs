using System.CommandLine;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;

namespace Allocator.Cli;

/// <summary><c>allocator evaluate INSTANCE PLAN</c>: feasibility (every violation) and the objective with KPIs.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var instanceArgument = new Argument<string>("INSTANCE") { Description = "Instance file (JSON)." };
        var planArgument = new Argument<string>("PLAN") { Description = "Plan file (JSON); only instance, leases and jobs are read." };
        var json = new Option<bool>("--json") { Description = "Print the evaluation as JSON (the plan with objective, KPIs, violations and spot)." };
        var command = new Command("evaluate", HelpText.With("Check a plan against the contract and compute its objective. Exit 0: feasible; 3: infeasible (every broken rule listed); 2: the files cannot be read or the plan is for another instance.", "allocator evaluate seeds/tiny.json out/plan.json", "allocator evaluate seeds/tiny.json out/plan.json --json > evaluation.json"))
        {
            instanceArgument, planArgument, json,
        };
        command.SetAction(parse =>
        {
            if (InputFiles.ReadInstance(parse.GetValue(instanceArgument)!) is not { } instance
                || InputFiles.ReadPlan(parse.GetValue(planArgument)!) is not { } plan)
            {
                return ExitCodes.InvalidInput;
            }

            var compiled = new CompiledInstance(instance);
            if (PlanIdentity.Mismatch(plan, compiled) is { } mismatch)
            {
                Console.Error.WriteLine($"error: {parse.GetValue(planArgument)}: {mismatch} Give the plan made for this instance.");
                return ExitCodes.InvalidInput;
            }

            var evaluation = PlanEvaluator.Evaluate(compiled, plan);
            if (parse.GetValue(json))
            {
                Console.Out.Write(PlanWriter.Write(plan, evaluation, null, compiled));
            }
            else
            {
                Summary.Print(compiled, evaluation, null);
            }

            return evaluation.IsFeasible ? ExitCodes.Success : ExitCodes.Infeasible;
        });
        return command;
    }
}
