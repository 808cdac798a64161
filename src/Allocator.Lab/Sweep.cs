using System.Text.Json;
using Allocator.Core.Contract;
using Allocator.Core.Generation;

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
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip };

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

    /// <summary>The instance of task <paramref name="task"/>.</summary>
    public Instance Instance(int task) => InstanceGenerator.Generate(Tasks()[task]);

    /// <summary>Reads a sweep file; throws <see cref="ArgumentException"/> naming the field at fault and the fix.</summary>
    public static Sweep Read(string path)
    {
        Sweep? sweep;
        try
        {
            sweep = JsonSerializer.Deserialize<Sweep>(File.ReadAllText(path), Json);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{path} is not a sweep: {e.Message}", e);
        }

        if (sweep is null)
        {
            throw new ArgumentException($"{path} is empty.");
        }

        var problems = sweep.Problems().ToList();
        return problems.Count == 0 ? sweep : throw new ArgumentException($"{path}: {string.Join("; ", problems)}");
    }

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
