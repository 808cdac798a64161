using System.Diagnostics;
using ModelSolver = Google.OrTools.ModelBuilder.Solver;
using SolveStatus = Google.OrTools.ModelBuilder.SolveStatus;

namespace Allocator.Solver;

/// <summary>
/// The LP relaxation of the exact model (<see cref="MipModel"/> with every choice continuous in [0, 1]), solved by GLOP:
/// its optimum (a bound on every plan), the dual prices of GPU-periods and MW-periods (<see cref="BidPricePolicy"/>), and
/// the share of each lease and job it places at each of the catalog's placements (<see cref="RoundedPlan"/>).
/// </summary>
internal sealed record LpRelaxation(double Objective, double[] PerGpu, double[] PerMw, double[][] LeaseShares, double[][] JobShares)
{
    /// <summary>
    /// The relaxation of <paramref name="catalog"/>'s model solved to its optimum, or null when it was not reached within
    /// <paramref name="limit"/> (building the model included; none: no limit) or before <paramref name="cancellation"/>.
    /// </summary>
    public static LpRelaxation? Solve(PlacementCatalog catalog, TimeSpan? limit = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var clock = Stopwatch.StartNew();
        var model = new MipModel(catalog, relaxed: true);
        var solver = new ModelSolver("glop");
        if (limit is { } most)
        {
            var left = most - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            solver.SetTimeLimitInSeconds(Math.Max(0.001, left.TotalSeconds));
        }

        SolveStatus status;
        using (new Interrupter(() => solver.InterruptSolve(), cancellation))
        {
            status = solver.Solve(model.Model);
        }

        if (status != SolveStatus.OPTIMAL || cancellation.IsCancellationRequested)
        {
            return null;
        }

        var (perGpu, perMw) = model.Duals(solver);
        var (leases, jobs) = model.Shares(solver.Value);
        return new LpRelaxation(solver.ObjectiveValue / MipModel.ObjectiveScale, perGpu, perMw, leases, jobs);
    }
}
