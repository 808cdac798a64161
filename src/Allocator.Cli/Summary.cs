using System.Globalization;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Core.Text;
using Spectre.Console;

namespace Allocator.Cli;

/// <summary>The readable summary of a plan: status, money, KPIs and pool use.</summary>
internal static class Summary
{
    public static void Print(CompiledInstance instance, PlanEvaluation evaluation, PlanReport? report)
    {
        var o = evaluation.Objective;
        var k = evaluation.Kpis;
        if (!evaluation.IsFeasible)
        {
            // Said first, so that no one reads the value below as a plan's worth.
            AnsiConsole.MarkupLine(Markup.Escape(
                $"INFEASIBLE: the plan breaks {evaluation.Violations.Length} rule{(evaluation.Violations.Length == 1 ? "" : "s")} of the contract (listed below); its value is not comparable with a feasible plan's."));
        }

        var table = new Table().Border(TableBorder.Rounded).HideHeaders().Title($"Plan for '{Markup.Escape(instance.Source.Name)}'");
        table.AddColumn("");
        table.AddColumn(new TableColumn("").RightAligned());
        if (report is not null)
        {
            var ended = report.Ended switch
            {
                "targetGap" => ", stopped at the target gap",
                "timeLimit" => ", stopped at the time limit",
                _ => "",
            };
            table.AddRow("Status", $"{report.Status} ({Markup.Escape(report.Solver)}, {report.SolveSeconds:0.00} s{ended})");
            table.AddRow("Bound", report.Bound is { } b ? Usd(b) : "-");
            table.AddRow("Gap", report.Gap is { } g ? Figures.Percent(g) : "-");
        }

        table.AddRow("Feasible", evaluation.IsFeasible ? "[green]yes[/]" : $"[red]no, {evaluation.Violations.Length} violation(s)[/]");
        table.AddRow(evaluation.IsFeasible ? "[bold]Objective[/]" : "[bold]Value of an infeasible plan[/]", $"[bold]{Usd(o.Total)}[/]");
        table.AddRow("  Lease revenue", Usd(o.LeaseRevenue));
        table.AddRow("  Expected job value", Usd(o.JobValue));
        table.AddRow("  Spot revenue", Usd(o.SpotRevenue));
        table.AddRow("  less power cost", Usd(o.PowerCost));
        var signedPlaced = Enumerable.Range(0, instance.LeaseCount).Count(l => instance.LeaseSigned[l] && evaluation.Assignment.LeasePool[l] >= 0);
        table.AddRow("Offers accepted", $"{k.OffersAccepted} of {k.Offers}");
        table.AddRow("Signed leases placed", $"{signedPlaced} of {k.SignedLeases}");
        table.AddRow("Jobs scheduled", $"{k.JobsScheduled} of {k.Jobs}");
        table.AddRow("Utilisation", $"{Figures.Percent(k.Utilisation)} committed, {Figures.Percent(k.UtilisationWithSpot)} with spot");
        AnsiConsole.Write(table);
        if (report?.Notes is { } notes && notes.TryGetValue("bound", out var boundNote))
        {
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(boundNote)}[/]");
        }

        if (!evaluation.IsFeasible)
        {
            foreach (var v in evaluation.Violations)
            {
                AnsiConsole.MarkupLine($"  [red]{Markup.Escape(v.Rule)}[/]: {Markup.Escape(v.Message)}");
            }
        }
    }

    private static string Usd(double value) => Figures.Usd(value);
}
