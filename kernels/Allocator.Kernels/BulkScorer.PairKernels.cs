using Allocator.Core.Evaluation;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Allocator.Kernels;

using DeviceFleet = FleetData<ViewColumn<int>, ViewColumn<double>>;
using DevicePlans = PlanData<ViewColumn<int>, ViewColumn<double>>;

/// <summary>
/// The pair kernels: one per place a pair's working state can live (<see cref="KernelState"/>), each compiled per
/// precision. All scoring logic is in <see cref="PairScorer.Score"/>; a kernel only maps threads to pairs and gives
/// each thread its state.
/// </summary>
public sealed partial class BulkScorer
{

    /// <summary>The most doubles, and the most job slots, a pair may have in local memory: the compiled size of each thread's arrays.</summary>
    public const int MaxLocalState = 128;

    // The most threads a group with its state in shared memory runs: 256 beat 128 and 64 on the H100 (RESULTS.md, run 23).
    private const int MaxStateGroupSize = 256;

    // Shared memory a group may ask for without the per-kernel opt-in that ILGPU does not make (48 KiB on CUDA).
    private const int PortableSharedMemory = 48 * 1024;

    private Action<Index1D, DeviceFleet, DevicePlans, ViewColumn<double>, ViewColumn<double>, ViewColumn<int>, OutcomeData<ViewColumn<double>>, ScoreParams, SpecializedValue<ScoreShape>, long>? _globalStateKernel;
    private Action<Index1D, DeviceFleet, DevicePlans, ViewColumn<double>, OutcomeData<ViewColumn<double>>, ScoreParams, SpecializedValue<ScoreShape>, long>? _localStateKernel;
    private Action<KernelConfig, DeviceFleet, DevicePlans, ViewColumn<double>, OutcomeData<ViewColumn<double>>, ScoreParams, SpecializedValue<ScoreShape>>? _sharedStateKernel;
    private Action<KernelConfig, DeviceFleet, DevicePlans, ViewColumn<double>, ViewColumn<double>, ViewColumn<int>, OutcomeData<ViewColumn<double>>, ScoreParams, SpecializedValue<ScoreShape>>? _residentGlobalStateKernel;

    // Threads per group of the kernel compiled for a residency (ScorerOptions.ThreadsPerMultiprocessor): a multiple of
    // every residency asked for is 256 threads.
    private const int ResidentGroupSize = 256;

    /// <summary>
    /// Where the kernel keeps each pair's working state for <paramref name="instance"/>, in words; null on the CPU fast
    /// path, which keeps it in each worker's own array.
    /// </summary>
    public string? StatePlacement(CompiledInstance instance)
    {
        if (_fastPath)
        {
            return null;
        }

        var p = ScoreParams.For(instance, 1, 1, 0, 0);
        var (state, group) = Placement(p);
        return state switch
        {
            KernelState.Shared => $"shared memory, {group} threads per group, {SharedBytes(group, p) / 1024.0:0.#} KiB with the plan's job columns and the pools' records",
            KernelState.Local => $"local memory, {p.ScratchStride} doubles and {p.Jobs} integers",
            _ when Residency((state, group)) is { } groups => $"global memory, {groups * ResidentGroupSize} threads per multiprocessor",
            _ => "global memory",
        };
    }

    /// <summary>
    /// The placement this call gets: the one asked for where the pair's state fits it, else global memory; with the
    /// threads per group for shared memory. Auto: shared memory where it costs no resident threads
    /// (<see cref="SharedCostsNoThreads"/>), else local where the state fits the compiled arrays, else global (measured:
    /// benchmarks/RESULTS.md).
    /// </summary>
    private (KernelState State, int Group) Placement(ScoreParams p)
    {
        var wanted = _options.State;
        if (wanted == KernelState.Auto)
        {
            wanted = SharedCostsNoThreads(p) ? KernelState.Shared : KernelState.Local;
        }

        if (wanted == KernelState.Shared && SharedGroupSize(p) is { } group)
        {
            return (KernelState.Shared, group);
        }

        return wanted == KernelState.Local && p.ScratchStride <= MaxLocalState && p.Jobs <= MaxLocalState ? (KernelState.Local, 0) : (KernelState.Global, 0);
    }

