using System.Text.Json;
using Allocator.Core.Contract;
using Allocator.Core.Generation;
using Allocator.Core.Json;

namespace Allocator.Lab;

/// <summary>
/// A sweep: a grid of generated instances (sizes, uncertainty, the hard case, seeds) and the policies compared on each.
/// Task k is the k-th instance of the grid, in a fixed order, so that any machine (a Slurm array task, a Kubernetes
/// indexed job) can run one task by its number and the merged result is the same as the whole sweep run at once.
/// </summary>
public sealed record Sweep(
    string Name,
    IReadOnlyList<int> Pools,
    IReadOnlyList<int> Leases,
    IReadOnlyList<int> Jobs,
    IReadOnlyList<int> Periods,
    IReadOnlyList<bool> Uncertainty,
    IReadOnlyList<bool> Hard,
    IReadOnlyList<ulong> Seeds,
    IReadOnlyList<string> Policies,
    string Baseline,
    int Scenarios,
    ulong ScenarioSeed,
    double TimeLimitSeconds)
{
    /// <summary>Every instance of the grid, task 0 first.</summary>
    public IReadOnlyList<GeneratorOptions> Tasks() =>
    [
        .. from p in Pools
           from l in Leases
           from j in Jobs
           from t in Periods
           from u in Uncertainty
           from h in Hard
           from s in Seeds
           select new GeneratorOptions(p, l, j, t, s, Uncertainty: u, Hard: h),
    ];

    /// <summary>
    /// What identifies this sweep's results: the first 16 hex digits of the SHA-256 of its definition, so that a merge
    /// can tell the tasks of one sweep from another's (a name alone may be reused with other lists).
    /// </summary>
    public string Fingerprint()
    {
        var definition = JsonSerializer.SerializeToUtf8Bytes(this);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(definition))[..16];
    }

    /// <summary>The instance of task <paramref name="task"/>.</summary>
    public Instance Instance(int task) => InstanceGenerator.Generate(Tasks()[task]);

    /// <summary>
    /// Reads a sweep file; throws <see cref="ArgumentException"/> naming every field at fault (its JSON path) and the fix:
    /// a value of the wrong kind, a field the format does not have (with the one meant, for a typo), a value out of range.
    /// </summary>
    public static Sweep Read(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{path} cannot be read: {e.Message}", e);
        }

        var problems = new List<ContractProblem>();
        var sweep = Parse(json, problems);
        var found = sweep is not null && problems.Count == 0 ? [.. sweep.Problems()] : problems.Select(p => p.ToString()).ToList();
        return found.Count == 0 ? sweep! : throw new ArgumentException($"{path}: {string.Join("; ", found.Select(f => f.TrimEnd('.')))}.");
    }

    /// <summary>The sweep in <paramref name="json"/>, each field read by its kind; null (with the problems) when one is wrong.</summary>
    private static Sweep? Parse(string json, List<ContractProblem> problems) =>
        JsonFieldReader.ReadObject(json, problems, "name, the grid's lists, policies and baseline (docs/sweeps.md)", root =>
        {
            var o = new JsonFieldReader(root, "$", problems, true, Fields);
            List<T> Each<T>(string name, Func<JsonElement, string, T?> read)
                where T : struct => [.. (o.Array(name, required: false) ?? []).Select(item => read(item.Item, item.Path)).OfType<T>()];
            List<int> Sizes(string name) => Each(name, (item, at) => o.IntegerValue(item, at, name, int.MinValue, int.MaxValue));
            var sweep = new Sweep(
                o.String("name", required: true) ?? "",
                Sizes("pools"),
                Sizes("leases"),
                Sizes("jobs"),
                Sizes("periods"),
                Each("uncertainty", o.BooleanValue),
                Each("hard", o.BooleanValue),
                Each("seeds", (item, at) => o.UnsignedValue(item, at, "a generator seed")),
                o.IdList("policies")?.Select(p => p.Id).ToList() ?? [],
                o.String("baseline", required: false) ?? "",
                o.Integer("scenarios", required: false, "scenarios per task", int.MinValue) ?? 0,
                o.Raw("scenarioSeed") is { } seed ? o.UnsignedValue(seed, "$.scenarioSeed", "the scenarios' seed") ?? 0 : 0,
                o.Number("timeLimitSeconds", required: false, "seconds per policy and task", double.MinValue) ?? 0);
            return problems.Count == 0 ? sweep : null;
        });

    /// <summary>The fields of a sweep file, as docs/sweeps.md lists them.</summary>
    private static readonly string[] Fields =
        ["name", "pools", "leases", "jobs", "periods", "uncertainty", "hard", "seeds", "policies", "baseline", "scenarios", "scenarioSeed", "timeLimitSeconds"];

    /// <summary>Each field out of range, named by its JSON name.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var (field, values, min) in new (string, IReadOnlyList<int>?, int)[] { ("pools", Pools, 1), ("leases", Leases, 0), ("jobs", Jobs, 0), ("periods", Periods, 2) })
        {
            if (values is null || values.Count == 0)
            {
                yield return $"$.{field} must list at least one value";
            }
            else if (values.Any(v => v < min))
            {
                yield return $"$.{field} values must be {min} or more";
            }
        }

        if (Uncertainty is null || Uncertainty.Count == 0 || Hard is null || Hard.Count == 0 || Seeds is null || Seeds.Count == 0)
        {
            yield return "$.uncertainty, $.hard and $.seeds must each list at least one value (e.g. [false], [false], [1, 2, 3])";
        }

        if (Policies is null || Policies.Count == 0)
        {
            yield return "$.policies must name at least one policy (e.g. [\"exact\", \"greedy\"])";
        }

        if (string.IsNullOrWhiteSpace(Baseline))
        {
            yield return "$.baseline must name the policy the others are compared with (e.g. \"exact\")";
        }

        if (Scenarios < 2)
        {
            yield return "$.scenarios must be at least 2";
        }

        if (TimeLimitSeconds <= 0)
        {
            yield return "$.timeLimitSeconds must be positive";
        }
    }
}
