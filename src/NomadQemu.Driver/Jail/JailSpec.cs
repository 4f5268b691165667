namespace NomadQemu.Driver.Jail;

/// <summary>
/// How the supervisor jails one QEMU (part of the launch record). Decided by the driver; the supervisor
/// only picks the uid, because the uid's lock must live exactly as long as the supervisor.
/// </summary>
/// <param name="BwrapPath">bubblewrap: the namespaces and the minimal root.</param>
/// <param name="SetprivPath">util-linux setpriv: the uid/gid/groups/capabilities drop, run inside the jail.</param>
/// <param name="UidLockDir">Where the per-uid lock files live (under the plugin's state_dir).</param>
/// <param name="UidBase">First uid of the range; reserved for the KVM probe, VMs get the next ones.</param>
/// <param name="UidCount">Size of the range.</param>
/// <param name="ReadOnlyFiles">Files the driver itself made that the jailed program opens by name (the KVM probe's
/// guest image): bound read-only at the same path. Always empty for a VM: every file a job names reaches QEMU as
/// an inherited descriptor, never by path.</param>
/// <param name="Kvm">Give QEMU /dev/kvm and the device's group.</param>
internal sealed record JailSpec(
    string BwrapPath,
    string SetprivPath,
    string UidLockDir,
    int UidBase,
    int UidCount,
    IReadOnlyList<string> ReadOnlyFiles,
    bool Kvm
);