    /// <summary>
    /// Whether a CUDA multiprocessor's shared memory holds the state of every thread its registers let it run
    /// (<see cref="ThreadsPerMultiprocessor"/>), in full groups: then shared memory keeps the occupancy (+4% on the mid
    /// seed, level on colossus on the H200; with the sizes as constants on the H100, local memory was 11% slower on the
    /// mid seed). Elsewhere (a large state, OpenCL, the emulator) the state stays in local memory.
    /// </summary>
    private bool SharedCostsNoThreads(ScoreParams p)
    {
        if (_accelerator is not CudaAccelerator cuda || SharedGroupSize(p) is not { } group || ThreadsPerMultiprocessor(cuda) is not { } threads)
        {
            return false;
        }

        var groups = (threads + group - 1) / group;
        return groups * (SharedBytes(group, p) + DriverSharedMemoryPerGroup) <= cuda.MaxSharedMemoryPerMultiprocessor;
    }

    // The registers ptxas gives a thread of the pair kernel on sm_90, 55 to 60 across the builds measured (RESULTS.md),
    // rounded up to the unit the hardware allocates them in (8 per thread).
    private const int PairKernelRegisters = 64;

    /// <summary>
    /// The threads of the pair kernel one multiprocessor runs at once: as many as its registers hold at
    /// <see cref="PairKernelRegisters"/> each, in whole warps, at most its thread limit; null where there is no such
    /// figure. Counted here, not asked of the driver: the kernel is compiled for the instance's shape at its first
    /// launch, and ILGPU's loader gives no occupancy before that (on the H100 the rule then fell back to the device's
    /// thread count and chose local memory, 11% slower than shared on the mid seed).
    /// </summary>
    private static int? ThreadsPerMultiprocessor(CudaAccelerator cuda)
    {
        var warp = Math.Max(1, cuda.WarpSize);
        var threads = Math.Min(cuda.MaxNumThreadsPerMultiprocessor, cuda.TotalNumRegistersPerMultiprocessor / PairKernelRegisters / warp * warp);
        return cuda.NumMultiprocessors > 0 && threads > 0 ? threads : null;
    }

    // Shared memory the driver reserves per group on recent GPUs (Nsight Compute: "Driver Shared Memory Per Block").
    private const int DriverSharedMemoryPerGroup = 1024;

    /// <summary>
    /// The threads per group with each pair's state in the group's shared memory: as many whole warps (at most
    /// <see cref="MaxStateGroupSize"/>) as 48 KiB holds; null when not one warp fits.
    /// </summary>
    private int? SharedGroupSize(ScoreParams p)
    {
        var warp = Math.Max(1, _accelerator.WarpSize);
        var fit = (Math.Min(_accelerator.MaxSharedMemoryPerGroup, PortableSharedMemory) - (int)Aligned(PlanCopyBytes(p)) - FleetCopyBytes(p)) / StateBytes(p);
        var group = Math.Min(Math.Min(fit, _accelerator.MaxNumThreadsPerGroup), MaxStateGroupSize) / warp * warp;
        return group < warp ? null : group;
    }

    /// <summary>Shared memory a group of <paramref name="group"/> threads uses: each thread's state and its plan's copy.</summary>
    private static long SharedBytes(int group, ScoreParams p) => Aligned((long)group * StateBytes(p)) + Aligned(PlanCopyBytes(p)) + FleetCopyBytes(p);

    /// <summary>
    /// Bytes of the copy of the pools' records (kW and power cost per GPU) a group keeps in shared memory
    /// (<see cref="CopyPools"/>): the lease step and spot read them once a pool and period.
    /// </summary>
    private static int FleetCopyBytes(ScoreParams p) => PoolRecord.Fields * p.Pools * sizeof(double);

    /// <summary>
    /// Bytes of the copy of one plan's job columns and offers a group keeps in shared memory (<see cref="CopyPlan"/>): its
    /// job records and milestones, its window lists (at most <see cref="ScoreParams.WindowCapacity"/> entries and the
    /// one read ahead past them) with where each period's starts, and its offers' pools and starts.
    /// </summary>
    private static int PlanCopyBytes(ScoreParams p) =>
        (PlanCopyDraws(p) * sizeof(double)) + (PlanCopyInts(p) * sizeof(int));

    // At least one double: a view may not start at its parent's end (the integers follow).
    private static int PlanCopyDraws(ScoreParams p) => Math.Max(1, JobRecord.Draws * p.Jobs);

    // The offers first and the window lists (never empty) last: a view may not start at its parent's end.
    private static int PlanCopyInts(ScoreParams p) => (2 * p.Offers) + (JobRecord.Integers * p.Jobs) + (p.Periods + 1) + (p.WindowCapacity + 1);

