using NomadQemu.Core.Config;

namespace NomadQemu.Core.WarmStart;

/// <summary>
/// Refuses task configs a snapshot cannot clone safely. A clone resumes the template's memory and disk of one
/// moment, so whatever must differ per task (a cloud-init instance-id, a UEFI variable store, a disk written in
/// place) or lives outside QEMU's migration state (vhost-user back ends, passed-through devices) breaks it.
/// </summary>
public static class WarmStartGuard
{
    /// <summary>
    /// Words that name devices or options whose state is not (fully) in the migration stream, or that fight the
    /// driver's own RAM backend and incoming migration. Matched case-insensitively anywhere in an argument:
    /// refusing a harmless mention costs a job author a cold boot, missing one costs a broken clone.
    /// </summary>
    private static readonly string[] s_refusedArgWords =
    [
        "vhost-user",
        "vhost-vdpa",
        "virtiofs",
        "vhost-user-fs",
        "vfio",
        "virtio-mem",
        "virtio-balloon",
        "ivshmem",
        "memory-backend",
        "mem-path",
        "mem-prealloc",
        "-incoming",
        "-loadvm",
        "-numa",
        "x-ignore-shared",
        "vmgenid",
        "usb-host",
        "pci-assign",
    ];

    /// <exception cref="ConfigException">Names the key that cannot be combined with <c>warm_start</c>, and why.</exception>
    public static void Check(TaskConfig config)
    {
        if (config.WarmStart is not { } warm)
        {
            return;
        }
        if (config.CloudInit is not null)
        {
            throw Refuse(
                TaskConfigSchema.CloudInit,
                "a clone resumes a guest that already ran cloud-init with the template's instance-id; provision in the image instead"
            );
        }
        if (config.DiskMode == DiskMode.InPlace)
        {
            throw Refuse(
                TaskConfigSchema.DiskMode,
                "\"in_place\" writes the image itself, which a template's frozen disk must not change; use \"overlay\""
            );
        }
        if (config.Disks.Count > 0)
        {
            throw Refuse(TaskConfigSchema.Disk, "only the boot disk is frozen with a template; extra disks are not");
        }
        if (config.Firmware == Config.Firmware.Uefi)
        {
            throw Refuse(
                TaskConfigSchema.Firmware,
                "\"uefi\" keeps a per-task variable store outside the snapshot; use \"bios\""
            );
        }
        if (warm.Ready.GuestAgent && !config.GuestAgent)
        {
            throw ConfigException.ForKey(
                $"{WarmStartConfig.FullKey(TaskConfigSchema.WarmStartReady)}.{TaskConfigSchema.WarmReadyGuestAgent}",
                "needs guest_agent = true in the task config (the driver pings the agent on its channel)"
            );
        }
        foreach (var arg in config.Args)
        {
            var word = s_refusedArgWords.FirstOrDefault(w => arg.Contains(w, StringComparison.OrdinalIgnoreCase));
            if (word is not null)
            {
                throw Refuse(
                    TaskConfigSchema.Args,
                    $"\"{arg}\" uses {word}, whose state is not in a memory snapshot or conflicts with the driver's template RAM"
                );
            }
        }
    }

    private static ConfigException Refuse(string key, string why) =>
        ConfigException.ForKey(key, $"cannot be combined with {TaskConfigSchema.WarmStart}: {why}");
}
