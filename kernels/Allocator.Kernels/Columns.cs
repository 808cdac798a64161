using ILGPU;
using ILGPU.Runtime;

namespace Allocator.Kernels;

/// <summary>
/// A column of numbers the scoring code reads and writes by index. The per-pair code is generic over it, so one
/// source serves both backends: device views in kernels (<see cref="ViewColumn{T}"/>) and plain arrays on the CPU
/// fast path (<see cref="ArrayColumn{T}"/>), where ILGPU's views cost several times an array read (benchmarks/RESULTS.md).
/// </summary>
public interface IColumn<T>
    where T : unmanaged
{
    /// <summary>Element i.</summary>
    T this[long i] { get; set; }

    /// <summary>Element i, by a 32-bit index: the scorer's tables, state and plan columns, whose offsets a GPU then
    /// computes in 32-bit arithmetic (a 64-bit multiply is several instructions there).</summary>
    T this[int i] { get; set; }

    /// <summary>
    /// Field <paramref name="field"/> (a small constant) of the record that starts at element <paramref name="first"/>
    /// (a cell's lease values, a job's record). On a device the record's address is computed once and each field is a
    /// constant offset from it; indexed as first + field, a 32-bit index widens as unsigned, which keeps the GPU
    /// compiler from folding the offset (first + field could wrap), so each field would cost its own address arithmetic.
    /// </summary>
    T this[int first, int field] { get; }
}

/// <summary>A column on a device (or in ILGPU-managed host memory).</summary>
public readonly struct ViewColumn<T>(ArrayView1D<T, Stride1D.Dense> view) : IColumn<T>
    where T : unmanaged
{
    private readonly ArrayView1D<T, Stride1D.Dense> _view = view;

    /// <inheritdoc />
    public T this[long i]
    {
        get => _view[i];
        set => _view[i] = value;
    }

    /// <inheritdoc />
    public T this[int i]
    {
        get => _view[i];
        set => _view[i] = value;
    }

    /// <inheritdoc />
    public T this[int first, int field] => _view.SubView(first, field + 1)[field];

    /// <summary>The column from element <paramref name="first"/> on: its element i is this one's first + i.</summary>
    public ViewColumn<T> From(int first) => new(_view.SubView(first, _view.Length - first));
}

/// <summary>A column in a managed array (CPU only).</summary>
public readonly struct ArrayColumn<T>(T[] array) : IColumn<T>
    where T : unmanaged
{
    private readonly T[] _array = array;

    /// <summary><paramref name="length"/> elements from <paramref name="start"/>, to write as a block.</summary>
    public Span<T> Span(int start, int length) => _array.AsSpan(start, length);

    /// <inheritdoc />
    public T this[long i]
    {
        get => _array[i];
        set => _array[i] = value;
    }

    /// <inheritdoc />
    public T this[int i]
    {
        get => _array[i];
        set => _array[i] = value;
    }

    /// <inheritdoc />
    public T this[int first, int field] => _array[first + field];
}
