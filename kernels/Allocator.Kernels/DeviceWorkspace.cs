using Allocator.Core.Evaluation;
using ILGPU;
using ILGPU.Runtime;

namespace Allocator.Kernels;

/// <summary>
/// The device buffers a GPU scorer keeps between calls. A search scores batch after batch of plans of one instance
/// against the same scenarios, so the instance is uploaded once, the scenarios are drawn once, and the outcome,
/// scratch, summary and plan buffers are allocated for the largest batch so far and reused. Not thread-safe: the scorer
/// serialises its calls.
/// </summary>
internal sealed class DeviceWorkspace(Accelerator accelerator) : IDisposable
{
    private readonly Accelerator _accelerator = accelerator;
    private readonly MemoryBuffer1D<double, Stride1D.Dense>?[] _outcomes = new MemoryBuffer1D<double, Stride1D.Dense>?[6];
    private readonly MemoryBuffer1D<int, Stride1D.Dense>?[] _fleetInts = new MemoryBuffer1D<int, Stride1D.Dense>?[HostData.FleetIntColumns];
    private readonly MemoryBuffer1D<double, Stride1D.Dense>?[] _fleetDoubles = new MemoryBuffer1D<double, Stride1D.Dense>?[HostData.FleetDoubleColumns];
    private readonly MemoryBuffer1D<int, Stride1D.Dense>?[] _planInts = new MemoryBuffer1D<int, Stride1D.Dense>?[HostData.PlanIntColumns];
    private readonly MemoryBuffer1D<double, Stride1D.Dense>?[] _planDoubles = new MemoryBuffer1D<double, Stride1D.Dense>?[HostData.PlanDoubleColumns];
    private CompiledInstance? _fleetInstance;
    private FleetData<ViewColumn<int>, ViewColumn<double>> _fleet;
    private MemoryBuffer1D<double, Stride1D.Dense>? _scratch;
    private MemoryBuffer1D<int, Stride1D.Dense>? _jobScratch;
    private MemoryBuffer1D<double, Stride1D.Dense>? _tables;
    private MemoryBuffer1D<double, Stride1D.Dense>? _totals;
    private MemoryBuffer1D<double, Stride1D.Dense>? _summary;
    private (CompiledInstance Instance, ulong Seed, long Offset, int Scenarios)? _drawn;

    /// <summary>The instance's columns on the device, copied into kept buffers on the first call for this instance.</summary>
    public FleetData<ViewColumn<int>, ViewColumn<double>> Fleet(CompiledInstance instance)
    {
        if (!ReferenceEquals(instance, _fleetInstance))
        {
            _fleetInstance = null;
            _fleet = HostData.Fleet(instance).FleetOn((column, values) => Upload(ref _fleetInts[column], values), (column, values) => Upload(ref _fleetDoubles[column], values));
            _fleetInstance = instance;
        }

        return _fleet;
    }

    /// <summary>
    /// The scenario tables for scenarios <paramref name="offset"/> .. + <paramref name="scenarios"/> - 1 of
    /// <paramref name="seed"/>, and whether they already hold those draws. When they do not, the caller draws them
    /// and then calls <see cref="MarkDrawn"/>.
    /// </summary>
    public (ViewColumn<double> Tables, bool Drawn) Tables(CompiledInstance instance, ulong seed, long offset, int scenarios, int stride)
    {
        var drawn = _drawn is { } d && ReferenceEquals(d.Instance, instance) && d.Seed == seed && d.Offset == offset && d.Scenarios == scenarios;
        if (!drawn)
        {
            _drawn = null;
        }

        return (View(ref _tables, (long)scenarios * stride), drawn);
    }

    /// <summary>Records that the tables now hold this instance's scenarios for the seed and range.</summary>
    public void MarkDrawn(CompiledInstance instance, ulong seed, long offset, int scenarios) => _drawn = (instance, seed, offset, scenarios);

    /// <summary>
    /// Copies a batch's plan columns into buffers kept for them (grown when a batch needs more), so a search step costs
    /// copies, not a device allocation and release per column.
    /// </summary>
    public PlanData<ViewColumn<int>, ViewColumn<double>> Plans(HostData plans) =>
        plans.PlansOn((column, values) => Upload(ref _planInts[column], values), (column, values) => Upload(ref _planDoubles[column], values));

    /// <summary>The six outcome columns, <paramref name="pairs"/> long.</summary>
    public OutcomeData<ViewColumn<double>> Outcomes(long pairs) =>
        new(View(ref _outcomes[0], pairs), View(ref _outcomes[1], pairs), View(ref _outcomes[2], pairs),
            View(ref _outcomes[3], pairs), View(ref _outcomes[4], pairs), View(ref _outcomes[5], pairs));

    /// <summary>Per-thread working state for the pair kernel.</summary>
    public ViewColumn<double> Scratch(long length) => View(ref _scratch, length);

    /// <summary>A global buffer of <paramref name="length"/> integers for the pairs' job slots (reused between calls).</summary>
    public ViewColumn<int> JobScratch(long length) => View(ref _jobScratch, length);

    /// <summary>The summary kernel's sort space and output.</summary>
    public (ViewColumn<double> Totals, ViewColumn<double> Summary) Summaries(long pairs, long fields) => (View(ref _totals, pairs), View(ref _summary, fields));

    /// <summary>Copies the first <paramref name="length"/> summary numbers to the host.</summary>
    public double[] DownloadSummary(int length)
    {
        var values = new double[length];
        _summary!.View.SubView(0, length).CopyToCPU(values);
        return values;
    }

    /// <summary>Copies the six outcome columns to the host.</summary>
    public double[][] DownloadOutcomes(long pairs) =>
        [.. _outcomes.Select(o =>
        {
            var values = new double[pairs];
            o!.View.SubView(0, pairs).CopyToCPU(values);
            return values;
        })];

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var buffer in _outcomes.Concat(_fleetDoubles).Concat(_planDoubles).Append(_scratch).Append(_tables).Append(_totals).Append(_summary))
        {
            buffer?.Dispose();
        }

        foreach (var buffer in _fleetInts.Concat(_planInts).Append(_jobScratch))
        {
            buffer?.Dispose();
        }
    }

    private ViewColumn<T> Upload<T>(ref MemoryBuffer1D<T, Stride1D.Dense>? buffer, T[] values)
        where T : unmanaged
    {
        var view = View(ref buffer, values.Length);
        buffer!.View.SubView(0, values.Length).CopyFromCPU(values);
        return view;
    }

    /// <summary>A view of <paramref name="length"/> elements, reallocating the buffer only when it is too short.</summary>
    private ViewColumn<T> View<T>(ref MemoryBuffer1D<T, Stride1D.Dense>? buffer, long length)
        where T : unmanaged
    {
        length = Math.Max(1, length);
        if (buffer is null || buffer.Length < length)
        {
            buffer?.Dispose();
            buffer = null;
            buffer = _accelerator.Allocate1D<T>(length);
        }

        return new ViewColumn<T>(buffer.View.SubView(0, length));
    }
}
