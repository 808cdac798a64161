using System.Globalization;
using System.Text;
using System.Text.Json;
using Allocator.Core.Contract;
using Allocator.Core.Evaluation;

namespace Allocator.Core.Json;

/// <summary>
/// How a plan was obtained, written beside the contract's fields of plan.json. <see cref="Ended"/> says why the solve
/// stopped: "proven", "targetGap", "timeLimit" or "interrupted".
/// </summary>
public sealed record PlanReport(
    string Status,
    string Solver,
    double? Bound,
    double? Gap,
    double SolveSeconds,
    IReadOnlyDictionary<string, string>? Notes = null,
    string? Ended = null)
{
    /// <summary><see cref="Ended"/> of a solve stopped by its time or node limit before it proved its plan optimal.</summary>
    public const string EndedAtLimit = "timeLimit";

    /// <summary>The solve's progress: every plan found and bound proven, in order (plan.json's <c>progress</c>).</summary>
    public IReadOnlyList<ProgressPoint> Progress { get; init; } = [];
}

/// <summary>
/// One moment of a solve: seconds from its start, the value of the best plan held then (USD), the tightest bound known
/// then (null before one is), and what found the plan or proved the bound.
/// </summary>
public sealed record ProgressPoint(double Seconds, double Objective, double? Bound, string Source);

