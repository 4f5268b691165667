using NomadQemu.Core.Cty;
using NomadQemu.Core.Validation;

namespace NomadQemu.Core.Config;

/// <summary>A job's <c>config { ... }</c> for a QEMU task, decoded and checked (see <see cref="TaskConfigSchema"/>).</summary>
public sealed record TaskConfig
{
    /// <summary>Upper bound for <c>vcpus</c>: the largest count any QEMU x86 machine type accepts.</summary>
    public const int MaxVcpus = 4096;

    /// <summary>The disk image, relative to the task dir or absolute; must lie in the alloc dir or a plugin <c>image_paths</c> dir.</summary>
    public required string ImagePath { get; init; }

    /// <summary>Emulator arch (<c>x86_64</c>, <c>aarch64</c>) or binary name; runs <c>qemu-system-&lt;arch&gt;</c>.</summary>
    public string Emulator { get; init; } = "x86_64";

    /// <summary><c>-machine type=</c>; null means the profile's default (compat <c>pc</c>, fast <c>q35</c>).</summary>
    public string? MachineType { get; init; }

    /// <summary><c>auto</c> (KVM when the fingerprint proved it usable, else TCG), <c>kvm</c>, <c>tcg</c>, or passed through (<c>hvf</c>).</summary>
    public string Accelerator { get; init; } = "auto";

    /// <summary>Disk bus (<c>ide, scsi, sd, mtd, floppy, pflash, virtio, none</c>); null means the profile's default.</summary>
    public string? DriveInterface { get; init; }

    /// <summary>On stop, press the ACPI power button over QMP and wait for the guest before killing. Default true (built-in: false).</summary>
    public bool GracefulShutdown { get; init; } = true;

    /// <summary>Expose the QEMU guest agent channel (<c>org.qemu.guest_agent.0</c>) on a unix socket in the task dir.</summary>
    public bool GuestAgent { get; init; }

    /// <summary>Network port label → guest port; each label is forwarded for TCP and UDP.</summary>
    public IReadOnlyDictionary<string, int> PortMap { get; init; } = new Dictionary<string, int>();

    /// <summary>Extra QEMU arguments, appended after the driver's own flags.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Whether the guest writes a copy-on-write overlay (default) or the image itself.</summary>
    public DiskMode DiskMode { get; init; } = DiskMode.Overlay;

    /// <summary>The image's format when stated; null lets the driver detect it from the file's magic.</summary>
    public ImageFormat? ImageFormat { get; init; }

    /// <summary>Guest-visible machine defaults: <c>compat</c> (built-in's) or <c>fast</c> (q35, virtio, no legacy devices).</summary>
    public GuestProfile Profile { get; init; } = GuestProfile.Compat;

    /// <summary>Direct kernel boot: kernel image (<c>-kernel</c>), guarded like <see cref="ImagePath"/>.</summary>
    public string? Kernel { get; init; }

    /// <summary>Direct kernel boot: initial ramdisk (<c>-initrd</c>), guarded like <see cref="ImagePath"/>.</summary>
    public string? Initrd { get; init; }

    /// <summary>Direct kernel boot: kernel command line (<c>-append</c>).</summary>
    public string? KernelArgs { get; init; }

    /// <summary>CPU model for <c>-cpu</c> (<c>host</c>, <c>max</c>, ...); null leaves QEMU's default.</summary>
    public string? CpuModel { get; init; }

    /// <summary>vCPU count; null means the task's reserved cores, else 1.</summary>
    public int? Vcpus { get; init; }

    /// <summary>The <c>cloud_init</c> block: a NoCloud seed is attached when present.</summary>
    public CloudInitConfig? CloudInit { get; init; }

    /// <summary>The <c>disk</c> blocks: extra disks after the boot drive, in the order written.</summary>
    public IReadOnlyList<DiskConfig> Disks { get; init; } = [];

    /// <summary><c>bios</c> (SeaBIOS, QEMU's default) or <c>uefi</c> (OVMF from the host, per-task variable store).</summary>
    public Firmware Firmware { get; init; } = Firmware.Bios;

    /// <summary>UEFI Secure Boot with the host's enrolled-keys OVMF build; needs <c>firmware = "uefi"</c> and q35.</summary>
    public bool SecureBoot { get; init; }

    /// <summary>The <c>warm_start</c> block: start from a template's memory snapshot; null when absent.</summary>
    public WarmStart.WarmStartConfig? WarmStart { get; init; }

    /// <summary>Keys the schema does not know (Nomad refuses them before encoding; kept for diagnostics).</summary>
    public IReadOnlyDictionary<string, CtyValue> UnknownKeys { get; init; } = new Dictionary<string, CtyValue>();