    // Where the plan's copy starts after the threads' states: at a whole double.
    private static long Aligned(long bytes) => (bytes + sizeof(double) - 1) / sizeof(double) * sizeof(double);

    /// <summary>Bytes of one pair's state in shared memory: its scratch doubles and its jobs' 32-bit slots, each padded to <see cref="SharedStride"/>.</summary>
    private static int StateBytes(ScoreParams p) => SharedStride(p.ScratchStride) * sizeof(double) + SharedStride(PairScorer.JobSlots(p.Jobs)) * sizeof(int);

    /// <summary>
    /// Elements between two threads' states in shared memory: each thread's state lies in one piece, so an access is the
    /// thread's base plus the element's offset, not the element times the group's size plus the thread (one multiply
    /// fewer in every access: +3% on the mid seed, RESULTS.md, run 26); padded to an odd count, so that the 32 threads
    /// of a warp reading the same element meet 32 different banks.
    /// </summary>
    private static int SharedStride(int elements) => elements | 1;

    /// <summary>
    /// How many threads the pair kernel for <paramref name="placement"/> runs: with its state in local or global memory,
    /// one full wave (every multiprocessor at the threads its registers hold), so that no partial second wave idles most
    /// of the device while it finishes; the device's thread count elsewhere (shared memory, OpenCL, the emulator).
    /// </summary>
    private long PairThreads((KernelState State, int Group) placement, ScoreParams p)
    {
        if (Residency(placement) is { } groupsPerMultiprocessor)
        {
            return Math.Max(1, Math.Min(p.Pairs, (long)_accelerator.NumMultiprocessors * groupsPerMultiprocessor * ResidentGroupSize));
        }

        var wave = placement.State != KernelState.Shared && _accelerator is CudaAccelerator cuda && ThreadsPerMultiprocessor(cuda) is { } threads
            ? (long)threads * cuda.NumMultiprocessors
            : _accelerator.MaxNumThreads;
        return Math.Max(1, Math.Min(p.Pairs, wave));
    }

    private void LaunchPairKernel(
        (KernelState State, int Group) placement, long threads, DeviceFleet fleet, DevicePlans plans, ViewColumn<double> tables, ViewColumn<double> scratch, ViewColumn<int> jobScratch, OutcomeData<ViewColumn<double>> outcomes, ScoreParams p)
    {
        var shape = SpecializedValue.New(p.Shape);
        switch (placement.State)
        {
            case KernelState.Shared:
                var size = placement.Group;
                var config = new KernelConfig((int)((threads + size - 1) / size), size, SharedMemoryConfig.RequestDynamic<byte>((int)SharedBytes(size, p)));
                (_sharedStateKernel ??= _options.Precision == ScoringPrecision.Mixed
                    ? _accelerator.LoadStreamKernel<DeviceFleet, DevicePlans, ViewColumn<double>, OutcomeData<ViewColumn<double>>, ScoreParams, SpecializedValue<ScoreShape>>(SharedStateKernel<MixedArithmetic>)
                    : _accelerator.LoadStreamKernel<DeviceFleet, DevicePlans, ViewColumn<double>, OutcomeData<ViewColumn<double>>, ScoreParams, SpecializedValue<ScoreShape>>(SharedStateKernel<DoubleArithmetic>))(config, fleet, plans, tables, outcomes, p, shape);
                break;
            case KernelState.Local:
                LocalStateKernel()((int)threads, fleet, plans, tables, outcomes, p, shape, threads);
                break;
            default:
                if (Residency(placement) is { } groupsPerMultiprocessor)
                {
                    var specialization = new KernelSpecialization(ResidentGroupSize, groupsPerMultiprocessor);
                    (_residentGlobalStateKernel ??= _options.Precision == ScoringPrecision.Mixed
                        ? _accelerator.LoadStreamKernel<DeviceFleet, DevicePlans, ViewColumn<double>, ViewColumn<double>, ViewColumn<int>, OutcomeData<ViewColumn<double>>, ScoreParams, SpecializedValue<ScoreShape>>(ResidentGlobalStateKernel<MixedArithmetic>, specialization)
                        : _accelerator.LoadStreamKernel<DeviceFleet, DevicePlans, ViewColumn<double>, ViewColumn<double>, ViewColumn<int>, OutcomeData<ViewColumn<double>>, ScoreParams, SpecializedValue<ScoreShape>>(ResidentGlobalStateKernel<DoubleArithmetic>, specialization))(
                        new KernelConfig((int)((threads + ResidentGroupSize - 1) / ResidentGroupSize), ResidentGroupSize), fleet, plans, tables, scratch, jobScratch, outcomes, p, shape);
                    break;
                }

                GlobalStateKernel()((int)threads, fleet, plans, tables, scratch, jobScratch, outcomes, p, shape, threads);
                break;
        }
    }

