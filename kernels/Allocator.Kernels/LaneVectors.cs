using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Allocator.Kernels;

/// <summary>
/// One block of scenarios' doubles, one per SIMD lane: what <see cref="LanePairScorer{TLanes}"/> computes with. A mask is
/// a vector too, all bits set in the lanes where a comparison holds. The scorer is written once against this and runs at
/// any width: <see cref="VectorLanes"/> (<see cref="Vector{T}"/>: 4 doubles with AVX2, 2 with NEON) or
/// <see cref="Vector512Lanes"/> (8, where the runtime finds 512-bit vectors fast), or two of either side by side
/// (<see cref="TwinLanes{THalf}"/>). .NET's own interface over its vector types (<c>ISimdVector</c>) is internal, hence
/// this one. Every member of the implementations is marked for inlining: without it the JIT called two lanes' Create and
/// Load in the lease step, each returning a 128-byte struct through memory (RESULTS.md, "Wider blocks of lanes").
/// </summary>
public interface ILaneVector<TSelf>
    where TSelf : struct, ILaneVector<TSelf>
{
    /// <summary>The lanes: scenarios scored together.</summary>
    static abstract int Count { get; }

    /// <summary>The lanes' values.</summary>
    double this[int lane] { get; }

    static abstract TSelf operator +(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a, TSelf b);

    static abstract TSelf operator *(TSelf a, TSelf b);

    static abstract TSelf operator *(TSelf a, double b);

    static abstract TSelf operator *(double a, TSelf b);

    static abstract TSelf operator /(TSelf a, TSelf b);

    static abstract TSelf operator /(TSelf a, double b);

    static abstract TSelf operator -(TSelf a);

    static abstract TSelf operator &(TSelf a, TSelf b);

    static abstract TSelf operator ~(TSelf a);

    /// <summary><paramref name="value"/> in every lane.</summary>
    static abstract TSelf Create(double value);

    /// <summary>Lanes from <paramref name="values"/>[<paramref name="start"/>] on.</summary>
    static abstract TSelf Load(double[] values, int start);

    /// <summary>Lanes from a span of <see cref="Count"/> values.</summary>
    static abstract TSelf Load(ReadOnlySpan<double> values);

    /// <summary>The lanes into <paramref name="destination"/>.</summary>
    void CopyTo(Span<double> destination);

    /// <summary>
    /// Per lane <see cref="PairScorer.Smaller"/>(a, b): b where b &lt; a, else a. One native minimum instruction (x86's
    /// MINPD(b, a) is exactly that; elsewhere NaN and a zero's sign may go otherwise: the scorer has no NaN, and a zero's
    /// sign changes none of its sums), where IEEE's minimum, exact for NaN and the sign of zero, takes three instructions
    /// on AVX-512.
    /// </summary>
    static abstract TSelf Min(TSelf a, TSelf b);

    /// <summary>Per lane <see cref="PairScorer.Larger"/>(a, b): b where b &gt; a, else a (see <see cref="Min"/>).</summary>
    static abstract TSelf Max(TSelf a, TSelf b);

    static abstract TSelf Equal(TSelf a, TSelf b);

    static abstract TSelf GreaterThan(TSelf a, TSelf b);

    static abstract TSelf GreaterThanOrEqual(TSelf a, TSelf b);

    static abstract TSelf LessThan(TSelf a, TSelf b);

    /// <summary>Per lane: <paramref name="whereSet"/> where the mask is set, else <paramref name="elsewhere"/>.</summary>
    static abstract TSelf Blend(TSelf mask, TSelf whereSet, TSelf elsewhere);

    /// <summary>Whether the mask is set in any lane.</summary>
    static abstract bool Any(TSelf mask);

    /// <summary>Whether every lane holds the same bits (the same number, for the counts and indices it is asked about).</summary>
    static abstract bool Uniform(TSelf a);
}

