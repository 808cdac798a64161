using Allocator.Core.Evaluation;
using ILGPU;
using ILGPU.Runtime;

namespace Allocator.Kernels;

/// <summary>The instance's arrays on a device.</summary>
internal sealed class FleetBuffers : IDisposable
{
    private readonly List<IDisposable> _buffers = [];

    private FleetBuffers()
    {
    }

    public FleetViews Views { get; private set; }

    public static FleetBuffers Upload(Accelerator accelerator, CompiledInstance instance)
    {
        var b = new FleetBuffers();
        var afterOffset = new int[instance.JobCount + 1];
        for (var j = 0; j < instance.JobCount; j++)
        {
            afterOffset[j + 1] = afterOffset[j] + instance.JobAfter[j].Length;
        }

        b.Views = new FleetViews(
            b.Int(accelerator, [.. instance.PoolSite]),
            b.Int(accelerator, [.. instance.PoolInitialGpus]),
            b.Double(accelerator, [.. instance.KwPerGpu]),
            b.Double(accelerator, [.. instance.PowerCostPerGpuPeriod]),
            b.Double(accelerator, [.. instance.PowerCapMw]),
            b.Int(accelerator, [.. instance.DeliveryPool]),
            b.Int(accelerator, [.. instance.DeliveryPeriod]),
            b.Int(accelerator, [.. instance.DeliveryGpus]),
            b.Int(accelerator, [.. instance.JobGpus]),
            b.Int(accelerator, [.. instance.JobPeriods]),
            b.Int(accelerator, [.. instance.JobEarliestStart]),
            b.Int(accelerator, [.. instance.JobLastPeriod]),
            b.Double(accelerator, [.. instance.JobValue]),
            b.Double(accelerator, [.. instance.JobDecayPerPeriod]),
            b.Double(accelerator, [.. instance.JobSuccessProbability]),
            b.Int(accelerator, afterOffset),
            b.Int(accelerator, [.. instance.JobAfter.SelectMany(a => a)]));
        return b;
    }

    private ArrayView1D<int, Stride1D.Dense> Int(Accelerator accelerator, int[] values)
    {
        // Zero-length buffers are not allowed everywhere; a one-element buffer stands in and is never read.
        var buffer = accelerator.Allocate1D(values.Length == 0 ? [0] : values);
        _buffers.Add(buffer);
        return buffer.View;
    }

    private ArrayView1D<double, Stride1D.Dense> Double(Accelerator accelerator, double[] values)
    {
        var buffer = accelerator.Allocate1D(values.Length == 0 ? [0.0] : values);
        _buffers.Add(buffer);
        return buffer.View;
    }

    public void Dispose() => _buffers.ForEach(b => b.Dispose());
}

/// <summary>The candidate plans, reduced to per pool-period lease totals and job placements, on a device.</summary>
internal sealed class PlanBuffers : IDisposable
{
    private readonly List<IDisposable> _buffers = [];

    private PlanBuffers()
    {
    }

    public PlanViews Views { get; private set; }

    public static PlanBuffers Upload(Accelerator accelerator, CompiledInstance instance, IReadOnlyList<Assignment> plans)
    {
        var T = instance.Periods;
        var cells = instance.PoolCount * T;
        var leaseGpus = new double[Math.Max(1, plans.Count * cells)];
        var leasePrice = new double[leaseGpus.Length];
        var leasePenalty = new double[leaseGpus.Length];
        var jobs = instance.JobCount;
        var jobPool = new int[Math.Max(1, plans.Count * jobs)];
        var jobStart = new int[jobPool.Length];
        var jobOrder = new int[jobPool.Length];
        var scheduled = new int[Math.Max(1, plans.Count)];
        for (var n = 0; n < plans.Count; n++)
        {
            var plan = plans[n];
            for (var l = 0; l < instance.LeaseCount; l++)
            {
                var p = plan.LeasePool[l];
                if (p < 0)
                {
                    continue;
                }

                var price = instance.LeasePricePerGpuHour[l];
                for (var t = Math.Max(0, plan.LeaseStart[l]); t < Math.Min(T, plan.LeaseStart[l] + instance.LeasePeriods[l]); t++)
                {
                    var cell = n * cells + p * T + t;
                    leaseGpus[cell] += instance.LeaseGpus[l];
                    leasePrice[cell] += instance.LeaseGpus[l] * price;
                    leasePenalty[cell] += instance.LeaseGpus[l] * instance.LeasePenaltyPerGpuHour[l];
                }
            }

            var order = Enumerable.Range(0, jobs).Where(j => plan.JobPool[j] >= 0).OrderBy(j => plan.JobStart[j]).ThenBy(j => j).ToArray();
            scheduled[n] = order.Length;
            for (var j = 0; j < jobs; j++)
            {
                jobPool[n * jobs + j] = plan.JobPool[j];
                jobStart[n * jobs + j] = plan.JobStart[j];
            }

            order.CopyTo(jobOrder, n * jobs);
        }

        var b = new PlanBuffers();
        b.Views = new PlanViews(
            b.Add(accelerator.Allocate1D(leaseGpus)),
            b.Add(accelerator.Allocate1D(leasePrice)),
            b.Add(accelerator.Allocate1D(leasePenalty)),
            b.Add(accelerator.Allocate1D(jobPool)),
            b.Add(accelerator.Allocate1D(jobStart)),
            b.Add(accelerator.Allocate1D(jobOrder)),
            b.Add(accelerator.Allocate1D(scheduled)));
        return b;
    }

    private ArrayView1D<T, Stride1D.Dense> Add<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer)
        where T : unmanaged
    {
        _buffers.Add(buffer);
        return buffer.View;
    }

    public void Dispose() => _buffers.ForEach(b => b.Dispose());
}
