using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Allocator.Core.Evaluation;
using Allocator.Core.IO;
using Allocator.Core.Scenarios;
using Allocator.Core.Text;
using Allocator.Kernels;
using Spectre.Console;

namespace Allocator.Cli;

/// <summary><c>allocator score INSTANCE PLAN...</c>: what each plan makes across random scenarios, and its risk.</summary>
internal static class ScoreCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create()
    {
        var instanceArgument = new Argument<string>("INSTANCE") { Description = "Instance file (JSON) with an uncertainty section (without one every scenario is the deterministic objective)." };
        var plansArgument = new Argument<string[]>("PLAN") { Description = "One or more plan files.", Arity = ArgumentArity.OneOrMore };
        var scenarios = new Option<int>("--scenarios") { Description = "Scenarios per plan.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<ulong>("--seed") { Description = "Scenario seed: scenario k of a seed is the same draw for every plan and device.", DefaultValueFactory = _ => 1 };
        var alpha = new Option<double>("--alpha") { Description = "CVaR share: the mean of the worst alpha of scenarios.", DefaultValueFactory = _ => 0.05 };
        var device = Choice.Of("--device", "Where plans are scored (auto: CUDA, else an OpenCL GPU, else the CPU).", ScoringDevices.Words, ScoringDevice.Auto);
        var output = new Option<string?>("--out") { Description = "Folder for scores.json and scores.csv." };
        var command = new Command("score", "Score plans against random scenarios: mean, stdev, CVaR, P(any lease short), shortfall, revenue split.")
        {
            instanceArgument, plansArgument, scenarios, seed, alpha, device, output,
        };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(scenarios);
            var a = parse.GetValue(alpha);
            if (n < 1 || a is <= 0 or > 1)
            {
                Console.Error.WriteLine("error: --scenarios must be at least 1 and --alpha in (0, 1].");
                return ExitCodes.InvalidInput;
            }

            if (parse.GetValue(output) is { } destination && OutputFolder.Problem(destination) is { } problem)
            {
                Console.Error.WriteLine($"error: --out {problem}. Nothing was written.");
                return ExitCodes.InvalidInput;
            }

            if (InputFiles.ReadInstance(parse.GetValue(instanceArgument)!) is not { } instance)
            {
                return ExitCodes.InvalidInput;
            }

            var compiled = new CompiledInstance(instance);
            var paths = parse.GetValue(plansArgument)!;
            var plans = new List<Assignment>();
            foreach (var path in paths)
            {
                if (InputFiles.ReadPlan(path) is not { } plan)
                {
                    return ExitCodes.InvalidInput;
                }

                var violations = new List<PlanViolation>();
                plans.Add(PlanEvaluator.Resolve(compiled, plan, violations));
                if (violations.Count > 0)
                {
                    Console.Error.WriteLine($"error: {path} does not fit this instance: {string.Join("; ", violations.Take(3))}. Nothing was written.");
                    return ExitCodes.InvalidInput;
                }
            }

            using var scorer = BulkScorer.Create(parse.GetValue(device)!.Value, w => Console.Error.WriteLine($"warning: {w}"));
            Console.Error.WriteLine($"scoring {plans.Count} plan(s) x {n} scenarios on {scorer.Description}");
            var report = scorer.Summarize(compiled, plans, parse.GetValue(seed), n, a);
            var summaries = report.Plans.ToList();

            // One column per plan, one row per figure: plans are few, figures many.
            var table = new Table().Border(TableBorder.Rounded).AddColumn($"{n:N0} scenarios, seed {parse.GetValue(seed)}");
            foreach (var path in paths)
            {
                table.AddColumn(new TableColumn(Markup.Escape(Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) + "/" + Path.GetFileName(path))).RightAligned());
            }

            void Row(string name, Func<int, string> value) => table.AddRow([name, .. Enumerable.Range(0, plans.Count).Select(value)]);
            Row("Deterministic objective", i => Usd(PlanEvaluator.Evaluate(compiled, plans[i]).Objective.Total));
            Row("[bold]Mean[/]", i => $"[bold]{Usd(summaries[i].Mean)}[/]");
            Row("Standard deviation", i => Usd(summaries[i].StandardDeviation));
            Row($"CVaR (worst {a:P0})", i => Usd(summaries[i].CVaR));
            Row("P(any lease short)", i => Figures.Percent(summaries[i].ProbabilityAnyLeaseShort));
            Row("Expected GPU-hours short", i => Figures.Whole(summaries[i].ExpectedShortGpuHours));
            Row("  Lease revenue", i => Usd(summaries[i].MeanLeaseRevenue));
            Row("  less SLA penalties", i => Usd(summaries[i].MeanPenalty));
            Row("  Job value", i => Usd(summaries[i].MeanJobValue));
            Row("  Spot revenue", i => Usd(summaries[i].MeanSpotRevenue));
            Row("  less power cost", i => Usd(summaries[i].MeanPowerCost));
            AnsiConsole.Write(table);
            Console.Error.WriteLine($"scored {plans.Count * (long)n:N0} pairs in {report.ScoringTime.TotalSeconds:0.000} s");
            if (parse.GetValue(output) is { } folder)
            {
                AtomicFile.WriteAllText(Path.Combine(folder, "scores.json"), Json(paths, summaries, parse.GetValue(seed), n, scorer.Description));
                AtomicFile.WriteAllText(Path.Combine(folder, "scores.csv"), Csv(paths, summaries));
                Console.WriteLine($"Wrote {Path.Combine(folder, "scores.json")} and scores.csv.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string Usd(double value) => Figures.Whole(value);

    private static string Json(string[] paths, List<RiskSummary> summaries, ulong seed, int scenarios, string device)
    {
        var document = new
        {
            seed,
            scenarios,
            device,
            plans = paths.Select((p, i) => new { plan = p, risk = summaries[i] }),
        };
        return JsonSerializer.Serialize(document, JsonOptions) + "\n";
    }

    private static string Csv(string[] paths, List<RiskSummary> summaries)
    {
        var csv = new StringBuilder("plan,scenarios,mean,stdev,alpha,cvar,p_any_lease_short,expected_short_gpu_hours,lease_revenue,penalty,job_value,spot_revenue,power_cost\n");
        for (var i = 0; i < paths.Length; i++)
        {
            var s = summaries[i];
            csv.Append(CultureInfo.InvariantCulture,
                $"{paths[i].Replace(",", "_", StringComparison.Ordinal)},{s.Scenarios},{s.Mean:R},{s.StandardDeviation:R},{s.Alpha:R},{s.CVaR:R},{s.ProbabilityAnyLeaseShort:R},{s.ExpectedShortGpuHours:R},{s.MeanLeaseRevenue:R},{s.MeanPenalty:R},{s.MeanJobValue:R},{s.MeanSpotRevenue:R},{s.MeanPowerCost:R}\n");
        }

        return csv.ToString();
    }
}
