using ILGPU.Runtime;

namespace Allocator.Kernels.Tests;

public sealed class DeviceChoiceTests
{
    [Fact]
    public void Asking_for_cuda_scores_on_cuda_where_there_is_one_and_otherwise_warns_and_falls_back_to_the_cpu()
    {
        using var context = DeviceCatalog.CreateContext();
        var hasCuda = context.Devices.Any(d => d.AcceleratorType == AcceleratorType.Cuda);
        var warnings = new List<string>();

        using var scorer = BulkScorer.Create(ScoringDevice.Cuda, warnings.Add);

        if (hasCuda)
        {
            Assert.StartsWith("cuda", scorer.Description, StringComparison.Ordinal);
            Assert.Empty(warnings);
        }
        else
        {
            Assert.StartsWith("cpu", scorer.Description, StringComparison.Ordinal);
            Assert.Contains(warnings, w => w.Contains("CPU fast path", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_cpu_choice_never_uses_the_emulator_and_ilgpucpu_always_does()
    {
        using var cpu = BulkScorer.Create(ScoringDevice.Cpu);
        using var emulator = BulkScorer.Create(ScoringDevice.IlgpuCpu);

        Assert.StartsWith("cpu (C# fast path", cpu.Description, StringComparison.Ordinal);
        Assert.StartsWith("ilgpu-cpu", emulator.Description, StringComparison.Ordinal);
    }
}