    /// <summary>
    /// The groups of <see cref="ResidentGroupSize"/> threads each multiprocessor must hold at once when a residency is
    /// asked for (global state on a GPU); null: the compiler picks registers freely and the driver's figure sets the wave.
    /// </summary>
    private int? Residency((KernelState State, int Group) placement) =>
        _options.ThreadsPerMultiprocessor is { } threads && placement.State == KernelState.Global && _accelerator.AcceleratorType == AcceleratorType.Cuda
            ? Math.Max(1, threads / ResidentGroupSize)
            : null;

    private Action<Index1D, DeviceFleet, DevicePlans, ViewColumn<double>, OutcomeData<ViewColumn<double>>, ScoreParams, SpecializedValue<ScoreShape>, long> LocalStateKernel() =>
        _localStateKernel ??= _options.Precision == ScoringPrecision.Mixed
            ? _accelerator.LoadAutoGroupedStreamKernel<Index1D, DeviceFleet, DevicePlans, ViewColumn<double>, OutcomeData<ViewColumn<double>>, ScoreParams, SpecializedValue<ScoreShape>, long>(LocalStateKernel<MixedArithmetic>)
            : _accelerator.LoadAutoGroupedStreamKernel<Index1D, DeviceFleet, DevicePlans, ViewColumn<double>, OutcomeData<ViewColumn<double>>, ScoreParams, SpecializedValue<ScoreShape>, long>(LocalStateKernel<DoubleArithmetic>);

    private Action<Index1D, DeviceFleet, DevicePlans, ViewColumn<double>, ViewColumn<double>, ViewColumn<int>, OutcomeData<ViewColumn<double>>, ScoreParams, SpecializedValue<ScoreShape>, long> GlobalStateKernel() =>
        _globalStateKernel ??= _options.Precision == ScoringPrecision.Mixed
            ? _accelerator.LoadAutoGroupedStreamKernel<Index1D, DeviceFleet, DevicePlans, ViewColumn<double>, ViewColumn<double>, ViewColumn<int>, OutcomeData<ViewColumn<double>>, ScoreParams, SpecializedValue<ScoreShape>, long>(GlobalStateKernel<MixedArithmetic>)
            : _accelerator.LoadAutoGroupedStreamKernel<Index1D, DeviceFleet, DevicePlans, ViewColumn<double>, ViewColumn<double>, ViewColumn<int>, OutcomeData<ViewColumn<double>>, ScoreParams, SpecializedValue<ScoreShape>, long>(GlobalStateKernel<DoubleArithmetic>);

    /// <summary>
    /// Each thread's state in its group's shared memory, in one piece per thread (element i of thread g at
    /// g * <see cref="SharedStride"/> + i, an odd stride, so a warp's accesses fall in distinct banks): the group's
    /// doubles first, then its job slots. A group scores one plan against a run of as many scenarios as it has threads,
    /// run after run, and keeps a copy of that plan's job columns and offers after the states (<see cref="CopyPlan"/>):
    /// every job visit reads them there, at a 32-bit shared address, rather than through a 64-bit address whose base the
    /// GPU reloads from its constant bank (run 28's profile: about 40% of the short-scoreboard stalls).
    /// </summary>
    internal static void SharedStateKernel<TArithmetic>(DeviceFleet fleet, DevicePlans plans, ViewColumn<double> tables, OutcomeData<ViewColumn<double>> outcomes, ScoreParams p, SpecializedValue<ScoreShape> shape)
        where TArithmetic : struct, IScoringArithmetic
    {
        p = p with { Shape = shape.Value }; // the instance's sizes as the kernel's constants
        var doubleStride = SharedStride(p.ScratchStride);
        var intStride = SharedStride(PairScorer.JobSlots(p.Jobs));
        var doubleBytes = (long)Group.DimX * doubleStride * sizeof(double);
        var intBytes = (long)Group.DimX * intStride * sizeof(int);
        var memory = SharedMemory.GetDynamic<byte>();
        var doubles = memory.SubView(0, doubleBytes).Cast<double>().SubView((long)Group.IdxX * doubleStride, doubleStride);
        var ints = memory.SubView(doubleBytes, intBytes).Cast<int>().SubView((long)Group.IdxX * intStride, intStride);
        var state = new Strided<ViewColumn<double>, double>(new ViewColumn<double>(doubles), 0, 1);
        var jobs = new Strided<ViewColumn<int>, int>(new ViewColumn<int>(ints), 0, 1);
        var copy = memory.SubView(Aligned(doubleBytes + intBytes), PlanCopyBytes(p));
        fleet = CopyPools(fleet, memory.SubView(Aligned(doubleBytes + intBytes) + Aligned(PlanCopyBytes(p)), FleetCopyBytes(p)), p);
        var runsPerPlan = (p.Scenarios + Group.DimX - 1) / Group.DimX;
        var runs = (long)p.Plans * runsPerPlan;
        for (var run = (long)Grid.IdxX; run < runs; run += Grid.DimX)
        {
            var plan = (int)(run / runsPerPlan);
            var scenario = ((int)(run - ((long)plan * runsPerPlan)) * Group.DimX) + Group.IdxX;
            Group.Barrier(); // every thread is done with the last run's copy
            var planCopy = CopyPlan(plan, plans, copy, p);
            Group.Barrier();
            if (scenario < p.Scenarios)
            {
                Write(outcomes, ((long)plan * p.Scenarios) + scenario, PairScorer.Score(0, fleet, planCopy, new Strided<ViewColumn<double>, double>(tables, scenario, p.Scenarios), state, jobs, p, default(TArithmetic)));
            }
        }
    }

