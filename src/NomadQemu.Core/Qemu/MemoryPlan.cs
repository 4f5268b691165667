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
    // UEFI adds ~18 MiB (flash). The base adds headroom for that, for TCG's code cache growing as the guest runs
    // more code, and for devices. The per-GiB term did not show in the table (flat up to 2 GiB); it is a margin for
    // bookkeeping that grows with the memory map at sizes we did not measure. The measured runs used direct kernel
    // boot: the kernel and initrd copies QEMU keeps are added per task from their real sizes.
    public const long BaseOverheadMb = 160;
    public const long PerVcpuOverheadMb = 2;

    /// <summary>Per GiB of guest RAM (page tables, dirty bitmaps, memory map bookkeeping).</summary>
    public const long PerGuestGibOverheadMb = 8;

    public long ExtraMb => LimitMb - GuestMb;

    /// <param name="directBootBytes">Size of <c>kernel</c> plus <c>initrd</c>: QEMU holds a copy of both in its own memory.</param>
    public static long OverheadMbFor(long guestMb, int vcpus, long directBootBytes = 0) =>
        BaseOverheadMb
        + (PerVcpuOverheadMb * vcpus)
        + (((guestMb * PerGuestGibOverheadMb) + 1023) / 1024)
        + ((directBootBytes + MiB - 1) / MiB);

    /// <param name="memoryMb"><c>resources.memory</c>: the guest's RAM.</param>
    /// <param name="memoryMaxMb"><c>resources.memory_max</c> (0 when unset): a higher limit the job allows.</param>
    /// <param name="vcpus">The guest's vCPU count.</param>
    /// <param name="directBootBytes">Size of <c>kernel</c> plus <c>initrd</c> (0 without direct kernel boot).</param>
    public static MemoryPlan For(long memoryMb, long memoryMaxMb, int vcpus, long directBootBytes = 0)
    {
        var overhead = OverheadMbFor(memoryMb, vcpus, directBootBytes);
        return new MemoryPlan(memoryMb, overhead, Math.Max(memoryMb + overhead, memoryMaxMb));
    }

    private const long MiB = 1024 * 1024;
}
