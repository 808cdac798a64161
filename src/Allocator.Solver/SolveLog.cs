namespace Allocator.Solver;

/// <summary>
/// A solve's progress as data: every plan found and every bound proven, with when, in the order they came. Each report
/// also goes on to the caller's progress, one at a time (the MIP and the re-solves report from different threads). A
/// point's bound is the tightest known by then, so a planner reading the list sees the gap as it stood at each moment.
/// </summary>
internal sealed class SolveLog(IProgress<Incumbent>? inner) : IProgress<Incumbent>
{
    private readonly Lock _gate = new();
    private readonly List<Incumbent> _points = [];
    private double? _bound;

    /// <summary>The points so far.</summary>
    public IReadOnlyList<Incumbent> Points
    {
        get
        {
            lock (_gate)
            {
                return [.. _points];
            }
        }
    }

    public void Report(Incumbent value)
    {
        lock (_gate)
        {
            if (value.Bound is { } b)
            {
                _bound = _bound is { } known ? Math.Min(known, b) : b;
            }

            var point = value with { Bound = _bound };
            _points.Add(point);
            inner?.Report(point);
        }
    }
}
