using NomadQemu.Core.Config;
using NomadQemu.Core.Firmware;
using NomadQemu.Core.Qemu;
using NomadQemu.Driver.Files;
using NomadQemu.Driver.Node;

namespace NomadQemu.Driver;

public sealed partial class QemuDriver
{
    /// <summary>The task's UEFI variable store: copied from the template at start, handed to QEMU at reserved descriptors.</summary>
    internal sealed record UefiVarsPlan(string TemplatePath, int Fd, int ReadOnlyFd);

    /// <summary>
    /// For <c>firmware = "uefi"</c>: picks the host's build (from its firmware descriptors) and reserves the
    /// variable store's descriptors. Refuses clearly when this node has no build that fits.
    /// </summary>
    private (UefiFlash? Flash, UefiVarsPlan? Vars) PlanUefi(TaskConfig config, string arch, PassedFds fds)
    {
        if (config.Firmware != Firmware.Uefi)
        {
            return (null, null);
        }
        var machine = config.EffectiveMachineType;
        var descriptors = FirmwareDiscovery.Load(_options.FirmwareDirectories);
        var chosen = FirmwareSelector.Select(descriptors, arch, machine, config.SecureBoot);
        if (chosen is null)
        {
            throw config.SecureBoot
                ? ConfigException.ForKey(
                    TaskConfigSchema.SecureBoot,
                    $"true, but this node's OVMF has no build that enforces Secure Boot (enrolled keys) for {arch} machine \"{machine}\"; constrain the job to nodes with driver.qemu.firmware.uefi_secure_boot = true"
                )
                : ConfigException.ForKey(
                    TaskConfigSchema.Firmware,
                    $"\"uefi\", but this node has no UEFI firmware for {arch} machine \"{machine}\" (install OVMF: Debian package ovmf); constrain the job to nodes with driver.qemu.firmware.uefi = true"
                );
        }
        // QEMU opens a writable flash read-only first, and picks an fd set member by access mode.
        var vars = new UefiVarsPlan(chosen.VarsTemplatePath, fds.Reserve(), fds.Reserve());
        var set = fds.NewSet(vars.Fd, vars.ReadOnlyFd);
        return (new UefiFlash(chosen.CodePath, set, config.SecureBoot), vars);
    }

    /// <summary>Opens (on the first start: creates) the task's variable store and fills its reserved descriptors.</summary>
    private static void PrepareUefiVars(LaunchPlan plan, string taskDir)
    {
        if (plan.UefiVars is not { } vars)
        {
            return;
        }
        try
        {
            var store = UefiVarsStore.OpenOrCreate(taskDir, vars.TemplatePath);
            plan.Fds.Fill(vars.ReadOnlyFd, store.ReopenReadOnly());
            plan.Fds.Fill(vars.Fd, store.Handle);
        }
        catch (ConfigException e)
        {
            throw new DriverException(DriverErrorKind.InvalidConfig, e.Message, e);
        }
    }
}
