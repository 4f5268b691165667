using NomadQemu.Core.Config;
using NomadQemu.Core.Cty;
using static NomadQemu.Core.Tests.Config.ConfigTestData;

namespace NomadQemu.Core.Tests.Config;

public sealed class TaskConfigDecodeTests
{
    [Fact]
    public void Decode_OnlyImagePath_AppliesEveryDefault()
    {
        var config = TaskConfig.Decode(Encode(Task()));

        Assert.Equal("local/disk.img", config.ImagePath);
        Assert.Equal("x86_64", config.Emulator);
        Assert.Null(config.MachineType);
        Assert.Equal("pc", config.EffectiveMachineType);
        Assert.Equal("auto", config.Accelerator);
        Assert.Null(config.DriveInterface);
        Assert.Equal("ide", config.EffectiveDriveInterface);
        Assert.True(config.GracefulShutdown);
        Assert.False(config.GuestAgent);
        Assert.Empty(config.PortMap);
        Assert.Empty(config.Args);
        Assert.Equal(DiskMode.Overlay, config.DiskMode);
        Assert.Null(config.ImageFormat);
        Assert.Equal(GuestProfile.Compat, config.Profile);
        Assert.Null(config.Kernel);
        Assert.Null(config.Initrd);
        Assert.Null(config.KernelArgs);
        Assert.Null(config.CpuModel);
        Assert.Null(config.Vcpus);
        Assert.Empty(config.UnknownKeys);
    }

    [Fact]
    public void Decode_EveryKeyNil_AppliesDefaultsLikeTheLiterals()
    {
        // Older clients and RecoverTask can send nil where Nomad would have sent the Default literal.
        var allNil = TaskConfigSchema.Spec.Attributes.Keys.ToDictionary(k => k, _ => (object?)null);
        allNil["image_path"] = "a.img";
        var literals = Task(
            ("emulator", "x86_64"),
            ("accelerator", "auto"),
            ("graceful_shutdown", true),
            ("guest_agent", false),
            ("disk_mode", "overlay"),
            ("profile", "compat")
        );
        literals["image_path"] = "a.img";

        var fromNil = TaskConfig.Decode(Encode(allNil));
        var fromLiterals = TaskConfig.Decode(Encode(literals));

        Assert.Equal(Describe(fromLiterals), Describe(fromNil));
        Assert.Equal(Describe(new TaskConfig { ImagePath = "a.img" }), Describe(fromNil));
    }

    [Fact]
    public void Decode_FullConfig_ReadsEveryKey()
    {
        var bytes = Encode(
            Task(
                ("emulator", "qemu-system-aarch64"),
                ("machine_type", "virt"),
                ("accelerator", "kvm"),
                ("drive_interface", "virtio"),
                ("graceful_shutdown", false),
                ("guest_agent", true),
                (
                    "port_map",
                    new object[]
                    {
                        new Dictionary<string, object?> { ["http"] = 80 },
                        new Dictionary<string, object?> { ["ssh"] = 22 },
                    }
                ),
                ("args", new[] { "-smp", "2" }),
                ("disk_mode", "in_place"),
                ("image_format", "raw"),
                ("profile", "fast"),
                ("kernel", "local/vmlinuz"),
                ("initrd", "local/initrd"),
                ("kernel_args", "console=ttyS0"),
                ("cpu_model", "host"),
                ("vcpus", 4)
            )
        );

        var config = TaskConfig.Decode(bytes);

        Assert.Equal("qemu-system-aarch64", config.Emulator);
        Assert.Equal("virt", config.EffectiveMachineType);
        Assert.Equal("kvm", config.Accelerator);
        Assert.Equal("virtio", config.EffectiveDriveInterface);
        Assert.False(config.GracefulShutdown);
        Assert.True(config.GuestAgent);
        Assert.Equal(new Dictionary<string, int> { ["http"] = 80, ["ssh"] = 22 }, config.PortMap);
        Assert.Equal(["-smp", "2"], config.Args);
        Assert.Equal(DiskMode.InPlace, config.DiskMode);
        Assert.Equal(ImageFormat.Raw, config.ImageFormat);
        Assert.Equal(GuestProfile.Fast, config.Profile);
        Assert.Equal(
            ("local/vmlinuz", "local/initrd", "console=ttyS0"),
            (config.Kernel, config.Initrd, config.KernelArgs)
        );
        Assert.Equal("host", config.CpuModel);
        Assert.Equal(4, config.Vcpus);
    }

    [Fact]
    public void Decode_FastProfileWithoutOverrides_UsesFastDefaults()
    {
        var config = TaskConfig.Decode(Encode(Task(("profile", "fast"))));

        Assert.Equal("q35", config.EffectiveMachineType);
        Assert.Equal("virtio", config.EffectiveDriveInterface);
    }

    [Theory]
    [InlineData("vcpus", "8", 8)]
    [InlineData("vcpus", "1e1", 10)]
    public void Decode_NumberSentAsDecimalString_IsAccepted(string key, string text, int expected)
    {
        var config = TaskConfig.Decode(Encode(Task((key, text))));

        Assert.Equal(expected, config.Vcpus);
    }

