using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Allocator.Core.IO;
using Allocator.Core.Json;
using Allocator.Core.Scenarios;
using Parquet.Serialization;

namespace Allocator.Lab;

/// <summary>
/// A comparison's files: summary.csv and summary.json (one row per instance and policy: the figures, the solve time and
/// the differences with the baseline), results.parquet (one row per instance, policy and scenario), which pandas,
/// polars and DuckDB open as they are, and each policy's plan (plans/INSTANCE/POLICY.json). Costs and penalties are
/// positive amounts, as everywhere in Allocator.
/// </summary>
public static class ComparisonFiles
{
    /// <summary>The folder under an output folder that holds each policy's plan: plans/INSTANCE/POLICY.json.</summary>
    public const string PlansFolder = "plans";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the three tables and the plans into <paramref name="folder"/>, each file atomically; returns their paths.</summary>
    public static IReadOnlyList<string> Write(string folder, ComparisonRequest request, IReadOnlyList<InstanceComparison> comparisons, string device)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(comparisons);
        var files = new List<string> { Path.Combine(folder, "results.parquet"), Path.Combine(folder, "summary.csv"), Path.Combine(folder, "summary.json") };
        AtomicFile.WriteAllBytes(files[0], Parquet(comparisons));
        AtomicFile.WriteAllText(files[1], Csv(comparisons));
        AtomicFile.WriteAllText(files[2], JsonSummary(request, comparisons, device));
        if (WritePlans(folder, comparisons) > 0)
        {
            files.Add(Path.Combine(folder, PlansFolder));
        }

