using NomadQemu.Core.Config;
using NomadQemu.Core.Validation;

namespace NomadQemu.Core.Tests.Validation;

public sealed class EmulatorGuardTests
{
    [Theory]
    [InlineData(null, new string[0], "x86_64")]
    [InlineData("", new[] { "x86_64" }, "x86_64")] // built-in bug: the omitted emulator was checked before defaulting
    [InlineData("qemu-system-aarch64", new[] { "aarch64" }, "aarch64")] // built-in bug: checked before trimming
    [InlineData("aarch64", new[] { "qemu-system-aarch64" }, "aarch64")] // operator wrote the binary name
    [InlineData(" riscv64 ", new string[0], "riscv64")]
    public void Check_Allowed_ReturnsArch(string? emulator, string[] allowlist, string expected)
    {
        Assert.Equal(expected, EmulatorGuard.Check(emulator, allowlist));
    }

    [Theory]
    [InlineData(
        "aarch64",
        new[] { "x86_64", "riscv64" },
        "config key \"emulator\": \"aarch64\" is not in the plugin's emulators_allowlist; allowed: x86_64, riscv64"
    )]
    [InlineData(
        null,
        new[] { "aarch64" },
        "config key \"emulator\": \"x86_64\" is not in the plugin's emulators_allowlist; allowed: aarch64"
    )]
    [InlineData(
        "../../bin/sh",
        new string[0],
        "config key \"emulator\": \"../../bin/sh\" is not an emulator arch name such as x86_64 or aarch64"
    )]
    [InlineData(
        "x86_64 -evil",
        new string[0],
        "config key \"emulator\": \"x86_64 -evil\" is not an emulator arch name such as x86_64 or aarch64"
    )]
    public void Check_Refused_ListsAllowed(string? emulator, string[] allowlist, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => EmulatorGuard.Check(emulator, allowlist));

        Assert.Equal(expected, ex.Message);
    }

    [Fact]
    public void BinaryName_PrefixesArch()
    {
        Assert.Equal("qemu-system-aarch64", EmulatorGuard.BinaryName("aarch64"));
    }
}

public sealed class DriveInterfaceGuardTests
{
    [Theory]
    [InlineData("ide")]
    [InlineData("scsi")]
    [InlineData("sd")]
    [InlineData("mtd")]
    [InlineData("floppy")]
    [InlineData("pflash")]
    [InlineData("virtio")]
    [InlineData("none")]
    public void Check_Known_Passes(string value) => DriveInterfaceGuard.Check(value);

    [Theory]
    [InlineData("nvme")]
    [InlineData("IDE")]
    [InlineData("")]
    public void Check_Unknown_Throws(string value)
    {
        var ex = Assert.Throws<ConfigException>(() => DriveInterfaceGuard.Check(value));

        Assert.Equal("drive_interface", ex.Key);
        Assert.Contains($"got \"{value}\"", ex.Message);
    }
}

public sealed class MemoryGuardTests
{
    [Theory]
    [InlineData(128)]
    [InlineData(2048)]
    [InlineData(4_000_000)]
    public void Check_InRange_Passes(long mb) => MemoryGuard.Check(mb);

    [Theory]
    [InlineData(0)]
    [InlineData(127)]
    [InlineData(4_000_001)]
    [InlineData(-5)]
    public void Check_OutOfRange_SaysValueAndBounds(long mb)
    {
        var ex = Assert.Throws<ConfigException>(() => MemoryGuard.Check(mb));

        Assert.Equal($"resources.memory = {mb} MB is outside what a QEMU task allows: 128..4000000 MB", ex.Message);
    }
}

public sealed class UnixSocketPathGuardTests
{
    [Theory]
    [InlineData(106, true)]
    [InlineData(107, true)]
    [InlineData(108, false)] // sun_path is 108 bytes: no room left for the terminating NUL
    public void Check_ByLength(int length, bool ok)
    {
        var path = "/" + new string('s', length - 1);

        var ex = Record.Exception(() => UnixSocketPathGuard.Check(path));

        Assert.Equal(ok, ex is null);
        Assert.Equal(ok, UnixSocketPathGuard.Fits(path));
    }

    [Fact]
    public void Check_MultiByteCharacters_CountBytes()
    {
        // 54 two-byte characters: 54 chars but 108 bytes.
        var path = "/" + new string('é', 53) + "x";

        var ex = Assert.Throws<ConfigException>(() => UnixSocketPathGuard.Check(path));

        Assert.Contains("is 108 bytes; at most 107 fit", ex.Message);
        Assert.Contains("Shorten the Nomad client's data_dir or the task name", ex.Message);
        Assert.Contains(path, ex.Message);
    }
}
