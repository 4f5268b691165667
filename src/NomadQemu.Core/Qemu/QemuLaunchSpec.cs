using NomadQemu.Core.Config;

namespace NomadQemu.Core.Qemu;

/// <summary>
/// Everything resolved that the command line needs. The driver fills it after the guards ran; the builder only
/// formats it.
/// </summary>
public sealed record QemuLaunchSpec
{
    public required TaskConfig Config { get; init; }

    /// <summary>Absolute path of <c>qemu-system-&lt;arch&gt;</c>.</summary>
    public required string EmulatorPath { get; init; }

    /// <summary>Resolved accelerator: <c>kvm</c>, <c>tcg</c> or a pass-through value (never <c>auto</c>).</summary>
    public required string Accelerator { get; init; }

    /// <summary>Nomad task name; becomes <c>-name</c>.</summary>
    public required string TaskName { get; init; }

    public required long MemoryMb { get; init; }

    public required int Vcpus { get; init; }

    public required DriveSpec Drive { get; init; }

    /// <summary>The inherited descriptors QEMU puts in fd sets; every file a layer uses is one of them.</summary>
    public IReadOnlyList<FdSetMember> FdSets { get; init; } = [];

    public required string QmpSocketPath { get; init; }

    /// <summary>
    /// A listening socket QEMU inherits at this descriptor number (created by the supervisor); when set, QMP
    /// and the guest agent use <see cref="QmpSocketFd"/>/<see cref="GuestAgentSocketFd"/> instead of the paths,
    /// so QEMU needs no writable host path.
    /// </summary>
    public int? QmpSocketFd { get; init; }

    /// <summary>The guest agent's inherited listening socket; see <see cref="QmpSocketFd"/>.</summary>
    public int? GuestAgentSocketFd { get; init; }

    /// <summary>Turn QEMU's seccomp filter on (<c>-sandbox</c> with every deny group).</summary>
    public bool Sandbox { get; init; }

    /// <summary>Required when <see cref="TaskConfig.GuestAgent"/> is set.</summary>
    public string? GuestAgentSocketPath { get; init; }

    public IReadOnlyList<PortForward> PortForwards { get; init; } = [];

    public DnsSettings? Dns { get; init; }

    /// <summary>
    /// How QEMU reaches the opened <c>kernel</c> (<c>/proc/self/fd/N</c>: QEMU reads it with a plain open(), which
    /// knows no fd sets); null when not booting a kernel directly.
    /// </summary>
    public string? KernelPath { get; init; }

    /// <summary>How QEMU reaches the opened <c>initrd</c>, as <see cref="KernelPath"/>.</summary>
    public string? InitrdPath { get; init; }

    /// <summary>The <c>disk</c> blocks, in the order written (guest device names follow it).</summary>
    public IReadOnlyList<ExtraDrive> ExtraDrives { get; init; } = [];

    /// <summary>The cloud-init seed (a raw ISO 9660 image on an fd set), attached read-only; null without one.</summary>
    public DriveSpec? SeedDrive { get; init; }

    /// <summary>
    /// The guest NIC's MAC address (the seed's network-config matches it); when set, the user network and its NIC
    /// are always added, in compat mode too, so the NIC the config names exists.
    /// </summary>
    public string? NicMacAddress { get; init; }

    /// <summary>Template RAM, versioned machine and incoming state of a warm start; null for a cold boot.</summary>
    public WarmStart.WarmLaunch? Warm { get; init; }

    /// <summary>The UEFI firmware to map; null boots QEMU's default BIOS.</summary>
    public UefiFlash? Uefi { get; init; }
}