    /// <summary>
    /// Copies plan <paramref name="plan"/>'s job records and milestones, window lists and offers into
    /// <paramref name="copy"/> (every thread of the group a share) and returns the plan's columns as those of plan 0:
    /// the copies, with each period's list start counted from the copy's, and its lease cells where they are (read once a
    /// pool and period, not worth the room).
    /// </summary>
    private static DevicePlans CopyPlan(int plan, DevicePlans plans, ArrayView<byte> copy, ScoreParams p)
    {
        var draws = JobRecord.Draws * p.Jobs;
        var milestones = JobRecord.Integers * p.Jobs;
        var starts = p.Periods + 1;
        var entries = p.WindowCapacity + 1;
        var doubles = copy.SubView(0, (long)PlanCopyDraws(p) * sizeof(double)).Cast<double>();
        var ints = copy.SubView((long)PlanCopyDraws(p) * sizeof(double), (long)PlanCopyInts(p) * sizeof(int)).Cast<int>();
        var offerPool = ints.SubView(0, p.Offers);
        var offerStart = ints.SubView(p.Offers, p.Offers);
        var own = ints.SubView(2 * p.Offers, milestones + starts + entries);
        Copy(plans.OfferPool, p.Offers * plan, offerPool, p.Offers);
        Copy(plans.OfferStart, p.Offers * plan, offerStart, p.Offers);
        Copy(plans.JobDraws, draws * plan, doubles, draws);
        Copy(plans.JobMilestones, milestones * plan, own, milestones);
        var firstStart = starts * plan;
        var firstJob = plans.WindowFirst[firstStart];
        for (var i = Group.IdxX; i < starts; i += Group.DimX)
        {
            own[milestones + i] = plans.WindowFirst[firstStart + i] - firstJob;
        }

        // Its lists, and the element past the last, read ahead (the column holds one past the last plan's lists).
        var listed = plans.WindowFirst[firstStart + p.Periods] - firstJob + 1;
        Copy(plans.WindowJobs, firstJob, own.SubView(milestones + starts, entries), listed);
        return new DevicePlans(
            plans.Leases.From(3 * plan * p.Pools * p.Periods),
            new ViewColumn<int>(own.SubView(0, milestones)),
            new ViewColumn<int>(own.SubView(milestones, starts)),
            new ViewColumn<int>(own.SubView(milestones + starts, entries)),
            new ViewColumn<int>(offerPool),
            new ViewColumn<int>(offerStart),
            new ViewColumn<double>(doubles));
    }

    /// <summary>
    /// Copies the pools' records into <paramref name="copy"/> (every thread of the group a share; the group's first
    /// run's barrier orders the copy before any read) and returns the instance reading them there: a shared read at a
    /// uniform base, where a global one needs the column's 64-bit base, which the GPU reloads from its constant bank.
    /// (The sites' caps and first pools too made the offline listing 67 and 74 registers, against 60.)
    /// </summary>
    private static DeviceFleet CopyPools(DeviceFleet fleet, ArrayView<byte> copy, ScoreParams p)
    {
        var poolPower = copy.SubView(0, FleetCopyBytes(p)).Cast<double>();
        Copy(fleet.PoolPower, 0, poolPower, PoolRecord.Fields * p.Pools);
        return fleet with { PoolPower = new ViewColumn<double>(poolPower) };
    }

