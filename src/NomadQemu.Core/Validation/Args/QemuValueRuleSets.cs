namespace NomadQemu.Core.Validation.Args;

/// <summary>
/// The value rules for options whose verdict depends on the value. Types a wildcard may match must be safe;
/// everything that reaches the host is listed here with why, so the README and refusals say the same thing.
/// </summary>
internal static class QemuValueRuleSets
{
    private const QemuOptionClass Safe = QemuOptionClass.Safe;
    private const QemuOptionClass Host = QemuOptionClass.HostReaching;
    private const QemuOptionClass Owned = QemuOptionClass.DriverOwned;

    private static QemuValueRule R(string pattern, QemuOptionClass cls, string reason) => new(pattern, cls, reason);

    private static readonly QemuValueRule s_anyTypeSafe = R("*", Safe, "acts on the guest only");

    // Properties that name a host path, host device, host fd or host process, whatever option carries them.
    private static readonly QemuValueRule[] s_hostProperties =
    [
        R("file", Host, "opens a host file"),
        R("filename", Host, "opens a host file"),
        R("path", Host, "opens a host path"),
        R("romfile", Host, "loads a host file as the option ROM"),
        R("mem-path", Host, "maps a host file as guest memory"),
        R("dir", Host, "reads a host directory"),
        R("logfile", Host, "writes a host file"),
        R("fd", Host, "uses a host file descriptor"),
        R("fds", Host, "uses host file descriptors"),
        R("vhostfd", Host, "uses a host file descriptor"),
        R("vhostfds", Host, "uses host file descriptors"),
        R("script", Host, "runs a host program"),
        R("downscript", Host, "runs a host program"),
        R("helper", Host, "runs a host program"),
        R("sock", Host, "connects to a host socket"),
        R("socket", Host, "connects to a host socket"),
        R("dumpdtb", Host, "writes a host file"),
        R("dtb", Host, "reads a host file"),
        R("kernel", Host, "reads a host file"),
        R("initrd", Host, "reads a host file"),
        R("firmware", Host, "reads a host file"),
        R("rootdir", Host, "exports a host directory"),
        R("sysfsdev", Host, "passes a host device through"),
        R("hostbus", Host, "passes a host USB device through"),
        R("hostaddr", Host, "passes a host USB device through"),
        R("hostport", Host, "passes a host USB device through"),
        R("hostdevice", Host, "passes a host device through"),
        R("hidraw", Host, "opens a host device"),
        R("evdev", Host, "opens a host input device"),
        R("guest-cid", Host, "opens a vsock channel to host processes"),
        R("wwpn", Host, "attaches a host SCSI target"),
        R("x509-dir", Host, "reads a host directory"),
    ];

    /// <summary><c>-device</c> (and <c>-global</c>'s driver): devices are guest-side unless they pass host things through.</summary>
    public static QemuValueRules Device { get; } =
        new(
            QemuValueSyntax.KeyValue,
            "driver",
            [
                R("vfio-*", Host, "passes a host device through"),
                R("vhost-*", Host, "talks to a host vhost backend or device"),
                R("usb-host", Host, "passes a host USB device through"),
                R("u2f-passthru", Host, "passes a host security key through"),
                R("usb-mtp", Host, "exports a host directory"),
                R("ccid-card-*", Host, "uses host smart cards or certificate stores"),
                R("loader", Host, "loads a host file into guest memory"),
                R("guest-loader", Host, "loads a host file into guest memory"),
                R("scsi-generic", Host, "passes a host SCSI device through"),
                R("scsi-block", Host, "passes a host block device through"),
                R("xen-*", Host, "talks to the Xen host"),
                R("ipmi-bmc-extern", Host, "talks to a host BMC process"),
                R("x-remote-*", Host, "talks to a host process"),
            ],
            s_anyTypeSafe,
            s_hostProperties
        );

    /// <summary><c>-global driver.property=value</c>: the same verdicts as <c>-device</c> for that driver and property.</summary>
    public static QemuValueRules Global { get; } = Device with { Syntax = QemuValueSyntax.Global };