    /// <summary>The machine type QEMU gets: <see cref="MachineType"/> or the profile's default.</summary>
    public string EffectiveMachineType => MachineType ?? (Profile == GuestProfile.Fast ? "q35" : "pc");

    /// <summary>The drive interface QEMU gets: <see cref="DriveInterface"/> or the profile's default.</summary>
    public string EffectiveDriveInterface => DriveInterface ?? (Profile == GuestProfile.Fast ? "virtio" : "ide");

    /// <summary>Decodes StartTask's <c>msgpack_driver_config</c>.</summary>
    /// <exception cref="ConfigException">Malformed bytes or a bad value; the message names the key.</exception>
    public static TaskConfig Decode(ReadOnlyMemory<byte> msgpack) => FromCty(CtyMsgpack.Decode(msgpack));

    /// <exception cref="ConfigException">A bad value; the message names the key.</exception>
    public static TaskConfig FromCty(CtyValue raw)
    {
        Dictionary<string, CtyValue> unknown = new(StringComparer.Ordinal);
        var coerced = ConfigCoercion.Coerce(raw, TaskConfigSchema.Spec, unknown);
        ConfigReader read = new(coerced);
        var driveInterface = read.OptionalString(TaskConfigSchema.DriveInterface);
        if (driveInterface is not null)
        {
            DriveInterfaceGuard.Check(driveInterface);
        }

        return new TaskConfig
        {
            ImagePath = read.RequiredString(TaskConfigSchema.ImagePath),
            Emulator = read.OptionalString(TaskConfigSchema.Emulator) ?? "x86_64",
            MachineType = read.OptionalString(TaskConfigSchema.MachineType),
            Accelerator = read.OptionalString(TaskConfigSchema.Accelerator) ?? "auto",
            DriveInterface = driveInterface,
            GracefulShutdown = read.Bool(TaskConfigSchema.GracefulShutdown, whenAbsent: true),
            GuestAgent = read.Bool(TaskConfigSchema.GuestAgent, whenAbsent: false),
            PortMap = PortMapDecoder.Flatten(coerced[TaskConfigSchema.PortMap]),
            Args = read.StringList(TaskConfigSchema.Args),
            DiskMode = read.Choice(TaskConfigSchema.DiskMode, s_diskModes, DiskMode.Overlay),
            ImageFormat = read.Choice<ImageFormat?>(TaskConfigSchema.ImageFormat, s_imageFormats, null),
            Profile = read.Choice(TaskConfigSchema.Profile, s_profiles, GuestProfile.Compat),
            Kernel = read.OptionalString(TaskConfigSchema.Kernel),
            Initrd = read.OptionalString(TaskConfigSchema.Initrd),
            KernelArgs = read.OptionalString(TaskConfigSchema.KernelArgs),
            CpuModel = read.OptionalString(TaskConfigSchema.CpuModel),
            Vcpus = read.OptionalInt(TaskConfigSchema.Vcpus, 1, MaxVcpus),
            CloudInit = CloudInitConfig.FromCty(coerced[TaskConfigSchema.CloudInit]),
            Disks = DiskConfig.ListFromCty(coerced[TaskConfigSchema.Disk]),
            Firmware = read.Choice(TaskConfigSchema.Firmware, s_firmwares, Firmware.Bios),
            SecureBoot = read.Bool(TaskConfigSchema.SecureBoot, whenAbsent: false),
            WarmStart = Core.WarmStart.WarmStartConfig.FromCty(coerced[TaskConfigSchema.WarmStart]),
            UnknownKeys = unknown,
        };
    }

    private static readonly Dictionary<string, DiskMode> s_diskModes = new(StringComparer.Ordinal)
    {
        ["overlay"] = DiskMode.Overlay,
        ["in_place"] = DiskMode.InPlace,
    };

    private static readonly Dictionary<string, ImageFormat?> s_imageFormats = new(StringComparer.Ordinal)
    {
        ["qcow2"] = Config.ImageFormat.Qcow2,
        ["raw"] = Config.ImageFormat.Raw,
    };

    private static readonly Dictionary<string, Firmware> s_firmwares = new(StringComparer.Ordinal)
    {
        ["bios"] = Config.Firmware.Bios,
        ["uefi"] = Config.Firmware.Uefi,
    };

    private static readonly Dictionary<string, GuestProfile> s_profiles = new(StringComparer.Ordinal)
    {
        ["compat"] = GuestProfile.Compat,
        ["fast"] = GuestProfile.Fast,
    };
}
