using ILGPU.Algorithms;

namespace Allocator.Kernels;

/// <summary>
/// Per-plan risk statistics where the outcomes are, so a search needs back a dozen numbers per plan instead of every
/// (plan, scenario) outcome. Same definitions and summation order as <c>RiskSummary.Of</c> (the host version tests
/// compare it with): sums in scenario order, CVaR = mean of the worst ceil(alpha * S) totals after an in-place sort.
/// </summary>
public static class RiskKernels
{
    /// <summary>Numbers per plan in the output: see <see cref="Summarize"/> for their order.</summary>
    public const int Fields = 11;

    /// <summary>
    /// Writes plan <paramref name="plan"/>'s mean, standard deviation, CVaR, P(any lease short), expected short
    /// GPU-hours and the mean lease revenue, penalty, job value, spot revenue and power cost, then the scenario count,
    /// to <c>output[plan * Fields ..]</c>. <paramref name="totals"/> holds S doubles per plan, sorted in place.
    /// </summary>
    public static void Summarize<TDouble>(int plan, in OutcomeData<TDouble> outcomes, TDouble totals, TDouble output, int scenarios, double alpha)
        where TDouble : struct, IColumn<double>
    {
        var (leaseColumn, penaltyColumn, jobColumn, spotColumn, powerColumn, shortColumn) = outcomes;
        var first = (long)plan * scenarios;
        double total = 0, lease = 0, penalty = 0, job = 0, spot = 0, power = 0, shortHours = 0, shortCount = 0;
        for (var k = 0; k < scenarios; k++)
        {
            var i = first + k;
            // The same expression, in the same order, as ScenarioOutcome.Total.
            var value = leaseColumn[i] - penaltyColumn[i] + jobColumn[i] + spotColumn[i] - powerColumn[i];
            totals[i] = value;
            total += value;
            lease += leaseColumn[i];
            penalty += penaltyColumn[i];
            job += jobColumn[i];
            spot += spotColumn[i];
            power += powerColumn[i];
            shortHours += shortColumn[i];
            shortCount += shortColumn[i] > 0 ? 1 : 0;
        }

        var mean = total / scenarios;
        var squares = 0.0;
        for (var k = 0; k < scenarios; k++)
        {
            var d = totals[first + k] - mean;
            squares += d * d;
        }

        HeapSort(totals, first, scenarios);
        var worst = XMath.Max(1, (int)XMath.Ceiling(alpha * scenarios - 1e-9));
        var tail = 0.0;
        for (var k = 0; k < worst; k++)
        {
            tail += totals[first + k];
        }

        var o = (long)plan * Fields;
        output[o] = mean;
        output[o + 1] = scenarios > 1 ? XMath.Sqrt(squares / (scenarios - 1)) : 0;
        output[o + 2] = tail / worst;
        output[o + 3] = shortCount / scenarios;
        output[o + 4] = shortHours / scenarios;
        output[o + 5] = lease / scenarios;
        output[o + 6] = penalty / scenarios;
        output[o + 7] = job / scenarios;
        output[o + 8] = spot / scenarios;
        output[o + 9] = power / scenarios;
        output[o + 10] = scenarios;
    }

    /// <summary>Ascending heap sort of <c>values[first .. first + count)</c>: in place, no recursion, no extra memory.</summary>
    private static void HeapSort<TDouble>(TDouble values, long first, int count)
        where TDouble : struct, IColumn<double>
    {
        for (var start = count / 2 - 1; start >= 0; start--)
        {
            SiftDown(values, first, start, count);
        }

        for (var end = count - 1; end > 0; end--)
        {
            var top = values[first];
            values[first] = values[first + end];
            values[first + end] = top;
            SiftDown(values, first, 0, end);
        }
    }

    private static void SiftDown<TDouble>(TDouble values, long first, int root, int count)
        where TDouble : struct, IColumn<double>
    {
        while (2 * root + 1 < count)
        {
            var child = 2 * root + 1;
            if (child + 1 < count && values[first + child] < values[first + child + 1])
            {
                child++;
            }

            if (values[first + root] >= values[first + child])
            {
                return;
            }

            var swap = values[first + root];
            values[first + root] = values[first + child];
            values[first + child] = swap;
            root = child;
        }
    }
}
