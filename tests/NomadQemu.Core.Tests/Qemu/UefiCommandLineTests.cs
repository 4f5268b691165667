using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;

namespace NomadQemu.Core.Tests.Qemu;

public sealed class UefiCommandLineTests
{
    private static readonly QemuLaunchSpec s_spec = new()
    {
        Config = new TaskConfig
        {
            ImagePath = "local/disk.img",
            Firmware = NomadQemu.Core.Config.Firmware.Uefi,
            Profile = GuestProfile.Fast,
        },
        EmulatorPath = "/usr/bin/qemu-system-x86_64",
        Accelerator = "tcg",
        TaskName = "web",
        MemoryMb = 512,
        Vcpus = 1,
        Drive = new DriveSpec(new DiskLayer("raw", 1)),
        QmpSocketPath = "/a/web/qmp.sock",
        Uefi = new UefiFlash("/usr/share/OVMF/OVMF_CODE_4M.fd", 3, SecureBoot: false),
    };

    private static int IndexOfPair(IReadOnlyList<string> args, string option, string value) =>
        Enumerable.Range(0, args.Count - 1).FirstOrDefault(i => args[i] == option && args[i + 1] == value, -1);

    [Fact]
    public void Uefi_MapsHostCodeReadOnlyAsUnit0AndTaskVarsThroughItsFdSetAsUnit1()
    {
        var args = QemuCommandLineBuilder.Build(s_spec).Arguments;

        var code = IndexOfPair(
            args,
            "-drive",
            "if=pflash,unit=0,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd"
        );
        var vars = IndexOfPair(args, "-drive", "if=pflash,unit=1,format=raw,file=/dev/fdset/3");
        Assert.True(code >= 0, string.Join(' ', args));
        Assert.True(vars > code, string.Join(' ', args));
        Assert.Contains("type=q35,accel=tcg", args);
        Assert.DoesNotContain(args, a => a.Contains("smm", StringComparison.Ordinal));
        Assert.DoesNotContain("-global", args);
    }

    [Fact]
    public void SecureBoot_TurnsOnSmmAndLocksTheVarsFlashToSmm()
    {
        var args = QemuCommandLineBuilder
            .Build(s_spec with { Uefi = s_spec.Uefi! with { SecureBoot = true } })
            .Arguments;

        Assert.Contains("type=q35,accel=tcg,smm=on", args);
        Assert.True(IndexOfPair(args, "-global", "driver=cfi.pflash01,property=secure,value=on") >= 0);
    }

    [Fact]
    public void CommaInCodePath_IsEscapedSoItCannotAddASubOption()
    {
        var args = QemuCommandLineBuilder
            .Build(s_spec with { Uefi = s_spec.Uefi! with { CodePath = "/fw/x,readonly=off.fd" } })
            .Arguments;

        Assert.Contains("if=pflash,unit=0,format=raw,readonly=on,file=/fw/x,,readonly=off.fd", args);
    }

    [Fact]
    public void Bios_MapsNoFlash()
    {
        var args = QemuCommandLineBuilder.Build(s_spec with { Uefi = null }).Arguments;

        Assert.DoesNotContain(args, a => a.Contains("pflash", StringComparison.Ordinal));
    }
}