    private static readonly QemuValueRule[] s_userNetProperties =
    [
        .. s_hostProperties,
        R("hostfwd", Host, "binds a host address and port"),
        R("guestfwd", Host, "connects guest traffic to a host process or socket"),
        R("smb", Host, "exports a host directory over SMB (runs smbd)"),
        R("tftp", Host, "exports a host directory over TFTP"),
    ];

    private static readonly QemuValueRule s_hostNetwork = R("*", Host, "uses a host network device, socket or helper");

    /// <summary><c>-netdev</c>: only user-mode networking (and hub ports) stay inside QEMU.</summary>
    public static QemuValueRules Netdev { get; } =
        new(
            QemuValueSyntax.KeyValue,
            "type",
            [R("user", Safe, "user-mode network inside QEMU"), R("hubport", Safe, "joins a QEMU hub")],
            s_hostNetwork,
            s_userNetProperties
        );

    /// <summary><c>-nic</c>: a netdev plus its NIC; <c>none</c> removes the default NIC.</summary>
    public static QemuValueRules Nic { get; } =
        Netdev with
        {
            Types = [.. Netdev.Types, R("none", Safe, "no network card")],
        };

    /// <summary><c>-net</c> (legacy): <c>nic</c> is a guest card, the rest are backends as for <c>-netdev</c>.</summary>
    public static QemuValueRules Net { get; } =
        Netdev with
        {
            Types = [.. Netdev.Types, R("nic", Safe, "a guest network card"), R("none", Safe, "no network")],
        };

    /// <summary><c>-chardev</c>: backends that stay inside QEMU are safe; files, pipes, sockets, ttys are not.</summary>
    public static QemuValueRules Chardev { get; } =
        new(
            QemuValueSyntax.KeyValue,
            "backend",
            [
                R("null", Safe, "discards output"),
                R("ringbuf", Safe, "keeps output in QEMU's memory"),
                R("memory", Safe, "keeps output in QEMU's memory"),
                R("msmouse", Safe, "an emulated mouse"),
                R("wctablet", Safe, "an emulated tablet"),
                R("vc", Safe, "a virtual console (no display: discarded)"),
                R("testdev", Safe, "a test device inside QEMU"),
                R("stdio", Owned, "the task's stdin/stdout carry the driver's serial console"),
                R("mux", Owned, "multiplexes a monitor"),
            ],
            R("*", Host, "opens a host file, pipe, socket, terminal or device"),
            s_hostProperties
        );

    /// <summary><c>-serial</c>, <c>-parallel</c>, <c>-debugcon</c>: the character-device spec form.</summary>
    public static QemuValueRules DeviceSpec { get; } =
        new(
            QemuValueSyntax.DeviceSpec,
            null,
            [
                R("none", Safe, "no device"),
                R("null", Safe, "discards output"),
                R("vc", Safe, "a virtual console (no display: discarded)"),
                R("msmouse", Safe, "an emulated mouse"),
                R("chardev", Safe, "uses a chardev the job defined (checked where it is defined)"),
                R("stdio", Owned, "the task's stdin/stdout carry the driver's serial console"),
                R("mon", Owned, "a monitor: control of the VM is the driver's"),
            ],
            R("*", Host, "opens a host file, pipe, socket, terminal or device"),
            []
        );

    /// <summary><c>-object</c>: only types that keep to QEMU's memory are safe by default.</summary>
    public static QemuValueRules Object { get; } =
        new(
            QemuValueSyntax.KeyValue,
            "qom-type",
            [
                R("memory-backend-ram", Safe, "anonymous guest memory"),
                R("memory-backend-memfd", Safe, "anonymous guest memory"),
                R("iothread", Safe, "a QEMU thread"),
                R("main-loop", Safe, "QEMU's main loop settings"),
                R("thread-context", Safe, "QEMU thread placement"),
                R("rng-builtin", Safe, "QEMU's own random source"),
                R("rng-egd", Safe, "random data from a chardev the job defined"),
                R("throttle-group", Safe, "I/O limits"),
                R("secret", Safe, "an inline secret (file= is refused separately)"),
                R("cryptodev-backend-builtin", Safe, "QEMU's own crypto"),
                R("authz-simple", Safe, "an in-memory access rule"),
                R("authz-list", Safe, "an in-memory access rule"),
                R("filter-buffer", Safe, "a network filter inside QEMU"),
                R("filter-mirror", Safe, "a network filter to a chardev the job defined"),
                R("filter-redirector", Safe, "a network filter to a chardev the job defined"),
                R("filter-rewriter", Safe, "a network filter inside QEMU"),
            ],
            R("*", Host, "object types outside the safe list may open host files, devices or sockets"),
            s_hostProperties
        );

