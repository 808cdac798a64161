using Allocator.Core.Randomness;

namespace Allocator.Core.Scenarios;

/// <summary>
/// Counter-based randomness: every random quantity of scenario k is a pure function of
/// (seed, scenario, source, item, period), so a scenario is the same draw for every plan, batch size, thread and
/// device, and draws are made where they are used instead of being shipped as tables. Integer arithmetic only, so the
/// same code runs inside ILGPU kernels.
/// </summary>
public static class ScenarioRandom
{
    /// <summary>Whether delivery d slips.</summary>
    public const ulong DeliverySlip = 1;

    /// <summary>How far delivery d slips.</summary>
    public const ulong DeliverySlipPeriods = 2;

    /// <summary>Share of pool p's GPUs down in period t.</summary>
    public const ulong Outage = 3;

    /// <summary>Whether job j overruns.</summary>
    public const ulong JobOverrun = 4;

    /// <summary>How many extra periods job j needs.</summary>
    public const ulong JobOverrunPeriods = 5;

    /// <summary>Whether job j succeeds.</summary>
    public const ulong JobSuccess = 6;

    /// <summary>First uniform of period t's spot-price step (Box-Muller).</summary>
    public const ulong SpotStepRadius = 7;

    /// <summary>Second uniform of period t's spot-price step (Box-Muller).</summary>
    public const ulong SpotStepAngle = 8;

    /// <summary>Whether offer l, announced after period 0, is actually made.</summary>
    public const ulong OfferArrival = 9;

    /// <summary>64 random bits for one (seed, scenario, source, item, period).</summary>
    public static ulong Bits(ulong seed, long scenario, ulong source, long item, long period)
    {
        var h = SplitMix64.Mix(seed + 0x9E3779B97F4A7C15UL);
        h = SplitMix64.Mix(h ^ ((ulong)scenario * 0xD1B54A32D192ED03UL));
        h = SplitMix64.Mix(h ^ (source * 0xAEF17502108EF2D9UL));
        h = SplitMix64.Mix(h ^ ((ulong)item * 0x8CB92BA72F3D8DD7UL));
        return SplitMix64.Mix(h ^ ((ulong)period * 0xE7037ED1A0B428DBUL));
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public static double Uniform(ulong seed, long scenario, ulong source, long item, long period) =>
        (Bits(seed, scenario, source, item, period) >> 11) * (1.0 / 9007199254740992.0);
}