        return files;
    }

    /// <summary>
    /// Each policy's plan for each instance as plan.json is written (the contract's plan with its objective, status and
    /// solve), so a plan the comparison ranked can be evaluated, scored again or used; returns how many.
    /// </summary>
    private static int WritePlans(string folder, IReadOnlyList<InstanceComparison> comparisons)
    {
        var written = 0;
        foreach (var comparison in comparisons)
        {
            foreach (var policy in comparison.Policies.Where(p => p.Plan.Evaluation is not null))
            {
                var evaluation = policy.Plan.Evaluation!;
                var path = Path.Combine(folder, PlansFolder, PolicyNames.AsFileName(comparison.Name), $"{PolicyNames.AsFileName(policy.Policy)}.json");
                AtomicFile.WriteAllText(path, PlanWriter.Write(evaluation.Assignment.ToPlan(comparison.Instance), evaluation, policy.Plan.Report, comparison.Instance));
                written++;
            }
        }

        return written;
    }

    /// <summary>One row per instance, policy and scenario.</summary>
    public static byte[] Parquet(IReadOnlyList<InstanceComparison> comparisons)
    {
        ArgumentNullException.ThrowIfNull(comparisons);
        var rows = comparisons.SelectMany(c => c.Policies.SelectMany(p => p.Outcomes.Select((o, k) => new ScenarioRow(o) { Instance = c.Name, Policy = p.Policy, Scenario = k }))).ToList();
        using var stream = new MemoryStream();
        ParquetSerializer.SerializeAsync(rows, stream).GetAwaiter().GetResult();
        return stream.ToArray();
    }

    /// <summary>One row per instance and policy.</summary>
    public static string Csv(IReadOnlyList<InstanceComparison> comparisons)
    {
        ArgumentNullException.ThrowIfNull(comparisons);
        var csv = new StringBuilder("instance,policy,planned,scenarios,mean,stdev,alpha,cvar,p_any_lease_short,utilisation,lease_revenue,penalty,job_value,spot_revenue,power_cost,solve_seconds,"
            + "mean_diff,mean_diff_low,mean_diff_high,mean_diff_p_holm,cvar_diff,cvar_diff_low,cvar_diff_high,cvar_diff_p_holm,solve_ended,solve_gap\n");
        foreach (var c in comparisons)
        {
            foreach (var p in c.Policies)
            {
                var r = p.Risk;
                csv.Append(CultureInfo.InvariantCulture, $"{Field(c.Name)},{Field(p.Policy)},{(r is null ? "false" : "true")},");
                csv.Append(r is null
                    ? ",,,,,,,,,,,"
                    : string.Create(CultureInfo.InvariantCulture,
                        $"{r.Scenarios},{r.Mean:R},{r.StandardDeviation:R},{r.Alpha:R},{r.CVaR:R},{r.ProbabilityAnyLeaseShort:R},{p.Plan.Evaluation!.Kpis.Utilisation:R},{r.MeanLeaseRevenue:R},{r.MeanPenalty:R},{r.MeanJobValue:R},{r.MeanSpotRevenue:R},{r.MeanPowerCost:R},"));
                csv.Append(CultureInfo.InvariantCulture, $"{p.SolveSeconds:0.###},{Cells(p.MeanDifference)},{Cells(p.CvarDifference)},{p.Plan.Report.Ended},{p.Plan.Report.Gap:R}\n");
            }
        }

        return csv.ToString();
    }

    private static string Cells(Difference? d) => d is null
        ? ",,,"
        : string.Create(CultureInfo.InvariantCulture, $"{d.Estimate:R},{d.Low:R},{d.High:R},{d.AdjustedP:R}");

    private static string JsonSummary(ComparisonRequest request, IReadOnlyList<InstanceComparison> comparisons, string device)
    {
        var document = new
        {
            seed = request.Seed,
            batch = request.Scenarios,
            precision = request.Precision,
            alpha = request.Alpha,
            baseline = request.Baseline,
            device,
            versions = new
            {
                allocator = Core.ThisBuild.Version,
                dotnet = Environment.Version.ToString(),
            },
            machine = new { os = System.Runtime.InteropServices.RuntimeInformation.OSDescription, cores = Environment.ProcessorCount },
            // A stopped comparison (SIGTERM, Ctrl-C) holds the instances compared before the stop; these were not.
            stopped = comparisons.Count < request.Instances.Count,
            notCompared = request.Instances.Skip(comparisons.Count),
            instances = comparisons.Select(c => new
            {
                instance = c.Name,
                path = c.Path,
                scenarios = c.Scenarios,
                precisionReached = c.PrecisionReached,
                solveSeconds = Math.Round(c.Policies.Sum(p => p.SolveSeconds), 3),
                scoringSeconds = Math.Round(c.ScoringSeconds, 3),
                policies = c.Policies.Select(p => new
                {
                    policy = p.Policy,
                    planned = p.Risk is not null,
                    problem = p.Plan.Problem,
                    solveSeconds = Math.Round(p.SolveSeconds, 3),
                    solveEnded = p.Plan.Report.Ended,
                    solveGap = p.Plan.Report.Gap,
                    deterministicObjective = p.Plan.Evaluation?.Objective.Total,
                    utilisation = p.Plan.Evaluation?.Kpis.Utilisation,
                    risk = p.Risk,
                    meanDifference = p.MeanDifference,
                    cvarDifference = p.CvarDifference,
                }),
            }),
        };
        return JsonSerializer.Serialize(document, Json) + "\n";
    }

    private static string Field(string text) => Core.Text.CsvField.Of(text);

    /// <summary>One scenario's outcome of one policy on one instance, as results.parquet stores it.</summary>
    public sealed class ScenarioRow : OutcomeColumns
    {
        /// <summary>A row to be read into.</summary>
        public ScenarioRow()
        {
        }

        /// <summary>A row holding <paramref name="outcome"/>.</summary>
        public ScenarioRow(ScenarioOutcome outcome)
            : base(outcome)
        {
        }

        [JsonPropertyName("instance")]
        public string Instance { get; set; } = "";

        [JsonPropertyName("policy")]
        public string Policy { get; set; } = "";

        [JsonPropertyName("scenario")]
        public long Scenario { get; set; }
    }
}