    [Fact]
    public void Decode_PortMapNumbersAsStringsAndWideInts_AreAccepted()
    {
        var bytes = Encode(
            Task(
                (
                    "port_map",
                    new object[]
                    {
                        new Dictionary<string, object?> { ["http"] = "8080", ["dns"] = 53UL },
                    }
                )
            )
        );

        var config = TaskConfig.Decode(bytes);

        Assert.Equal(8080, config.PortMap["http"]);
        Assert.Equal(53, config.PortMap["dns"]);
    }

    public static TheoryData<string, object?, string> BadValues =>
        new()
        {
            { "accelerator", new[] { "kvm" }, "config key \"accelerator\": expected a string, got a list" },
            { "graceful_shutdown", "yes", "config key \"graceful_shutdown\": expected a bool, got a string (\"yes\")" },
            {
                "port_map",
                new object[] { new Dictionary<string, object?> { ["http"] = 70000 } },
                "config key \"port_map\": guest port for label \"http\" must be 1..65535, got 70000"
            },
            {
                "port_map",
                new object[] { new Dictionary<string, object?> { ["http"] = 0 } },
                "config key \"port_map\": guest port for label \"http\" must be 1..65535, got 0"
            },
            {
                "port_map",
                new object[] { new Dictionary<string, object?> { ["http"] = 80.5 } },
                "config key \"port_map\": guest port for label \"http\" must be 1..65535, got 80.5"
            },
            {
                "port_map",
                new object[]
                {
                    new Dictionary<string, object?> { ["a"] = 80 },
                    new Dictionary<string, object?> { ["a"] = 81 },
                },
                "config key \"port_map\": label \"a\" is mapped more than once"
            },
            {
                "port_map",
                "http",
                "config key \"port_map\": expected a list of maps of numbers, got a string (\"http\")"
            },
            {
                "args",
                new object[] { "-m", new[] { "x" } },
                "config key \"args\": element 1: expected a string, got a list"
            },
            { "args", new object?[] { "-m", null }, "config key \"args\": element 1: expected a string, got null" },
            { "vcpus", 0, "config key \"vcpus\": must be a whole number in 1..4096, got 0" },
            { "vcpus", 1.5, "config key \"vcpus\": must be a whole number in 1..4096, got 1.5" },
            { "vcpus", "many", "config key \"vcpus\": expected a number, got a string (\"many\")" },
            { "disk_mode", "cow", "config key \"disk_mode\": must be one of \"overlay\", \"in_place\", got \"cow\"" },
            { "image_format", "vmdk", "config key \"image_format\": must be one of \"qcow2\", \"raw\", got \"vmdk\"" },
            { "profile", "turbo", "config key \"profile\": must be one of \"compat\", \"fast\", got \"turbo\"" },
            {
                "drive_interface",
                "nvme",
                "config key \"drive_interface\": must be one of ide, scsi, sd, mtd, floppy, pflash, virtio, none, got \"nvme\""
            },
            { "image_path", null, "config key \"image_path\" is required" },
            { "image_path", "", "config key \"image_path\" is required" },
        };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Decode_BadValue_NamesKeyAndExpectation(string key, object? value, string expectedMessage)
    {
        var bytes = Encode(Task((key, value)));

        var ex = Assert.Throws<ConfigException>(() => TaskConfig.Decode(bytes));

        Assert.Equal(expectedMessage, ex.Message);
        Assert.Equal(key, ex.Key);
    }

    [Fact]
    public void Decode_EmptyBytes_ReportsMissingImagePath()
    {
        var ex = Assert.Throws<ConfigException>(() => TaskConfig.Decode(ReadOnlyMemory<byte>.Empty));

        Assert.Equal("config key \"image_path\" is required", ex.Message);
    }

    [Fact]
    public void Decode_NotAMap_SaysSo()
    {
        var ex = Assert.Throws<ConfigException>(() => TaskConfig.Decode(Encode(new[] { "x" })));

        Assert.Equal("config must be a map of keys to values, got a list", ex.Message);
    }

    [Fact]
    public void Decode_UnknownKey_IsIgnoredButKept()
    {
        var config = TaskConfig.Decode(Encode(Task(("nic_model", "e1000"))));

        Assert.Equal(new CtyString("e1000"), config.UnknownKeys["nic_model"]);
    }

    private static string Describe(TaskConfig c) =>
        string.Join(
            "|",
            c.ImagePath,
            c.Emulator,
            c.MachineType,
            c.Accelerator,
            c.DriveInterface,
            c.GracefulShutdown,
            c.GuestAgent,
            c.PortMap.Count,
            c.Args.Count,
            c.DiskMode,
            c.ImageFormat,
            c.Profile,
            c.Kernel,
            c.Initrd,
            c.KernelArgs,
            c.CpuModel,
            c.Vcpus
        );
}