    /// <summary><c>-machine</c>/<c>-M</c>: the machine type is the guest's; kernel/firmware paths and the accelerator are not.</summary>
    public static QemuValueRules Machine { get; } =
        new(
            QemuValueSyntax.KeyValue,
            "type",
            [],
            s_anyTypeSafe,
            [
                .. s_hostProperties,
                R("accel", Owned, "the accelerator comes from the task's accelerator key"),
                R("memory-backend", Safe, "uses an object the job defined"),
            ]
        );

    private static QemuValueRules PropertiesOnly(string? impliedKey, params QemuValueRule[] properties) =>
        new(QemuValueSyntax.KeyValue, impliedKey, [], s_anyTypeSafe, [.. s_hostProperties, .. properties]);

    /// <summary><c>-boot</c>: <c>splash=</c> loads a host image file into the guest.</summary>
    public static QemuValueRules Boot { get; } =
        PropertiesOnly("order", R("splash", Host, "loads a host image file into the guest"));

    /// <summary><c>-smbios</c>, <c>-fw_cfg</c>, <c>-icount</c>, <c>-trace</c>, <c>-acpitable</c>: host files in properties.</summary>
    public static QemuValueRules HostFileProperties { get; } =
        PropertiesOnly(
            null,
            R("data", Host, "reads host files"),
            R("rrfile", Host, "reads or writes a host record/replay file"),
            R("events", Host, "reads a host file")
        );

    /// <summary><c>-fw_cfg</c>: the implied key is the item name, <c>file=</c> reads a host file.</summary>
    public static QemuValueRules FwCfg { get; } = HostFileProperties with { ImpliedKey = "name" };

    /// <summary><c>-trace</c>: the implied key is the event pattern.</summary>
    public static QemuValueRules Trace { get; } = HostFileProperties with { ImpliedKey = "enable" };

    private static QemuValueRules OnlySafe(string impliedKey, string safe, string reason, string otherReason) =>
        new(QemuValueSyntax.KeyValue, impliedKey, [R(safe, Safe, reason)], R("*", Host, otherReason), s_hostProperties);

    /// <summary><c>-display</c>: only <c>none</c>; every real display opens a host window, socket, device or D-Bus.</summary>
    public static QemuValueRules Display { get; } =
        OnlySafe("type", "none", "no display", "opens a host display, socket, render device or D-Bus");

    /// <summary><c>-vnc</c>: only <c>none</c>; anything else listens on a host address or socket.</summary>
    public static QemuValueRules Vnc { get; } =
        OnlySafe("vnc", "none", "no VNC server", "listens on a host address or socket");

    /// <summary><c>-audiodev</c>/<c>-audio</c>: only <c>none</c>; other drivers use host sound or write host files.</summary>
    public static QemuValueRules Audiodev { get; } =
        OnlySafe("driver", "none", "no sound output", "uses the host's sound system or writes a host file");

    /// <summary><c>-usbdevice</c>: emulated input devices only; braille and serial reach host devices.</summary>
    public static QemuValueRules UsbDevice { get; } =
        new(
            QemuValueSyntax.KeyValue,
            "name",
            [
                R("mouse", Safe, "an emulated USB device"),
                R("tablet", Safe, "an emulated USB device"),
                R("keyboard", Safe, "an emulated USB device"),
                R("wacom-tablet", Safe, "an emulated USB device"),
            ],
            R("*", Host, "reaches a host device"),
            []
        );
}
