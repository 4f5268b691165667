using System.Globalization;
using NomadQemu.Core.Config;
using NomadQemu.Core.Validation.Args;
using NomadQemu.Core.WarmStart;

namespace NomadQemu.Core.Qemu;

/// <summary>
/// Formats a <see cref="QemuLaunchSpec"/> as QEMU arguments. Pure: same spec, same list.
/// Order follows the built-in driver's StartTask (machine, name, memory, drive, console, monitor, guest agent,
/// user args, network, KVM, smp) so user args keep overriding what they overrode before.
/// </summary>
public static class QemuCommandLineBuilder
{
    public const string DriveId = "image0";
    public const string SeedDriveId = "cidata0";
    public const string ScsiControllerId = "scsi0";
    public const string GuestAgentChannel = "org.qemu.guest_agent.0";
    public const string GuestAgentChardevId = "qga0";
    public const string NetdevId = SlirpNetwork.NetdevId;

    /// <summary>QEMU's seccomp filter with every optional deny group on: no obsolete syscalls, no setuid, no exec/fork, no scheduler/affinity changes.</summary>
    public const string SandboxValue = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";

    /// <exception cref="ArgumentException">The spec is inconsistent (guest agent on without a socket path).</exception>
    public static QemuCommandLine Build(QemuLaunchSpec spec)
    {
        var config = spec.Config;
        var fast = config.Profile == GuestProfile.Fast;
        List<string> args = [];
        List<string> warnings = [];

        args.AddRange([
            "-machine",
            $"type={QemuOptionText.Escape(spec.Warm?.Machine ?? config.EffectiveMachineType)},accel={QemuOptionText.Escape(spec.Accelerator)}"
                + (spec.Uefi is { SecureBoot: true } ? ",smm=on" : "")
                + (spec.Warm is null ? "" : $",memory-backend={WarmLaunch.RamBackendId}"),
        ]);
        if (fast)
        {
            // No default NIC, VGA, parallel/serial, CD-ROM or monitor; no host-wide /etc/qemu config.
            args.AddRange(["-nodefaults", "-no-user-config"]);
        }

        args.AddRange(["-name", QemuOptionText.Escape(spec.TaskName)]);
        args.AddRange(["-m", spec.MemoryMb.ToString(CultureInfo.InvariantCulture) + "M"]);
        if (config.CpuModel is not null)
        {
            args.AddRange(["-cpu", config.CpuModel]);
        }
        AddWarm(spec, args);

        foreach (var member in spec.FdSets)
        {
            args.AddRange(["-add-fd", string.Create(CultureInfo.InvariantCulture, $"fd={member.Fd},set={member.Set}")]);
        }
        UefiFlashArgs.Add(spec.Uefi, args);
        args.AddRange(["-drive", DriveValue(spec)]);
        AddSeed(spec, args);
        AddExtraDrives(spec, args);
        AddKernelBoot(spec, args);
        AddConsole(fast, args);
        AddQmp(spec, args);
        AddGuestAgent(spec, args);
        args.AddRange(config.Args);
        AddNetwork(spec, fast, args, warnings);

        if (spec.Accelerator == AcceleratorResolver.Kvm)
        {
            args.Add("-enable-kvm");
        }

        if (spec.Sandbox)
        {
            args.AddRange(["-sandbox", SandboxValue]);
        }

        if (!QemuArgsParser.ContainsOption(config.Args, "-smp"))
        {
            args.AddRange(["-smp", spec.Vcpus.ToString(CultureInfo.InvariantCulture)]);
        }

        return new QemuCommandLine(spec.EmulatorPath, args, warnings);
    }

