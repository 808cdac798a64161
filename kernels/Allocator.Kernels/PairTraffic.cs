using System.Runtime.CompilerServices;
using Allocator.Core.Evaluation;

namespace Allocator.Kernels;

/// <summary>
/// The memory a (plan, scenario) pair needs, two ways, and the arithmetic it does (counted by the same run). Touched: counted by running the scoring code itself over columns
/// that count every element read and written (the instance and plan columns, the scenario's table, the pair's scratch
/// state, its six outcomes): the traffic with no cache at all. Compulsory: what must cross memory whatever the caches
/// do, for a batch of P plans x S scenarios: each pair's six outcomes written, each scenario's table read once per plan
/// batch (1/P of it per pair) and each plan's columns once per scenario batch (1/S per pair). Bandwidth over compulsory
/// bytes bounds pairs per second from above.
/// </summary>
public static class PairTraffic
{
    /// <summary>Compulsory bytes per pair for <paramref name="plans"/> x <paramref name="scenarios"/> (see the class summary).</summary>
    public static double Compulsory(CompiledInstance instance, IReadOnlyList<Assignment> plans, int scenarios)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(plans);
        var table = ScoreParams.For(instance, plans.Count, scenarios, 0, 1).TableStride * (double)sizeof(double);
        var planBytes = HostData.Plans(instance, plans).Bytes / (double)Math.Max(1, plans.Count);
        return 6 * sizeof(double) + table / Math.Max(1, plans.Count) + planBytes / scenarios;
    }

    /// <summary>
    /// Bytes touched and operations done per pair, averaged over <paramref name="plans"/> x <paramref name="scenarios"/>
    /// (counted by running the scorer over counting columns with <see cref="CountedArithmetic"/>); and bytes per scenario drawn.
    /// </summary>
    public static PairWork Touched(CompiledInstance instance, IReadOnlyList<Assignment> plans, int scenarios)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(plans);
        var count = new Access();
        var scratchCount = new Access();
        var host = HostData.Fleet(instance);
        var fleet = host.FleetAs(a => new CountedColumn<int>(a, count), a => new CountedColumn<double>(a, count));
        var data = HostData.Plans(instance, plans).PlansAs(a => new CountedColumn<int>(a, count), a => new CountedColumn<double>(a, count));
        var p = ScoreParams.For(instance, plans.Count, scenarios, 0, 1);
        var tables = new CountedColumn<double>(new double[(long)scenarios * p.TableStride], count);
        for (var k = 0; k < scenarios; k++)
        {
            ScenarioSampler.Draw(k, fleet, new Strided<CountedColumn<double>, double>(tables, k * p.TableStride, 1), p);
        }

        var drawn = count.Bytes;
        var scratch = new Strided<CountedColumn<double>, double>(new CountedColumn<double>(new double[p.ScratchStride], scratchCount), 0, 1);
        var jobs = new Strided<CountedColumn<int>, int>(new CountedColumn<int>(new int[PairScorer.JobSlots(p.Jobs)], scratchCount), 0, 1);
        var operations = new OperationCount();
        for (var pair = 0L; pair < p.Pairs; pair++)
        {
            PairScorer.Score((int)(pair / p.Scenarios), fleet, data, new Strided<CountedColumn<double>, double>(tables, (int)(pair % p.Scenarios) * p.TableStride, 1), scratch, jobs, p, new CountedArithmetic(operations));
        }

        // Each pair also writes its six outcomes (float64).
        var perPair = (double)(count.Bytes - drawn + scratchCount.Bytes) / p.Pairs + 6 * sizeof(double);
        return new PairWork(perPair, (double)scratchCount.Bytes / p.Pairs, (double)drawn / scenarios, (double)operations.Float64 / p.Pairs, (double)operations.MoneyProducts / p.Pairs);
    }

    /// <summary>Bytes read and written through the columns that share it.</summary>
    private sealed class Access
    {
        public long Bytes;
    }

    /// <summary>An array column that adds the size of every element read or written to its count.</summary>
    private readonly struct CountedColumn<T>(T[] array, Access access) : IColumn<T>
        where T : unmanaged
    {
        private readonly T[] _array = array;
        private readonly Access _access = access;

        public T this[long i]
        {
            get
            {
                _access.Bytes += Unsafe.SizeOf<T>();
                return _array[i];
            }

            set
            {
                _access.Bytes += Unsafe.SizeOf<T>();
                _array[i] = value;
            }
        }

        public T this[int i]
        {
            get => this[(long)i];
            set => this[(long)i] = value;
        }

        public T this[int first, int field] => this[(long)first + field];
    }
}

/// <summary>What a pair costs, counted by running the scorer (<see cref="PairTraffic.Touched"/>).</summary>
/// <param name="BytesPerPair">Bytes read and written per pair with no cache.</param>
/// <param name="ScratchBytesPerPair">Of those, the bytes of its working state.</param>
/// <param name="BytesPerScenarioDrawn">Bytes touched drawing one scenario's table.</param>
/// <param name="Float64PerPair">float64 operations outside the money products.</param>
/// <param name="MoneyProductsPerPair">Money products, two multiplications each (float32 on the mixed path).</param>
public sealed record PairWork(double BytesPerPair, double ScratchBytesPerPair, double BytesPerScenarioDrawn, double Float64PerPair, double MoneyProductsPerPair)
{
    /// <summary>Floating-point operations per pair: float64 ones and the money products' multiplications.</summary>
    public double OperationsPerPair => Float64PerPair + 2 * MoneyProductsPerPair;

    /// <summary>
    /// The arithmetic bound, pairs per second: the device's float64 rate over the operations per pair; on the mixed
    /// path the money multiplications run at the float32 rate instead.
    /// </summary>
    public double ArithmeticBound(ArithmeticPeak peak, ScoringPrecision precision)
    {
        ArgumentNullException.ThrowIfNull(peak);
        var money = 2 * MoneyProductsPerPair;
        return 1 / (Float64PerPair / peak.Float64PerSecond + money / (precision == ScoringPrecision.Mixed ? peak.Float32PerSecond : peak.Float64PerSecond));
    }
}

/// <summary>A device's probed floating-point rates (operations per second; a fused multiply-add counts two).</summary>
public sealed record ArithmeticPeak(double Float64PerSecond, double Float32PerSecond);
