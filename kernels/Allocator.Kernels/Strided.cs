namespace Allocator.Kernels;

/// <summary>
/// Element i of one pair's scratch, or value v of one scenario's table, at <c>Start + i * Step</c>. GPU runs interleave
/// (Step = number of threads or scenarios) so that neighbouring threads touch neighbouring addresses and a warp's
/// reads coalesce; the CPU path keeps each slice contiguous (Step = 1) for its caches. Same code, either layout.
/// Offsets are 32-bit: a GPU multiplies 64-bit integers in several instructions, and this is the scorer's innermost
/// address arithmetic; the scorer refuses a call whose tables or state would pass 2^31 elements.
/// </summary>
public readonly record struct Strided<TDouble>(TDouble Column, int Start, int Step)
    where TDouble : struct, IColumn<double>
{
    /// <summary>Reads element i.</summary>
    public double Get(int i) => Column[Start + i * Step];

    /// <summary>Writes element i.</summary>
    public void Set(int i, double value)
    {
        var column = Column;
        column[Start + i * Step] = value;
    }

    /// <summary>Adds to element i.</summary>
    public void Add(int i, double value)
    {
        var column = Column;
        column[Start + i * Step] += value;
    }
}