/// <summary>Lanes of <see cref="Vector{T}"/>: the width the runtime gives it (4 doubles with AVX2 or AVX-512, 2 with NEON).</summary>
public readonly struct VectorLanes(Vector<double> value) : ILaneVector<VectorLanes>
{
    private readonly Vector<double> _value = value;

    /// <inheritdoc />
    public static int Count => Vector<double>.Count;

    /// <summary>The width in bits.</summary>
    public static int Bits => Vector<byte>.Count * 8;

    /// <inheritdoc />
    public double this[int lane]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _value[lane];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes operator +(VectorLanes a, VectorLanes b) => new(a._value + b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes operator -(VectorLanes a, VectorLanes b) => new(a._value - b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes operator *(VectorLanes a, VectorLanes b) => new(a._value * b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes operator *(VectorLanes a, double b) => new(a._value * b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes operator *(double a, VectorLanes b) => new(a * b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes operator /(VectorLanes a, VectorLanes b) => new(a._value / b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes operator /(VectorLanes a, double b) => new(a._value / b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes operator -(VectorLanes a) => new(-a._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes operator &(VectorLanes a, VectorLanes b) => new(a._value & b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes operator ~(VectorLanes a) => new(~a._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes Create(double value) => new(new Vector<double>(value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes Load(double[] values, int start) => new(new Vector<double>(values, start));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes Load(ReadOnlySpan<double> values) => new(new Vector<double>(values));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CopyTo(Span<double> destination) => _value.CopyTo(destination);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes Min(VectorLanes a, VectorLanes b) => new(Vector.MinNative(b._value, a._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes Max(VectorLanes a, VectorLanes b) => new(Vector.MaxNative(b._value, a._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes Equal(VectorLanes a, VectorLanes b) => new(Vector.Equals(a._value, b._value).As<long, double>());

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes GreaterThan(VectorLanes a, VectorLanes b) => new(Vector.GreaterThan(a._value, b._value).As<long, double>());

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes GreaterThanOrEqual(VectorLanes a, VectorLanes b) => new(Vector.GreaterThanOrEqual(a._value, b._value).As<long, double>());

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes LessThan(VectorLanes a, VectorLanes b) => new(Vector.LessThan(a._value, b._value).As<long, double>());

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLanes Blend(VectorLanes mask, VectorLanes whereSet, VectorLanes elsewhere) =>
        new(Vector.ConditionalSelect(mask._value, whereSet._value, elsewhere._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Any(VectorLanes mask) => mask._value.As<double, long>() != Vector<long>.Zero;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Uniform(VectorLanes a) => Vector.AsVectorInt64(a._value) == new Vector<long>(Vector.AsVectorInt64(a._value)[0]);
}

/// <summary>Lanes of <see cref="Vector512{T}"/>: 8 doubles (AVX-512).</summary>
public readonly struct Vector512Lanes(Vector512<double> value) : ILaneVector<Vector512Lanes>
{
    private readonly Vector512<double> _value = value;

    /// <inheritdoc />
    public static int Count => Vector512<double>.Count;

    /// <summary>The width in bits.</summary>
    public static int Bits => 512;

    /// <summary>Whether the runtime computes 512-bit vectors fast here (else it emulates them: right, but slow).</summary>
    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;

    /// <inheritdoc />
    public double this[int lane]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _value[lane];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes operator +(Vector512Lanes a, Vector512Lanes b) => new(a._value + b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes operator -(Vector512Lanes a, Vector512Lanes b) => new(a._value - b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes operator *(Vector512Lanes a, Vector512Lanes b) => new(a._value * b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes operator *(Vector512Lanes a, double b) => new(a._value * b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes operator *(double a, Vector512Lanes b) => new(a * b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes operator /(Vector512Lanes a, Vector512Lanes b) => new(a._value / b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes operator /(Vector512Lanes a, double b) => new(a._value / b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes operator -(Vector512Lanes a) => new(-a._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes operator &(Vector512Lanes a, Vector512Lanes b) => new(a._value & b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes operator ~(Vector512Lanes a) => new(~a._value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes Create(double value) => new(Vector512.Create(value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes Load(double[] values, int start) => new(Vector512.Create(values, start));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes Load(ReadOnlySpan<double> values) => new(Vector512.Create(values));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CopyTo(Span<double> destination) => _value.CopyTo(destination);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes Min(Vector512Lanes a, Vector512Lanes b) => new(Vector512.MinNative(b._value, a._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes Max(Vector512Lanes a, Vector512Lanes b) => new(Vector512.MaxNative(b._value, a._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes Equal(Vector512Lanes a, Vector512Lanes b) => new(Vector512.Equals(a._value, b._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes GreaterThan(Vector512Lanes a, Vector512Lanes b) => new(Vector512.GreaterThan(a._value, b._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes GreaterThanOrEqual(Vector512Lanes a, Vector512Lanes b) => new(Vector512.GreaterThanOrEqual(a._value, b._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes LessThan(Vector512Lanes a, Vector512Lanes b) => new(Vector512.LessThan(a._value, b._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512Lanes Blend(Vector512Lanes mask, Vector512Lanes whereSet, Vector512Lanes elsewhere) =>
        new(Vector512.ConditionalSelect(mask._value, whereSet._value, elsewhere._value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Any(Vector512Lanes mask) => mask._value.ExtractMostSignificantBits() != 0;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Uniform(Vector512Lanes a) => Vector512.EqualsAll(a._value.AsInt64(), Vector512.Create(a._value.AsInt64().ToScalar()));
}

/// <summary>
/// Two vectors of <typeparamref name="THalf"/> side by side as one block of lanes (8 doubles from two 256-bit vectors):
/// twice the scenarios per block where the machine's vectors are narrower, so the work a block shares (the plan's
/// columns, loop control) is spread over twice the scenarios, and each step has two independent halves in flight.
/// </summary>
internal readonly struct TwinLanes<THalf>(THalf low, THalf high) : ILaneVector<TwinLanes<THalf>>
    where THalf : struct, ILaneVector<THalf>
{
    private readonly THalf _low = low;
    private readonly THalf _high = high;

    /// <inheritdoc />
    public static int Count => 2 * THalf.Count;


    /// <inheritdoc />
    public double this[int lane]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => lane < THalf.Count ? _low[lane] : _high[lane - THalf.Count];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> operator +(TwinLanes<THalf> a, TwinLanes<THalf> b) => new(a._low + b._low, a._high + b._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> operator -(TwinLanes<THalf> a, TwinLanes<THalf> b) => new(a._low - b._low, a._high - b._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> operator *(TwinLanes<THalf> a, TwinLanes<THalf> b) => new(a._low * b._low, a._high * b._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> operator *(TwinLanes<THalf> a, double b) => new(a._low * b, a._high * b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> operator *(double a, TwinLanes<THalf> b) => new(a * b._low, a * b._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> operator /(TwinLanes<THalf> a, TwinLanes<THalf> b) => new(a._low / b._low, a._high / b._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> operator /(TwinLanes<THalf> a, double b) => new(a._low / b, a._high / b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> operator -(TwinLanes<THalf> a) => new(-a._low, -a._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> operator &(TwinLanes<THalf> a, TwinLanes<THalf> b) => new(a._low & b._low, a._high & b._high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> operator ~(TwinLanes<THalf> a) => new(~a._low, ~a._high);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> Create(double value) => new(THalf.Create(value), THalf.Create(value));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> Load(double[] values, int start) => new(THalf.Load(values, start), THalf.Load(values, start + THalf.Count));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> Load(ReadOnlySpan<double> values) => new(THalf.Load(values[..THalf.Count]), THalf.Load(values[THalf.Count..]));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CopyTo(Span<double> destination)
    {
        _low.CopyTo(destination);
        _high.CopyTo(destination[THalf.Count..]);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> Min(TwinLanes<THalf> a, TwinLanes<THalf> b) => new(THalf.Min(a._low, b._low), THalf.Min(a._high, b._high));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> Max(TwinLanes<THalf> a, TwinLanes<THalf> b) => new(THalf.Max(a._low, b._low), THalf.Max(a._high, b._high));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> Equal(TwinLanes<THalf> a, TwinLanes<THalf> b) => new(THalf.Equal(a._low, b._low), THalf.Equal(a._high, b._high));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> GreaterThan(TwinLanes<THalf> a, TwinLanes<THalf> b) => new(THalf.GreaterThan(a._low, b._low), THalf.GreaterThan(a._high, b._high));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> GreaterThanOrEqual(TwinLanes<THalf> a, TwinLanes<THalf> b) =>
        new(THalf.GreaterThanOrEqual(a._low, b._low), THalf.GreaterThanOrEqual(a._high, b._high));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> LessThan(TwinLanes<THalf> a, TwinLanes<THalf> b) => new(THalf.LessThan(a._low, b._low), THalf.LessThan(a._high, b._high));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TwinLanes<THalf> Blend(TwinLanes<THalf> mask, TwinLanes<THalf> whereSet, TwinLanes<THalf> elsewhere) =>
        new(THalf.Blend(mask._low, whereSet._low, elsewhere._low), THalf.Blend(mask._high, whereSet._high, elsewhere._high));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Any(TwinLanes<THalf> mask) => THalf.Any(mask._low) || THalf.Any(mask._high);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Uniform(TwinLanes<THalf> a) =>
        THalf.Uniform(a._low) && THalf.Uniform(a._high) && BitConverter.DoubleToInt64Bits(a._low[0]) == BitConverter.DoubleToInt64Bits(a._high[0]);
}