    /// <summary>Elements <paramref name="first"/> .. + <paramref name="count"/> - 1 of a column into <paramref name="to"/>, shared among the group's threads.</summary>
    private static void Copy<T>(ViewColumn<T> from, int first, ArrayView<T> to, int count)
        where T : unmanaged
    {
        for (var i = Group.IdxX; i < count; i += Group.DimX)
        {
            to[i] = from[first + i];
        }
    }

    /// <summary>Each thread's state in its own local arrays of <see cref="MaxLocalState"/> doubles and as many integers.</summary>
    internal static void LocalStateKernel<TArithmetic>(
        Index1D thread, DeviceFleet fleet, DevicePlans plans, ViewColumn<double> tables, OutcomeData<ViewColumn<double>> outcomes, ScoreParams p, SpecializedValue<ScoreShape> shape, long threads)
        where TArithmetic : struct, IScoringArithmetic
    {
        var state = new Strided<ViewColumn<double>, double>(new ViewColumn<double>(LocalMemory.Allocate1D<double>(MaxLocalState)), 0, 1);
        var jobs = new Strided<ViewColumn<int>, int>(new ViewColumn<int>(LocalMemory.Allocate1D<int>(MaxLocalState)), 0, 1);
        ScorePairs<TArithmetic>(thread.X, threads, fleet, plans, tables, state, jobs, outcomes, p, shape);
    }

    /// <summary>Each thread's state in its own slices of global scratch buffers, interleaved by thread: any size.</summary>
    internal static void GlobalStateKernel<TArithmetic>(
        Index1D thread, DeviceFleet fleet, DevicePlans plans, ViewColumn<double> tables, ViewColumn<double> scratch, ViewColumn<int> jobScratch, OutcomeData<ViewColumn<double>> outcomes, ScoreParams p, SpecializedValue<ScoreShape> shape, long threads)
        where TArithmetic : struct, IScoringArithmetic
    {
        ScorePairs<TArithmetic>(
            thread.X, threads, fleet, plans, tables,
            new Strided<ViewColumn<double>, double>(scratch, thread.X, (int)threads), new Strided<ViewColumn<int>, int>(jobScratch, thread.X, (int)threads), outcomes, p, shape);
    }

    /// <summary>
    /// <see cref="GlobalStateKernel"/> in explicit groups, so that it can be compiled with launch bounds (a residency per
    /// multiprocessor, which caps each thread's registers).
    /// </summary>
    private static void ResidentGlobalStateKernel<TArithmetic>(
        DeviceFleet fleet, DevicePlans plans, ViewColumn<double> tables, ViewColumn<double> scratch, ViewColumn<int> jobScratch, OutcomeData<ViewColumn<double>> outcomes, ScoreParams p, SpecializedValue<ScoreShape> shape)
        where TArithmetic : struct, IScoringArithmetic
    {
        var thread = Grid.GlobalIndex.X;
        var threads = Grid.DimX * Group.DimX;
        ScorePairs<TArithmetic>(
            thread, threads, fleet, plans, tables,
            new Strided<ViewColumn<double>, double>(scratch, thread, threads), new Strided<ViewColumn<int>, int>(jobScratch, thread, threads), outcomes, p, shape);
    }

    /// <summary>Thread <paramref name="thread"/> of <paramref name="threads"/> scores pair after pair, a wave apart.</summary>
    private static void ScorePairs<TArithmetic>(
        long thread, long threads, DeviceFleet fleet, DevicePlans plans, ViewColumn<double> tables, Strided<ViewColumn<double>, double> state, Strided<ViewColumn<int>, int> jobs,
        OutcomeData<ViewColumn<double>> outcomes, ScoreParams p, SpecializedValue<ScoreShape> shape)
        where TArithmetic : struct, IScoringArithmetic
    {
        p = p with { Shape = shape.Value }; // the instance's sizes as the kernel's constants
        for (var pair = thread; pair < p.Pairs; pair += threads)
        {
            Write(outcomes, pair, PairScorer.Score((int)(pair / p.Scenarios), fleet, plans, new Strided<ViewColumn<double>, double>(tables, (int)(pair % p.Scenarios), p.Scenarios), state, jobs, p, default(TArithmetic)));
        }
    }
}