    /// <summary>
    /// Guest RAM in the driver's memfd (shared for a template, so its pages can be saved from the host; private for
    /// a clone, so writes stay in the clone), vmgenid so a clone's guest knows it was cloned (reseeds its RNG), and for a clone
    /// the saved state on an inherited descriptor (fd: needs no shell, unlike exec:, which the sandbox forbids).
    /// </summary>
    private static void AddWarm(QemuLaunchSpec spec, List<string> args)
    {
        if (spec.Warm is not { } warm)
        {
            return;
        }
        var size = spec.MemoryMb.ToString(CultureInfo.InvariantCulture) + "M";
        args.AddRange([
            "-object",
            $"memory-backend-file,id={WarmLaunch.RamBackendId},size={size},mem-path={QemuOptionText.Escape(warm.RamPath)},share={(warm.RamShared ? "on" : "off")}",
        ]);
        args.AddRange(["-device", "vmgenid,guid=auto"]);
        if (warm.IncomingFd is not null)
        {
            // QEMU 7.2 has no -global for migration capabilities: the driver sets x-ignore-shared over QMP, then
            // starts loading (migrate-incoming fd:N).
            args.AddRange(["-incoming", "defer"]);
        }
    }

    private static string DriveValue(QemuLaunchSpec spec)
    {
        // virtio-blk has no CD-ROM media: an ISO goes on IDE (AHCI on q35) unless the job chose a bus.
        var cdrom = spec.Drive.Media == DriveMedia.Cdrom;
        var driveInterface = cdrom && spec.Config.DriveInterface is null ? "ide" : spec.Config.EffectiveDriveInterface;
        // The format of every layer is inside the json: (never probed), so no format= here.
        var value =
            $"file={QemuOptionText.Escape("json:" + DiskLayerJson.Write(spec.Drive.Top))},if={driveInterface},id={DriveId}";
        return cdrom ? value + ",media=cdrom" : value;
    }

    /// <summary>
    /// The seed goes on the bus the boot disk uses, so a guest that can read its boot disk has the driver for it:
    /// a read-only virtio disk next to a virtio boot disk (q35 has no IDE, and its AHCI is often not in cloud
    /// kernels), a CD-ROM on IDE otherwise (what Windows' cloudbase-init and every firmware read).
    /// </summary>
    private static void AddSeed(QemuLaunchSpec spec, List<string> args)
    {
        if (spec.SeedDrive is not { } seed)
        {
            return;
        }
        var file = $"file={QemuOptionText.Escape("json:" + DiskLayerJson.Write(seed.Top))}";
        args.AddRange([
            "-drive",
            spec.Config.EffectiveDriveInterface == "virtio"
                ? $"{file},if=virtio,readonly=on,id={SeedDriveId}"
                : $"{file},if=ide,media=cdrom,readonly=on,id={SeedDriveId}",
        ]);
    }

    /// <summary>
    /// Each extra disk is a backend (<c>-drive if=none</c>) plus a device, so serial and boot order are set on the
    /// device where QEMU reads them. Ids are <c>disk0..</c> in block order; SCSI disks share one virtio-scsi controller.
    /// </summary>
    private static void AddExtraDrives(QemuLaunchSpec spec, List<string> args)
    {
        if (spec.ExtraDrives.Any(d => d.Interface == DiskInterface.Scsi))
        {
            args.AddRange(["-device", $"virtio-scsi-pci,id={ScsiControllerId}"]);
        }
        for (var i = 0; i < spec.ExtraDrives.Count; i++)
        {
            var (disk, bus, top) = spec.ExtraDrives[i];
            var id = string.Create(CultureInfo.InvariantCulture, $"disk{i}");
            List<string> drive =
            [
                $"file={QemuOptionText.Escape("json:" + DiskLayerJson.Write(top))}",
                "if=none",
                $"id={id}",
            ];
            if (disk.ReadOnly)
            {
                drive.Add("readonly=on");
            }
            if (disk.Cache is not null)
            {
                drive.Add($"cache={disk.Cache}");
            }
            if (disk.Discard is not null)
            {
                drive.Add($"discard={disk.Discard}");
            }
            List<string> device =
            [
                bus switch
                {
                    DiskInterface.Ide => "ide-hd",
                    DiskInterface.Scsi => $"scsi-hd,bus={ScsiControllerId}.0",
                    _ => "virtio-blk-pci",
                },
                $"drive={id}",
            ];
            if (disk.Serial is not null)
            {
                device.Add($"serial={disk.Serial}");
            }
            if (disk.BootIndex is { } bootIndex)
            {
                device.Add(string.Create(CultureInfo.InvariantCulture, $"bootindex={bootIndex}"));
            }
            args.AddRange(["-drive", string.Join(",", drive), "-device", string.Join(",", device)]);
        }
    }

