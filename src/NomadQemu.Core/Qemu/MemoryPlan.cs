namespace NomadQemu.Core.Qemu;

/// <summary>
/// How a task's memory is split (nomad#27392: the built-in driver caps the task at the guest's RAM, so QEMU's own
/// memory gets it OOM-killed). The guest gets <c>resources.memory</c>, as with the built-in driver; the task's
/// memory limit is that plus QEMU's measured overhead, or <c>memory_max</c> when the job allows more.
/// </summary>
public sealed record MemoryPlan(long GuestMb, long OverheadMb, long LimitMb)
{
    // Measured with scripts/measure-qemu-overhead.sh (TCG, QEMU 7.2, test guest, every guest page resident):
    // peak RSS minus guest RAM was 119-122 MiB for 128-512 MiB guests and 1-2 vCPUs, rising slowly with guest
    // size and vCPUs (table in BENCHMARKS.md). KVM needs less (no translated-code cache), so this is the bound.
    // The base adds headroom for TCG's code cache growing as the guest runs more code, and for devices.
    public const long BaseOverheadMb = 160;
    public const long PerVcpuOverheadMb = 2;

    /// <summary>Per GiB of guest RAM (page tables, dirty bitmaps, memory map bookkeeping).</summary>
    public const long PerGuestGibOverheadMb = 8;

    public long ExtraMb => LimitMb - GuestMb;

    public static long OverheadMbFor(long guestMb, int vcpus) =>
        BaseOverheadMb + (PerVcpuOverheadMb * vcpus) + ((guestMb * PerGuestGibOverheadMb) + 1023) / 1024;

    /// <param name="memoryMb"><c>resources.memory</c>: the guest's RAM.</param>
    /// <param name="memoryMaxMb"><c>resources.memory_max</c> (0 when unset): a higher limit the job allows.</param>
    public static MemoryPlan For(long memoryMb, long memoryMaxMb, int vcpus)
    {
        var overhead = OverheadMbFor(memoryMb, vcpus);
        return new MemoryPlan(memoryMb, overhead, Math.Max(memoryMb + overhead, memoryMaxMb));
    }
}
