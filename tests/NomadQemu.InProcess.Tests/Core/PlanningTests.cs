using NomadQemu.Core.Config;
using NomadQemu.Driver;
using NomadQemu.Driver.Node;
using NomadQemu.InProcess.Tests.Support;
using NomadQemu.TestKit;

namespace NomadQemu.InProcess.Tests.Core;

/// <summary>Planning and refusals before anything runs: each names the key, the value and the rule.</summary>
public sealed class PlanningTests : IDisposable
{
    private readonly FakeNode _node = new();
    private readonly FakeTask _task = new();

    [Fact]
    public async Task Validate_DefaultJob_PlansTcgOnTheFakeNode()
    {
        await using var driver = _node.NewDriver();

        var plan = await driver.ValidateAsync(_task.Request(config: ("accelerator", "auto")), Timeouts.Token());

        // KVM is unusable on the fake node (its probe fails), so "auto" falls back to TCG.
        Assert.Equal("tcg", plan.Accelerator);
        Assert.False(Directory.Exists(_task.RunDir), "planning has no side effects");
    }

    [Theory]
    [InlineData("image_path", "local/missing.qcow2", "does not exist")]
    [InlineData("image_path", "../../../etc/passwd", "image_path")]
    [InlineData("emulator", "riscv64", "not installed on this node")]
    [InlineData("drive_interface", "usb", "must be one of")]
    [InlineData("accelerator", "kvm", "KVM is not usable")]
    public async Task StartTask_BadConfig_RefusedByKeyAndNothingCreated(string key, string value, string expected)
    {
        await using var driver = _node.NewDriver();

        var e = await Assert.ThrowsAsync<DriverException>(() =>
            driver.StartTaskAsync(_task.Request(config: (key, value)), Timeouts.Token())
        );

        Assert.Equal(DriverErrorKind.InvalidConfig, e.Kind);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_task.RunDir));
    }

    // What a snapshot cannot clone safely is refused before anything is made, naming the key that conflicts.
    [Fact]
    public async Task StartTask_WarmStartWithDiskInPlace_RefusedNamingTheKeyAndNothingCreated()
    {
        await using var driver = _node.NewDriver();
        var ready = new Dictionary<string, object?>
        {
            ["guest_agent"] = null,
            ["guest_port"] = null,
            ["delay"] = "5s",
        };
        var warm = new Dictionary<string, object?> { ["ready"] = ready, ["timeout"] = null };

        var e = await Assert.ThrowsAsync<DriverException>(() =>
            driver.StartTaskAsync(
                _task.Request(config: [("warm_start", warm), ("disk_mode", "in_place")]),
                Timeouts.Token()
            )
        );

        Assert.Equal(DriverErrorKind.InvalidConfig, e.Kind);
        Assert.Contains(
            "config key \"disk_mode\": cannot be combined with warm_start",
            e.Message,
            StringComparison.Ordinal
        );
        Assert.False(Directory.Exists(_task.RunDir));
    }

    [Fact]
    public async Task SetConfig_EmulatorsAllowlist_TakesEffectOnFingerprintAndStart()
    {
        await using var driver = _node.NewDriver();
        driver.SetConfig(
            PluginConfig.Decode(NomadMsgpack.PluginConfig(emulatorsAllowlist: new[] { "aarch64" }, jail: false)),
            null
        );

        var fingerprint = await driver.FingerprintAsync(Timeouts.Token());
        var e = await Assert.ThrowsAsync<DriverException>(() =>
            driver.StartTaskAsync(_task.Request(), Timeouts.Token())
        );

        Assert.Equal(DriverHealth.Undetected, fingerprint.Health);
        Assert.Contains("aarch64", fingerprint.Description, StringComparison.Ordinal);
        Assert.Equal(DriverErrorKind.InvalidConfig, e.Kind);
        Assert.Contains("emulators_allowlist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetConfig_ArgsAllowlist_TakesEffectOnStart()
    {
        await using var driver = _node.NewDriver();
        var snapshot = _task.Request(config: ("args", new[] { "-snapshot" }));
        var noReboot = _task.Request(config: ("args", new[] { "-no-reboot" }));
        await driver.ValidateAsync(snapshot, Timeouts.Token());

        driver.SetConfig(
            PluginConfig.Decode(NomadMsgpack.PluginConfig(argsAllowlist: new[] { "-no-reboot" }, jail: false)),
            null
        );
        var refused = await Assert.ThrowsAsync<DriverException>(() => driver.ValidateAsync(snapshot, Timeouts.Token()));
        await driver.StartTaskAsync(noReboot, Timeouts.Token());

        Assert.Equal(DriverErrorKind.InvalidConfig, refused.Kind);
        Assert.Contains("-snapshot", refused.Message, StringComparison.Ordinal);
        var console = await LifecycleTests.EventuallyAsync(
            () => _task.Stdout,
            s => s.Contains("argv", StringComparison.Ordinal)
        );
        Assert.Contains("-no-reboot", console, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fingerprint_FakeNode_HealthyWithTheFakesVersionAndNoKvm()
    {
        await using var driver = _node.NewDriver();

        var fingerprint = await driver.FingerprintAsync(Timeouts.Token());

        Assert.Equal(DriverHealth.Healthy, fingerprint.Health);
        Assert.Equal("9.2.0", fingerprint.Attributes["driver.qemu.version"].ToString());
        // The fake is first on the node's PATH, so it is the x86_64 emulator (other real ones may follow it).
        Assert.Contains("x86_64", fingerprint.Attributes["driver.qemu.emulators"].ToString().Split(','));
        Assert.Equal("tcg", fingerprint.Attributes["driver.qemu.accelerators"].ToString());
    }

    public void Dispose()
    {
        _task.Dispose();
        _node.Dispose();
    }
}
