using System.Collections.Frozen;

namespace NomadQemu.Core.Validation.Args;

/// <summary>
/// QEMU's command-line options (7.2, x86_64, plus the arch-specific and hidden ones its parser knows), with
/// arity and class. Written from QEMU's documentation and checked against the installed emulator by a test
/// (every option <c>-help</c> lists is here with the arity the emulator enforces). Options not here are refused.
/// </summary>
internal static class QemuOptionTable
{
    private const QemuOptionClass Safe = QemuOptionClass.Safe;
    private const QemuOptionClass Host = QemuOptionClass.HostReaching;
    private const QemuOptionClass Owned = QemuOptionClass.DriverOwned;

    private const string Guest = "acts on the guest only";
    private const string ReadsHostFile = "reads a host file";
    private const string OpensHostImage = "opens a host file or device as a disk";
    private const string ByValue = "depends on the value";

    private static QemuOptionSpec Flag(string name, QemuOptionClass cls = Safe, string reason = Guest) =>
        new(name, false, cls, reason);

    private static QemuOptionSpec Arg(string name, QemuOptionClass cls = Safe, string reason = Guest) =>
        new(name, true, cls, reason);

    private static QemuOptionSpec Valued(string name, QemuValueRules rules) => new(name, true, Safe, ByValue, rules);

