using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;

namespace NomadQemu.Core.Tests.Qemu;

/// <summary>The cloud-init seed drive, the NIC's MAC and the <c>disk</c> blocks on QEMU's command line.</summary>
public sealed class FirstBootCommandLineTests
{
    private static readonly QemuLaunchSpec s_base = new()
    {
        Config = new TaskConfig { ImagePath = "local/disk.img" },
        EmulatorPath = "/usr/bin/qemu-system-x86_64",
        Accelerator = "tcg",
        TaskName = "web",
        MemoryMb = 512,
        Vcpus = 1,
        Drive = new DriveSpec(new DiskLayer("raw", 1)),
        QmpSocketPath = "/a/web/qmp.sock",
    };

    private const string Raw2 = """json:{"driver":"raw",,"file":{"driver":"file",,"filename":"/dev/fdset/2"}}""";

    private static List<string> Args(QemuLaunchSpec spec) => [.. QemuCommandLineBuilder.Build(spec).Arguments];

    /// <summary>The value after each occurrence of <paramref name="flag"/>.</summary>
    private static List<string> Values(List<string> args, string flag) =>
        [.. args.Select((a, i) => (a, i)).Where(p => p.a == flag).Select(p => args[p.i + 1])];

    [Fact]
    public void Seed_CompatProfile_IsAReadOnlyIdeCdromAfterTheBootDrive()
    {
        var args = Args(s_base with { SeedDrive = new DriveSpec(new DiskLayer("raw", 2)) });

        var drives = Values(args, "-drive");
        Assert.Equal(2, drives.Count);
        Assert.EndsWith("id=image0", drives[0], StringComparison.Ordinal);
        Assert.Equal($"file={Raw2},if=ide,media=cdrom,readonly=on,id=cidata0", drives[1]);
    }

    [Fact]
    public void Seed_VirtioBootDisk_IsAReadOnlyVirtioDisk()
    {
        var args = Args(
            s_base with
            {
                Config = s_base.Config with { Profile = GuestProfile.Fast },
                SeedDrive = new DriveSpec(new DiskLayer("raw", 2)),
            }
        );

        Assert.Equal($"file={Raw2},if=virtio,readonly=on,id=cidata0", Values(args, "-drive")[1]);
    }

    [Fact]
    public void NicMac_CompatWithoutPorts_StillAddsTheUserNetworkWithThatMac()
    {
        var args = Args(s_base with { NicMacAddress = "52:54:00:ab:cd:ef" });

        Assert.Equal(["user,id=user.0"], Values(args, "-netdev"));
        Assert.Equal(["virtio-net,netdev=user.0,mac=52:54:00:ab:cd:ef"], Values(args, "-device"));
    }

    [Fact]
    public void NoMac_CompatWithoutPorts_KeepsQemusDefaultNic()
    {
        Assert.Empty(Values(Args(s_base), "-netdev"));
    }

    [Fact]
    public void ExtraDisks_EachABackendAndADevice_WithEveryOption()
    {
        var image = new DiskConfig
        {
            Name = "disk[0]",
            Source = "local/data.raw",
            Format = ImageFormat.Raw,
            ReadOnly = true,
            Cache = "none",
            Discard = "unmap",
            Serial = "data-1",
            BootIndex = 3,
        };
        var blank = new DiskConfig { Name = "disk[1]", SizeBytes = 1 << 30 };
        var scsi = new DiskConfig { Name = "disk[2]", SizeBytes = 1 << 30 };
        var args = Args(
            s_base with
            {
                ExtraDrives =
                [
                    new ExtraDrive(image, DiskInterface.Virtio, new DiskLayer("raw", 2)),
                    new ExtraDrive(blank, DiskInterface.Ide, new DiskLayer("qcow2", 3)),
                    new ExtraDrive(scsi, DiskInterface.Scsi, new DiskLayer("qcow2", 4)),
                ],
            }
        );

        var drives = Values(args, "-drive");
        Assert.Equal($"file={Raw2},if=none,id=disk0,readonly=on,cache=none,discard=unmap", drives[1]);
        Assert.StartsWith("""file=json:{"driver":"qcow2",,"file":""", drives[2], StringComparison.Ordinal);
        Assert.EndsWith("\"backing\":null},if=none,id=disk1", drives[2], StringComparison.Ordinal);
        Assert.EndsWith(",if=none,id=disk2", drives[3], StringComparison.Ordinal);
        Assert.Equal(
            [
                "virtio-scsi-pci,id=scsi0",
                "virtio-blk-pci,drive=disk0,serial=data-1,bootindex=3",
                "ide-hd,drive=disk1",
                "scsi-hd,bus=scsi0.0,drive=disk2",
            ],
            Values(args, "-device")
        );
    }

    [Fact]
    public void NoExtraDisks_NoScsiController()
    {
        Assert.DoesNotContain("virtio-scsi-pci,id=scsi0", Args(s_base));
    }
}
