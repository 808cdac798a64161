using Allocator.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Allocator.GpuProbe;

using DeviceFleet = FleetData<ViewColumn<int>, ViewColumn<double>>;
using DevicePlans = PlanData<ViewColumn<int>, ViewColumn<double>>;

/// <summary>
/// The pair kernels with one instance's sizes as constants, as a GPU runs them. The scorer hands them the sizes as an
/// ILGPU specialized value, which only a device's kernel loader turns into constants; here each wrapper hands the kernel
/// a static readonly value instead, whose contents ILGPU's compiler reads as constants, so that a listing made with no
/// GPU shows the kernel the GPU compiles. The shape is <see cref="ShapeToList.Value"/>, set before the first compile
/// (one shape per process).
/// </summary>
internal static class ShapedKernels
{
    private static readonly SpecializedValue<ScoreShape> Shape = SpecializedValue.New(ShapeToList.Value);

    // An explicit static constructor: the shape is read when ILGPU first reads it, after ShapeToList.Value is set.
    static ShapedKernels()
    {
    }

    public static void SharedStateKernel<TArithmetic>(DeviceFleet fleet, DevicePlans plans, ViewColumn<double> tables, OutcomeData<ViewColumn<double>> outcomes, ScoreParams p)
        where TArithmetic : struct, IScoringArithmetic =>
        BulkScorer.SharedStateKernel<TArithmetic>(fleet, plans, tables, outcomes, p, Shape);

    public static void LocalStateKernel<TArithmetic>(Index1D thread, DeviceFleet fleet, DevicePlans plans, ViewColumn<double> tables, OutcomeData<ViewColumn<double>> outcomes, ScoreParams p, long threads)
        where TArithmetic : struct, IScoringArithmetic =>
        BulkScorer.LocalStateKernel<TArithmetic>(thread, fleet, plans, tables, outcomes, p, Shape, threads);

    public static void GlobalStateKernel<TArithmetic>(
        Index1D thread, DeviceFleet fleet, DevicePlans plans, ViewColumn<double> tables, ViewColumn<double> scratch, ViewColumn<int> jobScratch, OutcomeData<ViewColumn<double>> outcomes, ScoreParams p, long threads)
        where TArithmetic : struct, IScoringArithmetic =>
        BulkScorer.GlobalStateKernel<TArithmetic>(thread, fleet, plans, tables, scratch, jobScratch, outcomes, p, Shape, threads);
}

/// <summary>The shape <see cref="ShapedKernels"/> compiles for: set once, before the first of them is compiled.</summary>
internal static class ShapeToList
{
    public static ScoreShape Value { get; set; }
}
