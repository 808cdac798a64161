using System.Collections.Immutable;
using System.Text.Json;
using Allocator.Core.Contract;

namespace Allocator.Core.Json;

/// <summary>
/// Reads a plan file. Only the contract's fields are read; fields solvers add (status, objective, KPIs, spot, ...)
/// are ignored, so a plan written by any tool, or by hand with the contract's fields alone, is accepted.
/// </summary>
public static class PlanReader
{
    /// <summary>Reads a plan file; throws <see cref="ContractException"/> listing every problem.</summary>
    public static Plan ReadFile(string path) => Read(InputText.Read(path), path);

    /// <summary>Reads plan JSON; <paramref name="source"/> names it in messages.</summary>
    public static Plan Read(string json, string source = "plan")
    {
        var problems = new List<ContractProblem>();
        var plan = JsonFieldReader.ReadObject(json, problems, "instance, leases and jobs", root =>
        {
            if (FileKind.Mismatch(root, FileKind.Kind.Plan) is { } wrongKind)
            {
                problems.Add(new("$", wrongKind));
                return null;
            }

            return Parse(root, problems);
        });

        if (problems.Count > 0 || plan is null)
        {
            throw new ContractException(source, problems);
        }

        return plan;
    }

    private static Plan Parse(JsonElement root, List<ContractProblem> problems)
    {
        var o = new JsonFieldReader(root, "$", problems, rejectUnknown: false);
        var instance = o.String("instance", required: true) ?? "";
        var leases = ImmutableArray.CreateBuilder<LeaseDecision>();
        foreach (var (item, path) in o.Array("leases", required: true) ?? [])
        {
            if (Decision(item, path, "accepted", problems) is var (id, placed, pool, start))
            {
                leases.Add(new LeaseDecision(id, placed, pool, start));
            }
        }

        var jobs = ImmutableArray.CreateBuilder<JobDecision>();
        foreach (var (item, path) in o.Array("jobs", required: true) ?? [])
        {
            if (Decision(item, path, "scheduled", problems) is var (id, placed, pool, start))
            {
                jobs.Add(new JobDecision(id, placed, pool, start));
            }
        }

        return new Plan(instance, leases.ToImmutable(), jobs.ToImmutable());
    }

    private static (string Id, bool Placed, string? Pool, int? Start)? Decision(JsonElement item, string path, string flag, List<ContractProblem> problems)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(path, $"must be an object {{ \"id\": ..., \"{flag}\": ... }}, got {JsonFieldReader.Describe(item)}."));
            return null;
        }

        var o = new JsonFieldReader(item, path, problems, rejectUnknown: false);
        var id = o.String("id", required: true);
        var placed = o.Boolean(flag);
        if (placed is null && !o.Has(flag))
        {
            o.Problem($"{path}.{flag}", "is required but missing; say true or false.");
        }

        string? pool = null;
        int? start = null;
        if (placed == true)
        {
            pool = o.String("pool", required: true);
            start = o.Integer("start", required: true, "the start period");
        }

        return id is null || placed is null ? null : (id, placed.Value, pool, start);
    }
}