    private static void AddKernelBoot(QemuLaunchSpec spec, List<string> args)
    {
        if (spec.KernelPath is null)
        {
            return;
        }

        // -kernel/-initrd/-append take plain values, not option strings: no comma escaping.
        args.AddRange(["-kernel", spec.KernelPath]);
        if (spec.InitrdPath is not null)
        {
            args.AddRange(["-initrd", spec.InitrdPath]);
        }

        if (spec.Config.KernelArgs is not null)
        {
            args.AddRange(["-append", spec.Config.KernelArgs]);
        }
    }

    private static void AddConsole(bool fast, List<string> args)
    {
        // The built-in used -nographic, which muxes the HMP monitor into the console (a guest could type into it).
        // Serial on stdio keeps console output in `nomad alloc logs`; control goes through QMP only.
        args.AddRange(["-display", "none", "-serial", "stdio"]);
        if (!fast)
        {
            args.AddRange(["-monitor", "none"]); // -nodefaults already removes the default monitor
        }
    }

    private static void AddQmp(QemuLaunchSpec spec, List<string> args)
    {
        if (spec.QmpSocketFd is { } fd)
        {
            // An inherited, already listening socket: QEMU needs no writable path on the host.
            args.AddRange([
                "-chardev",
                $"socket,id=qmp0,fd={fd.ToString(CultureInfo.InvariantCulture)},server=on,wait=off",
            ]);
            args.AddRange(["-mon", "chardev=qmp0,mode=control"]);
            return;
        }
        args.AddRange(["-qmp", $"unix:{QemuOptionText.Escape(spec.QmpSocketPath)},server=on,wait=off"]);
    }

    private static void AddGuestAgent(QemuLaunchSpec spec, List<string> args)
    {
        if (!spec.Config.GuestAgent)
        {
            return;
        }

        var socket =
            spec.GuestAgentSocketPath
            ?? throw new ArgumentException(
                "guest_agent is enabled but no guest agent socket path was given",
                nameof(spec)
            );
        var endpoint = spec.GuestAgentSocketFd is { } fd
            ? $"fd={fd.ToString(CultureInfo.InvariantCulture)}"
            : $"path={QemuOptionText.Escape(socket)}";
        args.AddRange(["-chardev", $"socket,{endpoint},server=on,wait=off,id={GuestAgentChardevId}"]);
        args.AddRange(["-device", "virtio-serial"]);
        args.AddRange(["-device", $"virtserialport,chardev={GuestAgentChardevId},name={GuestAgentChannel}"]);
    }

    private static void AddNetwork(QemuLaunchSpec spec, bool fast, List<string> args, List<string> warnings)
    {
        var hasDns = spec.Dns is { } dns && (dns.Servers.Count > 0 || dns.Searches.Count > 0);

        // compat: like the built-in, no -netdev without forwards or DNS, so QEMU adds its default NIC.
        // fast: -nodefaults removed that NIC, so the user network is always added.
        if (spec.PortForwards.Count == 0 && !hasDns && !fast && spec.NicMacAddress is null)
        {
            return;
        }

        args.AddRange(["-netdev", SlirpNetwork.NetdevValue(spec.PortForwards, spec.Dns, warnings)]);
        var mac = spec.NicMacAddress is { } address ? $",mac={QemuOptionText.Escape(address)}" : "";
        args.AddRange(["-device", $"{(fast ? "virtio-net-pci" : "virtio-net")},netdev={SlirpNetwork.NetdevId}{mac}"]);
    }
}
