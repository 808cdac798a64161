using Allocator.Core.Evaluation;

namespace Allocator.Solver;

/// <summary>The best plan found so far by any thread, on the score the model maximises.</summary>
internal sealed class SharedIncumbent(PlanEvaluation first, Func<PlanEvaluation, double> score)
{
    private readonly Lock _gate = new();
    private PlanEvaluation _best = first;
    private double _bestScore = score(first);
    private (Func<double, bool> Reached, CancellationTokenSource Stop)? _goal;

    /// <summary>The best plan so far.</summary>
    public PlanEvaluation Best
    {
        get
        {
            lock (_gate)
            {
                return _best;
            }
        }
    }

    /// <summary>Keeps <paramref name="candidate"/> when it scores better (beyond rounding); says whether it did.</summary>
    public bool Offer(PlanEvaluation candidate)
    {
        // Scored outside the lock (a pass over every lease and job), so workers offering at once do not queue for it.
        var candidateScore = score(candidate);
        (Func<double, bool> Reached, CancellationTokenSource Stop)? goal;
        lock (_gate)
        {
            if (candidateScore <= _bestScore + 1e-9 * Math.Max(1, Math.Abs(_bestScore)))
            {
                return false;
            }

            (_best, _bestScore) = (candidate, candidateScore);
            goal = _goal;
        }

        if (goal is { } g && g.Reached(candidateScore))
        {
            g.Stop.Cancel();
        }

        return true;
    }

    /// <summary>Cancels <paramref name="stop"/> once the best score meets <paramref name="reached"/>: at once if it already does.</summary>
    public void CancelWhen(Func<double, bool> reached, CancellationTokenSource stop)
    {
        double current;
        lock (_gate)
        {
            _goal = (reached, stop);
            current = _bestScore;
        }

        if (reached(current))
        {
            stop.Cancel();
        }
    }
}
