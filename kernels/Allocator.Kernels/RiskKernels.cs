using ILGPU;
using ILGPU.Algorithms;

namespace Allocator.Kernels;

/// <summary>
/// Per-plan risk statistics where the outcomes are, so a search needs back a dozen numbers per plan instead of every
/// (plan, scenario) outcome. Same definitions and summation order as <c>RiskSummary.Of</c> (the host version tests
/// compare it with): every sum runs in scenario order, and CVaR is the mean of the worst ceil(alpha * S) totals,
/// summed in ascending order after a sort. The CPU fast path runs one plan per thread (<see cref="Summarize"/>);
/// GPUs run one thread group per plan (<see cref="SummarizeInGroup"/>). Both call the same pieces below, and a sort
/// puts equal values in the same order whatever the algorithm, so both give the same numbers to the last bit.
/// </summary>
public static class RiskKernels
{
    /// <summary>Numbers per plan in the output: see <see cref="Write"/> for their order.</summary>
    public const int Fields = 11;

    /// <summary>Sums per plan: total, lease revenue, penalty, job value, spot revenue, power cost, short GPU-hours, short scenarios.</summary>
    public const int Sums = 8;

    /// <summary>
    /// Plan <paramref name="plan"/>'s summary on one thread. <paramref name="totals"/> holds S doubles per plan,
    /// the tail CVaR reads arranged first in place (<see cref="SmallestFirst"/>).
    /// </summary>
    public static void Summarize<TDouble>(int plan, in OutcomeData<TDouble> outcomes, TDouble totals, TDouble output, int scenarios, double alpha)
        where TDouble : struct, IColumn<double>
    {
        var first = (long)plan * scenarios;
        for (var k = 0; k < scenarios; k++)
        {
            totals[first + k] = Total(outcomes, first + k);
        }

        var mean = Sum(0, outcomes, totals, first, scenarios) / scenarios;
        var squares = Squares(totals, first, scenarios, mean);
        var worst = Worst(alpha, scenarios);
        SmallestFirst(totals, first, scenarios, worst);
        Write(output, plan, scenarios, Sum(totals, first, worst) / worst, squares,
            mean, Sum(1, outcomes, totals, first, scenarios), Sum(2, outcomes, totals, first, scenarios), Sum(3, outcomes, totals, first, scenarios),
            Sum(4, outcomes, totals, first, scenarios), Sum(5, outcomes, totals, first, scenarios), Sum(6, outcomes, totals, first, scenarios),
            Sum(7, outcomes, totals, first, scenarios));
    }

    /// <summary>
    /// Plan <c>Grid.IdxX</c>'s summary by one thread group: the group writes the totals, eight of its threads each
    /// run one sum in scenario order, one the sum of squares, then the whole group sorts the totals (bitonic) and one
    /// thread sums the tail. A heap sort per plan on one thread (as <see cref="Summarize"/> once ran on the device) went
    /// through thousands of dependent memory reads; here every step of the sort is spread over the group.
    /// </summary>
    public static void SummarizeInGroup<TDouble>(in OutcomeData<TDouble> outcomes, TDouble totals, TDouble output, int scenarios, double alpha)
        where TDouble : struct, IColumn<double>
    {
        var plan = Grid.IdxX;
        var first = (long)plan * scenarios;
        var sums = SharedMemory.Allocate<double>(Sums + 1);
        for (var k = Group.IdxX; k < scenarios; k += Group.DimX)
        {
            totals[first + k] = Total(outcomes, first + k);
        }

        Group.Barrier();
        // Sum q runs on thread q x DimX / Sums: one thread in each of eight warps of a 256-thread group, so no warp
        // splits over two sums.
        for (var quantity = 0; quantity < Sums; quantity++)
        {
            if (Group.IdxX == quantity * Group.DimX / Sums)
            {
                sums[quantity] = Sum(quantity, outcomes, totals, first, scenarios);
            }
        }

        Group.Barrier();
        if (Group.IdxX == 0)
        {
            sums[Sums] = Squares(totals, first, scenarios, sums[0] / scenarios);
        }

        Group.Barrier();
        BitonicSort(totals, first, scenarios);
        if (Group.IdxX == 0)
        {
            var worst = Worst(alpha, scenarios);
            Write(output, plan, scenarios, Sum(totals, first, worst) / worst, sums[Sums],
                sums[0] / scenarios, sums[1], sums[2], sums[3], sums[4], sums[5], sums[6], sums[7]);
        }
    }

    /// <summary>A pair's total: the same expression, in the same order, as <c>ScenarioOutcome.Total</c>.</summary>
    private static double Total<TDouble>(in OutcomeData<TDouble> outcomes, long i)
        where TDouble : struct, IColumn<double>
    {
        var (lease, penalty, job, spot, power, _) = outcomes;
        return lease[i] - penalty[i] + job[i] + spot[i] - power[i];
    }

    /// <summary>
    /// One of the <see cref="Sums"/> over a plan's scenarios, in scenario order. Each quantity calls its own loop: a
    /// version that chose the column struct with a switch expression and ran one loop with a "count positives" flag
    /// gave wrong shortfall probabilities on CUDA (right on the emulator); see benchmarks/RESULTS.md.
    /// </summary>
    private static double Sum<TDouble>(int quantity, in OutcomeData<TDouble> outcomes, TDouble totals, long first, int scenarios)
        where TDouble : struct, IColumn<double>
    {
        var (lease, penalty, job, spot, power, shortHours) = outcomes;
        return quantity switch
        {
            0 => Sum(totals, first, scenarios),
            1 => Sum(lease, first, scenarios),
            2 => Sum(penalty, first, scenarios),
            3 => Sum(job, first, scenarios),
            4 => Sum(spot, first, scenarios),
            5 => Sum(power, first, scenarios),
            6 => Sum(shortHours, first, scenarios),
            _ => CountPositive(shortHours, first, scenarios),
        };
    }

