using NomadQemu.Core.Config;
using NomadQemu.Core.Firmware;
using NomadQemu.Core.Validation.Args;

namespace NomadQemu.Core.Validation;

/// <summary>
/// Combinations of <c>firmware</c>, <c>secure_boot</c> and the machine that cannot work, refused before anything
/// starts: UEFI is mapped as two pflash units on the PC machines only, and Secure Boot needs SMM, which OVMF
/// only supports on q35.
/// </summary>
public static class FirmwareGuard
{
    /// <exception cref="ConfigException">An incompatible combination; names the key, the value and the rule.</exception>
    public static void Check(TaskConfig config)
    {
        var machine = config.EffectiveMachineType;
        if (config.SecureBoot && config.Firmware != Config.Firmware.Uefi)
        {
            throw ConfigException.ForKey(
                TaskConfigSchema.SecureBoot,
                "true needs firmware = \"uefi\" (SeaBIOS has no Secure Boot)"
            );
        }
        if (config.Firmware != Config.Firmware.Uefi)
        {
            return;
        }
        var family = MachineFamilies.Of(machine);
        if (family == MachineFamily.Other)
        {
            throw ConfigException.ForKey(
                TaskConfigSchema.MachineType,
                $"\"{machine}\" cannot boot firmware = \"uefi\": UEFI is offered on the PC machines only (q35, pc, pc-q35-*, pc-i440fx-*)"
            );
        }
        if (config.SecureBoot && family != MachineFamily.Q35)
        {
            throw ConfigException.ForKey(
                TaskConfigSchema.MachineType,
                $"\"{machine}\" cannot use secure_boot = true: Secure Boot needs SMM, which OVMF supports on q35 only (machine_type = \"q35\" or profile = \"fast\")"
            );
        }
        if (config.EffectiveDriveInterface == "pflash")
        {
            throw ConfigException.ForKey(
                TaskConfigSchema.DriveInterface,
                "\"pflash\" cannot be used with firmware = \"uefi\": the firmware's code and variables occupy the pflash units"
            );
        }
        foreach (var option in s_firmwareOptions)
        {
            if (QemuArgsParser.ContainsOption(config.Args, option))
            {
                throw ConfigException.ForKey(
                    TaskConfigSchema.Args,
                    $"{option} cannot be combined with firmware = \"uefi\": the driver maps the firmware itself"
                );
            }
        }
    }

    private static readonly string[] s_firmwareOptions = ["-bios", "-pflash"];
}
