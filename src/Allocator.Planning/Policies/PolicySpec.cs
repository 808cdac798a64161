using System.Globalization;
using Allocator.Core.Planning;
using Allocator.Core.Policies;
using Allocator.Kernels;
using Allocator.Search;
using Allocator.Solver;

namespace Allocator.Planning.Policies;

/// <summary>What every policy of a comparison shares: the exact planner's settings and the robust search's scorer.</summary>
public sealed record PolicySettings(PlannerOptions Exact, IPlanScorer Scorer, TimeSpan TimeLimit)
{
    /// <summary>
    /// How the robust policies search (their own scenarios and seed, not those a comparison scores on). A budget of
    /// candidates, not the clock, bounds the search, so that the same seed gives the same plan.
    /// </summary>
    public RobustSettings Robust { get; init; } = new() { OutOfSampleScenarios = 2, Evaluations = 4096, BatchSize = 512 };
}

/// <summary>
/// Policies by the short names a researcher writes on the command line. A new policy is one class and one entry in
/// <see cref="Names"/>. Anything else that names an existing file is a plan file.
/// </summary>
public static class PolicySpec
{
    /// <summary>Every built-in name, with what its parameter is (null: none) and how to build it.</summary>
    public static IReadOnlyList<(string Name, string? Parameter, Func<string?, PolicySettings, IPlanningPolicy> Build)> Names { get; } =
    [
        ("exact", null, (_, s) => new ExactPolicy(s.Exact with { TimeLimit = s.TimeLimit })),
        ("greedy", null, (_, _) => new GreedyPolicy()),
        ("bid-price", null, (_, _) => new BidPricePolicy()),
        ("lease-first", null, (_, _) => new GreedyPolicy("lease-first", new FillRule(FillOrder.LeasesByPrice))),
        ("train-first", null, (_, _) => new GreedyPolicy("train-first", new FillRule(FillOrder.JobsByValue))),
        ("split", "SHARE in [0, 1): the share of each pool held back from offers for training", (p, _) =>
            new GreedyPolicy($"split:{p}", new FillRule(FillOrder.JobsByValue, TrainingReserve: Share(p!)))),
        ("threshold", "PRICE >= 0: the lowest price per GPU-hour an offer is taken at", (p, _) =>
            new GreedyPolicy($"threshold:{p}", new FillRule(MinimumPrice: Number(p!, 0, double.PositiveInfinity)))),
        ("buffered", "SHARE in [0, 1): the share of each pool the exact plan leaves free", (p, s) =>
            new ExactPolicy(s.Exact with { TimeLimit = s.TimeLimit }, Share(p!))),
        ("robust", "RISK: expected, cvar:ALPHA:LAMBDA or chance:EPS", (p, s) =>
            new RobustPolicy(new ExactPolicy(s.Exact with { TimeLimit = s.TimeLimit / 2 }), s.Robust with { Risk = Risk(p!) }, s.Scorer, s.TimeLimit)),
    ];

    /// <summary>The policy <paramref name="spec"/> names; throws <see cref="ArgumentException"/> saying which part is wrong and how to fix it.</summary>
    public static IPlanningPolicy Parse(string spec, PolicySettings settings)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(settings);
        var split = spec.IndexOf(':', StringComparison.Ordinal);
        var (name, parameter) = split < 0 ? (spec, null) : (spec[..split], spec[(split + 1)..]);
        var known = Names.FirstOrDefault(n => n.Name == name);
        if (known.Name is null)
        {
            if (File.Exists(spec))
            {
                return new PlanFilePolicy(spec);
            }

            throw new ArgumentException(spec.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                ? $"policy '{spec}': there is no such plan file."
                : $"policy '{spec}': '{name}' is not a policy; use one of {string.Join(", ", Names.Select(n => n.Parameter is null ? n.Name : $"{n.Name}:..."))}, or a plan file.");
        }

        if ((known.Parameter is null) != (parameter is null))
        {
            throw new ArgumentException(known.Parameter is null
                ? $"policy '{spec}': '{name}' takes no parameter; write '{name}'."
                : $"policy '{spec}': '{name}' needs a parameter: {name}:{known.Parameter}.");
        }

        try
        {
            return known.Build(parameter, settings);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"policy '{spec}': {e.Message} ({name}:{known.Parameter}).", e);
        }
    }

    private static double Share(string text) => Number(text, 0, 1, upperOpen: true);

    private static double Number(string text, double min, double max, bool upperOpen = false)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new FormatException($"'{text}' is not a number");
        }

        if (value < min || value > max || (upperOpen && value >= max))
        {
            throw new FormatException($"{text} is out of range");
        }

        return value;
    }

    private static RiskMeasure Risk(string text) =>
        RiskMeasure.Parse(text, out var error) ?? throw new FormatException(error?.TrimEnd('.') ?? $"'{text}' is not a risk measure");
}
