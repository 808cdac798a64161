using System.Globalization;

namespace Allocator.Solver;

/// <summary>
/// The ranges of the planner's numeric settings, stated once. The command line and the nightly service check their
/// settings here before any work and name each setting in their own words (<c>--time-limit</c>,
/// <c>Nightly:TimeLimitSeconds</c>); each rule returns null when the value is fine, else what is wrong and an example.
/// </summary>
public static class PlannerOptionRules
{
    /// <summary>The time limit, in seconds: positive and finite.</summary>
    public static string? TimeLimitSeconds(double seconds) =>
        seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds
            ? null
            : $"must be a positive number of seconds, such as 60; got {Show(seconds)}";

    /// <summary>Worker threads: at least one.</summary>
    public static string? Threads(int threads) => threads >= 1 ? null : $"must be at least 1; got {threads}";

    /// <summary>The MIP's threads: unset, or from 1 to the worker threads.</summary>
    public static string? MipThreads(int? mipThreads, int threads) =>
        mipThreads is not { } m || (m >= 1 && m <= Math.Max(1, threads))
            ? null
            : $"must be from 1 to --threads ({threads}); got {m}";

    /// <summary>The target gap: a fraction from 0 up to (not including) 1.</summary>
    public static string? TargetGap(double gap) =>
        gap >= 0 && gap < 1 ? null : $"must be a fraction from 0 up to (not including) 1, such as 0.005 for 0.5%; got {Show(gap)}";

    /// <summary>The stability charge: zero or a positive number of USD per GPU-period moved.</summary>
    public static string? MoveCostPerGpuPeriod(double usd) =>
        usd >= 0 && double.IsFinite(usd) ? null : $"must be zero or a positive number of USD per GPU-period moved; got {Show(usd)}";

    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);
}