/// <summary>Writes plan.json (the contract's plan plus status, objective, KPIs and the spot table) and plan.csv.</summary>
public static class PlanWriter
{
    /// <summary>The plan as JSON; with an evaluation, its objective, parts, KPIs and spot table are added.</summary>
    public static string Write(Plan plan, PlanEvaluation? evaluation = null, PlanReport? report = null, CompiledInstance? instance = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("instance", plan.Instance);
            w.WriteItems("leases", plan.Leases, (w, d) =>
            {
                w.WriteString("id", d.Id);
                w.WriteBoolean("accepted", d.Accepted);
                WritePlacement(w, d.Pool, d.Start);
            });
            w.WriteItems("jobs", plan.Jobs, (w, d) =>
            {
                w.WriteString("id", d.Id);
                w.WriteBoolean("scheduled", d.Scheduled);
                WritePlacement(w, d.Pool, d.Start);
            });
            if (report is not null)
            {
                Report(w, report);
            }

            if (evaluation is not null)
            {
                Evaluation(w, evaluation, instance);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>How the plan was obtained: status, solver, bound, gap, time, why it ended, progress and notes.</summary>
    private static void Report(Utf8JsonWriter w, PlanReport report)
    {
        w.WriteString("status", report.Status);
        w.WriteString("solver", report.Solver);
        WriteNullable(w, "bound", report.Bound);
        WriteNullable(w, "gap", report.Gap);
        w.WriteNumber("solveSeconds", Math.Round(report.SolveSeconds, 3));
        if (report.Ended is { } ended)
        {
            w.WriteString("ended", ended);
        }

        if (report.Progress.Count > 0)
        {
            w.WriteItems("progress", report.Progress, (w, point) =>
            {
                w.WriteNumber("seconds", Math.Round(point.Seconds, 3));
                w.WriteNumber("objective", point.Objective);
                WriteNullable(w, "bound", point.Bound);
                w.WriteString("source", point.Source);
            });
        }

        if (report.Notes is { Count: > 0 } notes)
        {
            w.WriteStartObject("notes");
            foreach (var (key, value) in notes)
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
        }
    }

    /// <summary>What the plan is worth: feasibility, objective and its parts, KPIs, violations and the spot table.</summary>
    private static void Evaluation(Utf8JsonWriter w, PlanEvaluation evaluation, CompiledInstance? instance)
    {
        var o = evaluation.Objective;
        w.WriteBoolean("feasible", evaluation.IsFeasible);
        w.WriteNumber("objective", o.Total);
        w.WriteSection("objectiveParts", ("leaseRevenue", o.LeaseRevenue), ("jobValue", o.JobValue), ("spotRevenue", o.SpotRevenue), ("powerCost", o.PowerCost));
        var k = evaluation.Kpis;
        w.WriteSection(
            "kpis",
            ("offersAccepted", k.OffersAccepted),
            ("offers", k.Offers),
            ("signedLeases", k.SignedLeases),
            ("jobsScheduled", k.JobsScheduled),
            ("jobs", k.Jobs),
            ("leaseGpuHours", k.LeaseGpuHours),
            ("jobGpuHours", k.JobGpuHours),
            ("spotGpuHours", k.SpotGpuHours),
            ("capacityGpuHours", k.CapacityGpuHours),
            ("utilisation", k.Utilisation),
            ("utilisationWithSpot", k.UtilisationWithSpot));
        if (!evaluation.IsFeasible)
        {
            WriteViolations(w, evaluation.Violations);
        }

        if (instance is not null)
        {
            SpotTable(w, evaluation, instance);
        }
    }

    /// <summary>The spot table: average GPUs sold per pool and period (the contract's spot[p,t]).</summary>
    private static void SpotTable(Utf8JsonWriter w, PlanEvaluation evaluation, CompiledInstance instance)
    {
        w.WriteStartObject("spot");
        for (var p = 0; p < instance.PoolCount; p++)
        {
            w.WriteStartArray(instance.Source.Pools[p].Id);
            for (var t = 0; t < instance.Periods; t++)
            {
                w.WriteNumberValue(evaluation.Spot[p * instance.Periods + t]);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>
    /// plan.csv, one row per lease and job: <c>accepted</c> says whether the lease is accepted (signed leases always) or
    /// the job scheduled; <c>start</c> and <c>last_period</c> are period numbers, the last one included; <c>starts</c>
    /// is when the first period begins and <c>ends</c> when the last one ends (the next period's start), counted from
    /// <c>horizon.start</c>: dates when periods are whole days, else date and time (UTC).
    /// </summary>
    public static string WriteCsv(CompiledInstance instance, Assignment assignment)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(assignment);
        var source = instance.Source;
        var csv = new StringBuilder("kind,id,customer,status,accepted,pool,start,last_period,starts,ends,gpus,value_usd\n");
        foreach (var block in instance.Blocks())
        {
            var (pool, start) = assignment.Placement(block);
            var periods = instance.Periods(block);
            var (kind, id, customer, status, value) = block.IsJob
                ? ("job", source.Jobs[block.Index].Id, "", source.Jobs[block.Index].Required ? "required" : "optional", pool < 0 ? 0 : instance.JobExpectedValue(block.Index, start))
                : ("lease", source.Leases[block.Index].Id, source.Leases[block.Index].Customer ?? "", source.Leases[block.Index].Status == LeaseStatus.Signed ? "signed" : "offer", pool < 0 ? 0 : instance.LeaseRevenue[block.Index]);
            csv.Append(CultureInfo.InvariantCulture, $"{kind},{Field(id)},{Field(customer)},{status},{(pool >= 0 ? "true" : "false")},");
            csv.Append(pool < 0
                ? string.Create(CultureInfo.InvariantCulture, $",,,,,{instance.Gpus(block)},0\n")
                : string.Create(CultureInfo.InvariantCulture, $"{Field(source.Pools[pool].Id)},{start},{start + periods - 1},{When(instance, start)},{When(instance, start + periods)},{instance.Gpus(block)},{value:0.##}\n"));
        }

        return csv.ToString();
    }

    /// <summary>spot.csv: average GPUs sold on spot per pool and period (the contract's spot[p, t]), with when each period starts.</summary>
    public static string WriteSpotCsv(CompiledInstance instance, PlanEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(evaluation);
        var csv = new StringBuilder("pool,period,starts,gpus_sold\n");
        for (var p = 0; p < instance.PoolCount; p++)
        {
            for (var t = 0; t < instance.Periods; t++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{Field(instance.Source.Pools[p].Id)},{t},{When(instance, t)},{evaluation.Spot[p * instance.Periods + t]:0.###}\n");
            }
        }

        return csv.ToString();
    }

    /// <summary>When period <paramref name="period"/> begins: a date when periods are whole days, else a UTC date and time.</summary>
    private static string When(CompiledInstance instance, int period)
    {
        var horizon = instance.Source.Horizon;
        var at = horizon.Start.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddHours(period * horizon.PeriodHours);
        return horizon.PeriodHours % 24 == 0
            ? at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : at.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);
    }

    private static string Field(string text) => Text.CsvField.Of(text);

    private static void WritePlacement(Utf8JsonWriter w, string? pool, int? start)
    {
        if (pool is not null)
        {
            w.WriteString("pool", pool);
        }

        if (start is { } s)
        {
            w.WriteNumber("start", s);
        }
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>
    /// Violations as data: rule, message, pool or site, periods, each period's limit, use and excess, and the leases and
    /// jobs involved (fields that do not apply to a rule are left out).
    /// </summary>
    public static void WriteViolations(Utf8JsonWriter w, IEnumerable<PlanViolation> violations)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(violations);
        w.WriteStartArray("violations");
        foreach (var v in violations)
        {
            w.WriteStartObject();
            w.WriteString("rule", v.Rule);
            w.WriteString("message", v.Message);
            if (v.Where is { } where)
            {
                w.WriteString("where", where);
            }

            if (v.FirstPeriod is { } first && v.LastPeriod is { } last)
            {
                w.WriteNumber("firstPeriod", first);
                w.WriteNumber("lastPeriod", last);
            }

            if (v.Periods.Count > 0)
            {
                w.WriteStartArray("periods");
                foreach (var p in v.Periods)
                {
                    w.WriteStartObject();
                    w.WriteNumber("period", p.Period);
                    w.WriteNumber("limit", p.Limit);
                    w.WriteNumber("use", p.Use);
                    w.WriteNumber("excess", p.Excess);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            WriteIds(w, "leases", v.Leases);
            WriteIds(w, "jobs", v.Jobs);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteIds(Utf8JsonWriter w, string name, IReadOnlyList<string> ids)
    {
        if (ids.Count == 0)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var id in ids)
        {
            w.WriteStringValue(id);
        }

        w.WriteEndArray();
    }
}