    /// <summary>
    /// <c>column[first .. first + count)</c> summed in order; on sorted totals with count = ceil(alpha S), the tail
    /// CVaR averages.
    /// </summary>
    private static double Sum<TDouble>(TDouble column, long first, int count)
        where TDouble : struct, IColumn<double>
    {
        var sum = 0.0;
        for (var k = 0; k < count; k++)
        {
            sum += column[first + k];
        }

        return sum;
    }

    /// <summary>Scenarios with a positive value: with short GPU-hours, the scenarios where some lease was short.</summary>
    private static double CountPositive<TDouble>(TDouble column, long first, int scenarios)
        where TDouble : struct, IColumn<double>
    {
        var count = 0;
        for (var k = 0; k < scenarios; k++)
        {
            count += column[first + k] > 0 ? 1 : 0;
        }

        return count;
    }

    private static double Squares<TDouble>(TDouble totals, long first, int scenarios, double mean)
        where TDouble : struct, IColumn<double>
    {
        var squares = 0.0;
        for (var k = 0; k < scenarios; k++)
        {
            var d = totals[first + k] - mean;
            squares += d * d;
        }

        return squares;
    }

    private static int Worst(double alpha, int scenarios) => XMath.Max(1, (int)XMath.Ceiling(alpha * scenarios - 1e-9));

    /// <summary>
    /// Writes mean, standard deviation, CVaR, P(any lease short), expected short GPU-hours, the mean lease revenue,
    /// penalty, job value, spot revenue and power cost, then the scenario count, to <c>output[plan * Fields ..]</c>.
    /// </summary>
    private static void Write<TDouble>(
        TDouble output, int plan, int scenarios, double cvar, double squares, double mean,
        double lease, double penalty, double job, double spot, double power, double shortHours, double shortCount)
        where TDouble : struct, IColumn<double>
    {
        var o = (long)plan * Fields;
        output[o] = mean;
        output[o + 1] = scenarios > 1 ? XMath.Sqrt(squares / (scenarios - 1)) : 0;
        output[o + 2] = cvar;
        output[o + 3] = shortCount / scenarios;
        output[o + 4] = shortHours / scenarios;
        output[o + 5] = lease / scenarios;
        output[o + 6] = penalty / scenarios;
        output[o + 7] = job / scenarios;
        output[o + 8] = spot / scenarios;
        output[o + 9] = power / scenarios;
        output[o + 10] = scenarios;
    }

    /// <summary>
    /// Ascending sort of <c>values[first .. first + count)</c> by the calling thread group: a bitonic network over the
    /// next power of two, in the variant whose every comparator puts the smaller value at the lower index (the first
    /// step of each merge compares mirror positions). Positions past <paramref name="count"/> act as +infinity: a
    /// comparator that reaches one leaves its pair alone, so no padding is stored. Ends with a barrier.
    /// </summary>
    private static void BitonicSort<TDouble>(TDouble values, long first, int count)
        where TDouble : struct, IColumn<double>
    {
        var size = 1;
        while (size < count)
        {
            size <<= 1;
        }

        for (var block = 2; block <= size; block <<= 1)
        {
            var half = block >> 1;
            for (var t = Group.IdxX; t < size >> 1; t += Group.DimX)
            {
                var low = t / half * block + t % half;
                CompareExchange(values, first, low, low - t % half + block - 1 - t % half, count);
            }

            Group.Barrier();
            for (var stride = half >> 1; stride > 0; stride >>= 1)
            {
                for (var t = Group.IdxX; t < size >> 1; t += Group.DimX)
                {
                    var low = t / stride * 2 * stride + t % stride;
                    CompareExchange(values, first, low, low + stride, count);
                }

                Group.Barrier();
            }
        }
    }

    private static void CompareExchange<TDouble>(TDouble values, long first, int low, int high, int count)
        where TDouble : struct, IColumn<double>
    {
        if (high < count && values[first + low] > values[first + high])
        {
            var swap = values[first + low];
            values[first + low] = values[first + high];
            values[first + high] = swap;
        }
    }

    /// <summary>
    /// Puts the <paramref name="count"/> smallest of the <paramref name="all"/> values from <c>values[first]</c> first, in
    /// ascending order: what a full sort puts there, and all that the tail's sum reads. A max-heap of the smallest so far
    /// (a value below its top replaces it), then a heap sort of the heap: in place, no recursion, no extra memory; most
    /// values cost one comparison, where sorting them all cost a sift each.
    /// </summary>
    private static void SmallestFirst<TDouble>(TDouble values, long first, int all, int count)
        where TDouble : struct, IColumn<double>
    {
        for (var start = count / 2 - 1; start >= 0; start--)
        {
            SiftDown(values, first, start, count);
        }

        for (var k = count; k < all; k++)
        {
            if (values[first + k] < values[first])
            {
                var top = values[first];
                values[first] = values[first + k];
                values[first + k] = top;
                SiftDown(values, first, 0, count);
            }
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
