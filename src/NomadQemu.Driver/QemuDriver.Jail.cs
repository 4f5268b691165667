using NomadQemu.Core.Config;
using NomadQemu.Driver.Jail;
using NomadQemu.Driver.Node;

namespace NomadQemu.Driver;

public sealed partial class QemuDriver
{
    private const string BwrapName = "bwrap";
    private const string SetprivName = "setpriv";

    /// <summary>How to jail the VM of <paramref name="plan"/>; null when the operator turned the jail off.</summary>
    private JailSpec? JailFor(LaunchPlan plan) =>
        JailSpecFor(plan.Accelerator == Core.Qemu.AcceleratorResolver.Kvm)
        ?? (_config.Jail ? throw new DriverException(DriverErrorKind.Internal, MissingJailToolsMessage()) : null);

    /// <summary>The probe runs jailed exactly like a VM (so its verdict holds for jailed VMs), as the range's first uid.</summary>
    private JailSpec? ProbeJail() => JailSpecFor(kvm: true);

    private JailSpec? JailSpecFor(bool kvm)
    {
        if (!_config.Jail)
        {
            return null;
        }
        var bwrap = FindOnPath(BwrapName);
        var setpriv = FindOnPath(SetprivName);
        return bwrap is null || setpriv is null
            ? null
            : new JailSpec(
                bwrap,
                setpriv,
                Path.Combine(StateDir, "jail-uids"),
                _config.JailUidBase,
                _config.JailUidCount,
                [],
                kvm
            );
    }

    /// <summary>
    /// An unjailed QEMU is killed when its supervisor dies, as a jailed one is (bwrap --die-with-parent): a VM
    /// whose supervisor is gone has nobody to record its exit and would run on untracked. setpriv sets the
    /// parent-death signal and execs QEMU, so QEMU keeps the pid the supervisor spawned.
    /// </summary>
    private IReadOnlyList<string> WithDeathSignal(IReadOnlyList<string> launcherPrefix) =>
        FindOnPath(SetprivName) is { } setpriv
            ? [.. launcherPrefix, setpriv, "--pdeathsig", "KILL", "--"]
            : launcherPrefix;

    private static string MissingJailToolsMessage() =>
        $"the jail needs {BwrapName} (package bubblewrap) and {SetprivName} (util-linux) in PATH; install them, or set plugin config {PluginConfigSchema.Jail} = false (QEMU then runs as root)";

    /// <summary>The operator's security knobs show in the node's health description: off is never silent.</summary>
    private Fingerprint WithJailHealth(Fingerprint fingerprint)
    {
        if (fingerprint.Health != DriverHealth.Healthy)
        {
            return fingerprint;
        }
        if (_config.Jail && (FindOnPath(BwrapName) is null || FindOnPath(SetprivName) is null))
        {
            return fingerprint with { Health = DriverHealth.Unhealthy, Description = MissingJailToolsMessage() };
        }
        var description = fingerprint.Description;
        if (!_config.Jail)
        {
            description += $"; WARNING: {PluginConfigSchema.Jail} = false, QEMU runs as root and sees the host's files";
        }
        if (!_config.Sandbox)
        {
            description += $"; WARNING: {PluginConfigSchema.Sandbox} = false, QEMU runs without its seccomp filter";
        }
        return fingerprint with { Description = description };
    }
}
