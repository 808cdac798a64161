using System.Text.Json.Serialization;
using Allocator.Core.Scenarios;

namespace Allocator.Lab;

/// <summary>
/// A scenario's outcome as every Parquet table of outcomes holds it (score --outcomes, compare, sweep): its score and the
/// parts it is made of, after the row's own keys, in the column names of outcomes.csv.
/// </summary>
public abstract class OutcomeColumns
{
    /// <summary>The score (USD).</summary>
    [JsonPropertyName("total")]
    public double Total { get; set; }

    /// <summary>Lease revenue (USD).</summary>
    [JsonPropertyName("lease_revenue")]
    public double LeaseRevenue { get; set; }

    /// <summary>Penalties paid (USD, a positive amount).</summary>
    [JsonPropertyName("penalty")]
    public double Penalty { get; set; }

    /// <summary>Job value (USD).</summary>
    [JsonPropertyName("job_value")]
    public double JobValue { get; set; }

    /// <summary>Spot revenue (USD).</summary>
    [JsonPropertyName("spot_revenue")]
    public double SpotRevenue { get; set; }

    /// <summary>Power cost (USD, a positive amount).</summary>
    [JsonPropertyName("power_cost")]
    public double PowerCost { get; set; }

    /// <summary>GPU-hours leases were short.</summary>
    [JsonPropertyName("short_gpu_hours")]
    public double ShortGpuHours { get; set; }

    /// <summary>A row to be read into.</summary>
    protected OutcomeColumns()
    {
    }

    /// <summary>A row holding <paramref name="outcome"/>.</summary>
    protected OutcomeColumns(ScenarioOutcome outcome) =>
        (Total, LeaseRevenue, Penalty, JobValue, SpotRevenue, PowerCost, ShortGpuHours) =
            (outcome.Total, outcome.LeaseRevenue, outcome.Penalty, outcome.JobValue, outcome.SpotRevenue, outcome.PowerCost, outcome.ShortGpuHours);
}
