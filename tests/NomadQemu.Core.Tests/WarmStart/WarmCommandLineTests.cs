using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;
using NomadQemu.Core.WarmStart;

namespace NomadQemu.Core.Tests.WarmStart;

/// <summary>What a template VM and a clone add to the cold command line.</summary>
public sealed class WarmCommandLineTests
{
    private static readonly QemuLaunchSpec s_base = new()
    {
        Config = new TaskConfig { ImagePath = "local/disk.img", Profile = GuestProfile.Fast },
        EmulatorPath = "/usr/bin/qemu-system-x86_64",
        Accelerator = "tcg",
        TaskName = "web",
        MemoryMb = 256,
        Vcpus = 1,
        Drive = new DriveSpec(new DiskLayer("raw", 1)),
        QmpSocketPath = "/a/web/qmp.sock",
    };

    private static List<string> Args(QemuLaunchSpec spec) => [.. QemuCommandLineBuilder.Build(spec).Arguments];

    private static List<string> Values(List<string> args, string flag) =>
        [.. args.Select((a, i) => (a, i)).Where(p => p.a == flag).Select(p => args[p.i + 1])];

    [Fact]
    public void Cold_HasNoneOfIt()
    {
        var args = Args(s_base);

        Assert.Equal("type=q35,accel=tcg", Values(args, "-machine")[0]);
        Assert.Empty(Values(args, "-object"));
        Assert.Empty(Values(args, "-incoming"));
        Assert.DoesNotContain("vmgenid,guid=auto", args);
    }

    [Fact]
    public void Template_SharedRamInTheMemfd_VersionedMachine_NoIncoming()
    {
        var args = Args(s_base with { Warm = new WarmLaunch("pc-q35-7.2", "/proc/self/fd/7", true, null) });

        Assert.Equal("type=pc-q35-7.2,accel=tcg,memory-backend=warm.ram", Values(args, "-machine")[0]);
        Assert.Equal(
            ["memory-backend-file,id=warm.ram,size=256M,mem-path=/proc/self/fd/7,share=on"],
            Values(args, "-object")
        );
        Assert.Empty(Values(args, "-global"));
        Assert.Contains("vmgenid,guid=auto", Values(args, "-device"));
        Assert.Empty(Values(args, "-incoming"));
        Assert.Equal("256M", Values(args, "-m")[0]);
    }

    [Fact]
    public void Clone_PrivateRam_StateFromTheInheritedFd()
    {
        var args = Args(s_base with { Warm = new WarmLaunch("pc-q35-7.2", "/proc/self/fd/8", false, 9) });

        Assert.EndsWith("mem-path=/proc/self/fd/8,share=off", Values(args, "-object")[0], StringComparison.Ordinal);
        Assert.Equal(["defer"], Values(args, "-incoming"));
    }

    // The template VM's overlay runs without image locking (cont after the save must reactivate it), and only it.
    [Fact]
    public void LockingOff_OnlyOnTheLayerThatAsksForIt()
    {
        var top = new DiskLayer("qcow2", 2, new DiskLayer("raw", 1)) { FileLocking = false };
        var args = Args(s_base with { Drive = new DriveSpec(top) });

        var drive = Values(args, "-drive")[0];
        Assert.Contains(
            "\"file\":{\"driver\":\"file\",,\"filename\":\"/dev/fdset/2\",,\"locking\":\"off\"}",
            drive,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "\"file\":{\"driver\":\"file\",,\"filename\":\"/dev/fdset/1\"}",
            drive,
            StringComparison.Ordinal
        );
        Assert.DoesNotContain("locking", Args(s_base).Single(a => a.Contains("fdset")), StringComparison.Ordinal);
    }
}
