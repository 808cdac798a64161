using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Allocator.Core.Evaluation;
using Allocator.Core.IO;
using Allocator.Core.Scenarios;
using Allocator.Core.Text;
using Allocator.Kernels;
using Allocator.Lab;
using Spectre.Console;

namespace Allocator.Cli;

/// <summary><c>allocator score INSTANCE PLAN...</c>: what each plan makes across random scenarios, and its risk.</summary>
internal static class ScoreCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static Command Create()
    {
        var instanceArgument = new Argument<string>("INSTANCE") { Description = "Instance file (JSON) with an uncertainty section (without one every scenario is the deterministic objective)." };
        var plansArgument = new Argument<string[]>("PLAN") { Description = "One or more plan files.", Arity = ArgumentArity.OneOrMore };
        var scenarios = new Option<int>("--scenarios") { Description = "Scenarios per plan.", DefaultValueFactory = _ => 1000 };
        var first = FirstScenario.Create();
        var seed = new Option<ulong>("--seed") { Description = "Scenario seed: scenario k of a seed is the same draw for every plan and device.", DefaultValueFactory = _ => 1 };
        var alpha = new Option<double>("--alpha") { Description = "CVaR share: the mean of the worst alpha of scenarios.", DefaultValueFactory = _ => 0.05 };
        var device = Choice.Of("--device", "Where plans are scored (auto: CUDA, else an OpenCL GPU, else the CPU).", ScoringDevices.Words, ScoringDevice.Auto);
        var output = new Option<string?>("--out") { Description = "Folder for scores.json and scores.csv (default: none, the table only)." };
        var asJson = new Option<bool>("--json") { Description = "Print scores.json to standard output instead of the table." };
        var outcomes = new Option<bool>("--outcomes") { Description = "Also write outcomes.parquet and outcomes.csv in --out: one row per plan and scenario (plan, scenario, total and its parts), to join on scenario with the tables of 'allocator scenarios'." };
        var command = new Command("score", HelpText.With("Score plans against random scenarios: mean, stdev, CVaR, P(any lease short), shortfall, revenue split. A plan that breaks a rule is scored apart, marked infeasible, and the exit code is 3.", "allocator score seeds/colossus-2026.json out/a/plan.json out/b/plan.json --scenarios 10000", "allocator score seeds/tiny.json out/tiny/plan.json --json"))
        {
            instanceArgument, plansArgument, scenarios, first, seed, alpha, device, output, asJson, outcomes,
        };
        command.SetAction((parse, cancellation) => Task.Run(() =>
        {
            var n = parse.GetValue(scenarios);
            var start = parse.GetValue(first);
            var a = parse.GetValue(alpha);
            if (!PlanCommand.OptionsAreValid(
                ("--scenarios", n < 1 ? $"must be at least 1 (it is {n})" : null),
                ("--first", FirstScenario.Problem(start, n)),
                ("--alpha", a is <= 0 or > 1 ? $"must be in (0, 1] (it is {a.ToString(CultureInfo.InvariantCulture)})" : null),
                ("--out", parse.GetValue(output) is { } destination ? OutputFolder.Problem(destination) : null),
                ("--outcomes", parse.GetValue(outcomes) && parse.GetValue(output) is null ? "needs --out, the folder its files go in" : null)))
            {
                return ExitCodes.InvalidInput;
            }

            if (InputFiles.ReadInstance(parse.GetValue(instanceArgument)!) is not { } instance)
            {
                return ExitCodes.InvalidInput;
            }

            var compiled = new CompiledInstance(instance);
            if (Read(compiled, parse.GetValue(plansArgument)!) is not { } read)
            {
                return ExitCodes.InvalidInput;
            }

            // Feasible plans first; a plan that breaks a rule is scored too, but set apart and never ranked with them.
            var scored = read.OrderBy(p => p.Evaluation.IsFeasible ? 0 : 1).ToList();
            foreach (var plan in scored.Where(p => !p.Evaluation.IsFeasible))
            {
                Console.Error.WriteLine($"INFEASIBLE: {plan.Path} breaks {plan.Evaluation.Violations.Length} rule(s) of the contract; its figures are shown apart and are not comparable:");
                foreach (var v in plan.Evaluation.Violations)
                {
                    Console.Error.WriteLine($"  {v}");
                }
            }

            // A call holds every pair's outcomes: refused at once, rather than failing or swapping midway, where they cannot fit.
            var needed = BulkScorer.HostBytes(compiled, scored.Count, n);
            var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            if ((long)scored.Count * n > Array.MaxLength)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"error: --scenarios {n:N0} for {scored.Count} plan(s) is more than {Array.MaxLength:N0} pairs (plans x scenarios), the most one call holds: score fewer scenarios or fewer plans at a time. Nothing was written."));
                return ExitCodes.InvalidInput;
            }

            if (needed > available)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"error: --scenarios {n:N0} for {scored.Count} plan(s) needs at least {needed / 1e9:0.0} GB (each pair's outcomes, and a batch of scenario tables) and this machine offers {available / 1e9:0.0} GB: score fewer scenarios or fewer plans at a time. Nothing was written."));
                return ExitCodes.InvalidInput;
            }

            IDisposable? held = null;
            if (parse.GetValue(output) is { } folder)
            {
                held = PlanCommand.HoldOutputFolder(folder);
                if (held is null)
                {
                    return ExitCodes.OutputFolderHeld;
                }
            }

            using var runLock = held;
            var scorer = BulkScorer.Create(parse.GetValue(device)!.Value, w => Console.Error.WriteLine($"warning: {w}"));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scoring {scored.Count} plan(s) x {n} scenarios{(start > 0 ? $" from {start}" : "")} on {scorer.Description}"));
            var plans = scored.Select(p => p.Evaluation.Assignment).ToList();
            var scoring = Task.Run(() => parse.GetValue(outcomes) ? Summarized(scorer.Score(compiled, plans, parse.GetValue(seed), n, start), a) : (scorer.Summarize(compiled, plans, parse.GetValue(seed), n, a, start), null), CancellationToken.None);
            try
            {
                scoring.Wait(cancellation);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                // The scorer cannot be stopped midway: the process ends without it (and without disposing it while it
                // runs); a folder made for this run goes again with its lock.
                Console.Error.WriteLine("Stopped (SIGTERM or Ctrl-C) while scoring. Nothing was written.");
                return ExitCodes.Stopped;
            }

            var (report, matrix) = scoring.GetAwaiter().GetResult();
            scorer.Dispose();
            var summaries = report.Plans.ToList();
            var json = Json(scored, summaries, parse.GetValue(seed), start, n, scorer.Description);
            if (parse.GetValue(asJson))
            {
                Console.Out.Write(json);
            }
            else
            {
                PrintTable(scored, summaries, start, n, parse.GetValue(seed), a);
            }

            Console.Error.WriteLine($"scored {scored.Count * (long)n:N0} pairs in {report.ScoringTime.TotalSeconds:0.000} s");
            if (parse.GetValue(output) is { } written)
            {
                AtomicFile.WriteAllText(Path.Combine(written, "scores.json"), json);
                AtomicFile.WriteAllText(Path.Combine(written, "scores.csv"), Csv(scored, summaries));
                if (matrix is not null)
                {
                    OutcomeFiles.Write(written, [.. scored.Select(p => p.Path)], matrix, first: start);
                }

                Console.Error.WriteLine($"Wrote {Path.Combine(written, "scores.json")} and scores.csv{(matrix is null ? "" : $", {string.Join(", ", OutcomeFiles.Names)}")}.");
            }

            return scored.All(p => p.Evaluation.IsFeasible) ? ExitCodes.Success : ExitCodes.Infeasible;
        }, CancellationToken.None));
        return command;
    }

    /// <summary>Each plan's summary from every pair's outcomes (<see cref="RiskSummary.Of"/>, which the device's summaries equal), and the outcomes.</summary>
    private static (RiskReport Report, ScoreMatrix? Outcomes) Summarized(ScoreMatrix matrix, double alpha) =>
        (new RiskReport([.. Enumerable.Range(0, matrix.Plans).Select(p => RiskSummary.Of(matrix.ForPlan(p), alpha))], matrix.ScoringTime), matrix);

    /// <summary>A plan file as scored: its path and its evaluation on the instance.</summary>
    private sealed record ScoredFile(string Path, PlanEvaluation Evaluation);

    /// <summary>Reads and evaluates every plan; null (one line on stderr) when one cannot be read or is for another instance.</summary>
    private static List<ScoredFile>? Read(CompiledInstance compiled, string[] paths)
    {
        var read = new List<ScoredFile>();
        foreach (var path in paths)
        {
            if (InputFiles.ReadPlan(path) is not { } plan)
            {
                return null;
            }

            if (PlanIdentity.Mismatch(plan, compiled) is { } mismatch)
            {
                Console.Error.WriteLine($"error: {path}: {mismatch} Give the plan made for this instance. Nothing was written.");
                return null;
            }

            var violations = new List<PlanViolation>();
            var assignment = PlanEvaluator.Resolve(compiled, plan, violations);
            if (violations.Count > 0)
            {
                Console.Error.WriteLine($"error: {path} does not fit this instance: {string.Join("; ", violations.Take(3))}. Nothing was written.");
                return null;
            }

            read.Add(new ScoredFile(path, PlanEvaluator.Evaluate(compiled, assignment)));
        }

        return read;
    }

    /// <summary>One column per plan, one row per figure: plans are few, figures many. Infeasible plans come last, marked.</summary>
    private static void PrintTable(List<ScoredFile> plans, List<RiskSummary> summaries, long first, int n, ulong seed, double a)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn(string.Create(CultureInfo.InvariantCulture, $"{n:N0} scenarios{(first > 0 ? $" from {first:N0}" : "")}, seed {seed}"));
        foreach (var plan in plans)
        {
            var name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(plan.Path))) + "/" + Path.GetFileName(plan.Path);
            table.AddColumn(new TableColumn(Markup.Escape(plan.Evaluation.IsFeasible ? name : $"{name} (INFEASIBLE)")).RightAligned());
        }

        void Row(string name, Func<int, string> value) => table.AddRow([name, .. Enumerable.Range(0, plans.Count).Select(value)]);
        Row("Deterministic objective", i => plans[i].Evaluation.IsFeasible ? Usd(plans[i].Evaluation.Objective.Total) : $"infeasible ({Usd(plans[i].Evaluation.Objective.Total)})");
        Row("[bold]Mean[/]", i => $"[bold]{Usd(summaries[i].Mean)}[/]");
        Row("Standard deviation", i => Usd(summaries[i].StandardDeviation));
        Row($"CVaR (worst {Figures.Percent(a)})", i => Usd(summaries[i].CVaR));
        Row("P(any lease short)", i => Figures.Percent(summaries[i].ProbabilityAnyLeaseShort));
        Row("Expected GPU-hours short", i => Figures.Whole(summaries[i].ExpectedShortGpuHours));
        Row("  Lease revenue", i => Usd(summaries[i].MeanLeaseRevenue));
        Row("  less SLA penalties", i => Usd(summaries[i].MeanPenalty));
        Row("  Job value", i => Usd(summaries[i].MeanJobValue));
        Row("  Spot revenue", i => Usd(summaries[i].MeanSpotRevenue));
        Row("  less power cost", i => Usd(summaries[i].MeanPowerCost));
        AnsiConsole.Write(table);
    }

    private static string Usd(double value) => Figures.Whole(value);

    private static string Json(List<ScoredFile> plans, List<RiskSummary> summaries, ulong seed, long first, int scenarios, string device)
    {
        var document = new
        {
            seed,
            first,
            scenarios,
            device,
            plans = plans.Select((p, i) => new
            {
                plan = p.Path,
                feasible = p.Evaluation.IsFeasible,
                objective = p.Evaluation.Objective.Total,
                violations = p.Evaluation.Violations,
                risk = summaries[i],
            }),
        };
        return JsonSerializer.Serialize(document, JsonOptions) + "\n";
    }

    private static string Csv(List<ScoredFile> plans, List<RiskSummary> summaries)
    {
        var csv = new StringBuilder("plan,feasible,scenarios,mean,stdev,alpha,cvar,p_any_lease_short,expected_short_gpu_hours,lease_revenue,penalty,job_value,spot_revenue,power_cost\n");
        for (var i = 0; i < plans.Count; i++)
        {
            var s = summaries[i];
            csv.Append(CultureInfo.InvariantCulture,
                $"{CsvField.Of(plans[i].Path)},{(plans[i].Evaluation.IsFeasible ? "true" : "false")},{s.Scenarios},{s.Mean:R},{s.StandardDeviation:R},{s.Alpha:R},{s.CVaR:R},{s.ProbabilityAnyLeaseShort:R},{s.ExpectedShortGpuHours:R},{s.MeanLeaseRevenue:R},{s.MeanPenalty:R},{s.MeanJobValue:R},{s.MeanSpotRevenue:R},{s.MeanPowerCost:R}\n");
        }

        return csv.ToString();
    }
}
