using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;
using NomadQemu.TestKit;

namespace NomadQemu.Micro;

/// <summary>
/// The inputs every micro benchmark shares: a realistic job's config block encoded the way Nomad's client
/// encodes it (every schema key present, keys sorted, absent keys nil), and the launch spec built from it.
/// </summary>
public static class MicroInputs
{
    /// <summary>A fast-profile VM with two ports, direct kernel boot and a few extra QEMU args.</summary>
    public static byte[] RealisticDriverConfig() =>
        VmTask.DriverConfig(
            ("image_path", "local/debian-12-genericcloud-amd64.qcow2"),
            ("profile", "fast"),
            (
                "port_map",
                new[]
                {
                    new Dictionary<string, object?> { ["http"] = 80, ["ssh"] = 22 },
                }
            ),
            ("args", new[] { "-device", "virtio-rng-pci", "-smp", "2", "-cpu", "max" }),
            ("kernel", "local/vmlinuz"),
            ("initrd", "local/initrd.gz"),
            ("kernel_args", "console=ttyS0 root=/dev/vda1 quiet"),
            ("vcpus", 2)
        );

    public static QemuLaunchSpec LaunchSpec(TaskConfig config) =>
        new()
        {
            Config = config,
            EmulatorPath = "/usr/bin/qemu-system-x86_64",
            Accelerator = "tcg",
            TaskName = "web",
            MemoryMb = 512,
            Vcpus = 2,
            Drive = new DriveSpec(new DiskLayer("qcow2", 2, new DiskLayer("qcow2", 1))),
            QmpSocketPath = "/var/lib/nomad/alloc/0b3c6d0e-2f7a-4c8e-9d21-5b1f0e6a7c44/web/.qemu/qmp.sock",
            PortForwards =
            [
                new PortForward("http", "10.0.0.5", 24501, 80),
                new PortForward("ssh", "10.0.0.5", 24502, 22),
            ],
            KernelPath = "/var/lib/nomad/alloc/0b3c6d0e-2f7a-4c8e-9d21-5b1f0e6a7c44/web/local/vmlinuz",
            InitrdPath = "/var/lib/nomad/alloc/0b3c6d0e-2f7a-4c8e-9d21-5b1f0e6a7c44/web/local/initrd.gz",
        };
}
