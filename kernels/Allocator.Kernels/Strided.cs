namespace Allocator.Kernels;

/// <summary>
/// Element i of one pair's scratch, or value v of one scenario's table, at <c>Start + i * Step</c>. GPU runs interleave
/// global memory (Step = number of threads or scenarios) so that neighbouring threads touch neighbouring addresses and a
/// warp's reads coalesce; the CPU path, local memory and the shared-memory kernel keep each slice contiguous (Step = 1;
/// in shared memory each thread's slice has an odd length, so a warp's accesses fall in different banks). Same code,
/// either layout.
/// Offsets are 32-bit: a GPU multiplies 64-bit integers in several instructions, and this is the scorer's innermost
/// address arithmetic; the scorer refuses a call whose tables or state would pass 2^31 elements.
/// </summary>
public readonly record struct Strided<TColumn, T>(TColumn Column, int Start, int Step)
    where TColumn : struct, IColumn<T>
    where T : unmanaged
{
    /// <summary>Reads element i.</summary>
    public T Get(int i) => Column[Start + i * Step];

    /// <summary>Writes element i.</summary>
    public void Set(int i, T value)
    {
        var column = Column;
        column[Start + i * Step] = value;
    }
}

/// <summary>Read-modify-write on strided doubles.</summary>
public static class StridedDoubles
{
    /// <summary>Adds <paramref name="value"/> to element i.</summary>
    public static void Add<TColumn>(this Strided<TColumn, double> strided, int i, double value)
        where TColumn : struct, IColumn<double>
    {
        var column = strided.Column;
        column[strided.Start + i * strided.Step] += value;
    }
}
