namespace Allocator.Core.Contract;

/// <summary>
/// The largest values the reader accepts where the contract sets no upper limit: far beyond any fleet's numbers, they
/// keep every sum the evaluator, the scorers and the engines form finite and exact enough (SCIP calls a coefficient
/// above 1e20 infinite; the largest lease, 2^31 GPUs for every period at the top price, stays below 1e19 in the model's
/// millions). The reader and the JSON Schema both take them from here.
/// </summary>
public static class ContractLimits
{
    /// <summary>Periods in a horizon.</summary>
    public const int Periods = 10_000;

    /// <summary>Hours in one period (about eleven years).</summary>
    public const double PeriodHours = 100_000;

    /// <summary>A lease's price or penalty, or the spot price, in USD per GPU-hour.</summary>
    public const double UsdPerGpuHour = 1_000_000;

    /// <summary>A power price in USD per MWh.</summary>
    public const double UsdPerMwh = 1_000_000;

    /// <summary>A GPU's power draw in kW.</summary>
    public const double KwPerGpu = 1_000;

    /// <summary>A job's value, or its decay per period, in USD.</summary>
    public const double Usd = 1e12;
}