    /// <summary>Every option, in QEMU's <c>-help</c> order.</summary>
    public static IReadOnlyList<QemuOptionSpec> All { get; } =
    [
        Flag("-h"),
        Flag("-help"),
        Flag("-version"),
        Valued("-machine", QemuValueRuleSets.Machine),
        Valued("-M", QemuValueRuleSets.Machine),
        Arg("-cpu"),
        Arg("-accel", Owned, "the accelerator comes from the task's accelerator key"),
        Arg("-smp"),
        Arg("-numa"),
        Arg("-add-fd", Owned, "file descriptors are the driver's"),
        Arg("-set", Owned, "rewrites any option by id, the driver's own drive and sockets included"),
        Valued("-global", QemuValueRuleSets.Global),
        Valued("-boot", QemuValueRuleSets.Boot),
        Arg("-m", Owned, "memory comes from the task's resources.memory (what Nomad schedules and limits)"),
        Arg("-mem-path", Host, "maps host files as guest memory"),
        Flag("-mem-prealloc"),
        // QEMU tries a keymap name as a path first (relative to its working directory, the task dir), so a
        // name can be a link the job planted; and a keymap only matters to a display, which is host-reaching.
        Arg("-k", Host, "QEMU opens the value as a file path before looking in its keymap dir"),
        Flag("-audio-help"),
        Valued("-audio", QemuValueRuleSets.Audiodev),
        Valued("-audiodev", QemuValueRuleSets.Audiodev),
        Valued("-device", QemuValueRuleSets.Device),
        Arg("-name"),
        Arg("-uuid"),
        Arg("-fda", Host, OpensHostImage),
        Arg("-fdb", Host, OpensHostImage),
        Arg("-hda", Host, OpensHostImage),
        Arg("-hdb", Host, OpensHostImage),
        Arg("-hdc", Host, OpensHostImage),
        Arg("-hdd", Host, OpensHostImage),
        Arg("-cdrom", Host, OpensHostImage),
        Arg("-blockdev", Host, OpensHostImage),
        Arg("-drive", Host, OpensHostImage),
        Arg("-mtdblock", Host, OpensHostImage),
        Arg("-sd", Host, OpensHostImage),
        Flag("-snapshot"),
        Arg("-fsdev", Host, "shares a host directory or talks to a host proxy"),
        Arg("-virtfs", Host, "shares a host directory or talks to a host proxy"),
        Arg("-iscsi"),
        Flag("-usb"),
        Valued("-usbdevice", QemuValueRuleSets.UsbDevice),
        Valued("-display", QemuValueRuleSets.Display),
        Flag("-nographic"),
        Arg("-spice", Host, "listens on a host address or socket"),
        Flag("-portrait"),
        Arg("-rotate"),
        Arg("-vga"),
        Flag("-full-screen"),
        Arg("-g"),
        Arg("-prom-env"),
        Valued("-vnc", QemuValueRuleSets.Vnc),
        Flag("-win2k-hack"),
        Flag("-no-fd-bootchk"),
        Flag("-no-acpi"),
        Flag("-no-hpet"),
        Valued("-acpitable", QemuValueRuleSets.HostFileProperties),
        Valued("-smbios", QemuValueRuleSets.HostFileProperties),
        Valued("-netdev", QemuValueRuleSets.Netdev),
        Valued("-nic", QemuValueRuleSets.Nic),
        Valued("-net", QemuValueRuleSets.Net),
        Valued("-chardev", QemuValueRuleSets.Chardev),
        Arg("-tpmdev", Host, "uses the host's TPM or a host TPM emulator"),
        Arg("-bios", Host, ReadsHostFile),
        Arg("-pflash", Host, OpensHostImage),
        Arg("-kernel", Host, ReadsHostFile),
        Arg("-append"),
        Arg("-initrd", Host, ReadsHostFile),
        Arg("-dtb", Host, ReadsHostFile),
        Arg("-compat"),
        Valued("-fw_cfg", QemuValueRuleSets.FwCfg),
        Valued("-serial", QemuValueRuleSets.DeviceSpec),
        Valued("-parallel", QemuValueRuleSets.DeviceSpec),
        Arg("-monitor", Owned, "a monitor can stop, migrate or dump the VM: control is the driver's"),
        Arg("-qmp", Owned, "a monitor can stop, migrate or dump the VM: control is the driver's"),
        Arg("-qmp-pretty", Owned, "a monitor can stop, migrate or dump the VM: control is the driver's"),
        Arg("-mon", Owned, "a monitor can stop, migrate or dump the VM: control is the driver's"),
        Valued("-debugcon", QemuValueRuleSets.DeviceSpec),
        Arg("-pidfile", Owned, "the driver owns the pid"),
        Flag("-singlestep"),
        Flag("-preconfig", Owned, "QEMU would wait for a QMP command the driver never sends"),
        Flag("-S", Owned, "the VM would stay paused: nothing in the driver resumes it"),
        Arg("-overcommit"),
        Arg("-gdb", Host, "opens a debugger stub on a host socket or device"),
        Flag("-s", Host, "opens a debugger stub on host port 1234"),
        Arg("-d"),
        Arg("-D", Host, "writes a host file"),
        Arg("-dfilter"),
        Arg("-seed"),
        Arg("-L", Host, "loads firmware from a host directory"),
        Flag("-enable-kvm", Owned, "the accelerator comes from the task's accelerator key"),
        Arg("-xen-domid", Host, "talks to the Xen host"),
        Flag("-xen-attach", Host, "talks to the Xen host"),
        Flag("-xen-domid-restrict", Host, "talks to the Xen host"),
        Flag("-no-reboot"),
        Flag("-no-shutdown"),
        Arg("-action"),
        Arg("-loadvm"),
        Flag("-daemonize", Owned, "QEMU would fork away from the driver's supervision"),
        Arg("-option-rom", Host, ReadsHostFile),
        Arg("-rtc"),
        Valued("-icount", QemuValueRuleSets.HostFileProperties),
        Arg("-watchdog-action"),
        Arg("-echr"),
        Arg(
            "-incoming",
            Owned,
            "the VM would wait for a migration the driver never sends (exec:/tcp:/unix: reach the host)"
        ),
        Flag("-only-migratable"),
        Flag("-nodefaults"),
        Arg("-chroot", Owned, "changes root after start-up: the driver's sockets and files stop working"),
        Arg("-runas", Owned, "drops privileges after start-up: the driver's sockets and files stop working"),
        Arg("-sandbox", Owned, "the seccomp sandbox is the driver's (part of its jail)"),
        Arg("-readconfig", Host, ReadsHostFile),
        Flag("-no-user-config"),
        Valued("-trace", QemuValueRuleSets.Trace),
        Arg("-plugin", Host, "loads a host shared library into QEMU"),
        Flag("-async-teardown"),
        Arg("-msg"),
        Arg("-dump-vmstate", Host, "writes a host file"),
        Flag("-enable-sync-profile"),
        Valued("-object", QemuValueRuleSets.Object),
        Flag("-semihosting", Host, "gives the guest host file and console calls"),
        Arg("-semihosting-config", Host, "gives the guest host file and console calls"),
        Flag("-old-param"),
        Arg("-qtest", Owned, "a test-control channel: control is the driver's"),
        Arg("-qtest-log", Host, "writes a host file"),
        new(
            "-run-with",
            true,
            Owned,
            "changes root or user after start-up: the driver's sockets and files stop working",
            Since: "9.0"
        ),
    ];

    private static readonly FrozenDictionary<string, QemuOptionSpec> s_byName = All.ToFrozenDictionary(
        o => o.Name,
        StringComparer.Ordinal
    );

    /// <summary>The row for an option in its canonical one-dash spelling, or null when QEMU has no such option.</summary>
    public static QemuOptionSpec? Find(string name) => s_byName.GetValueOrDefault(name);
}
