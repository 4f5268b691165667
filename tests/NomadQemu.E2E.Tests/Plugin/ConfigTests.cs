using Google.Protobuf;
using Grpc.Core;
using NomadQemu.Protocol.Base;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;
using static NomadQemu.TestKit.NomadMsgpack;

namespace NomadQemu.E2E.Tests.Plugin;

/// <summary>Schemas and SetConfig through the real gRPC boundary, with bytes encoded the way Nomad encodes them.</summary>
public sealed class ConfigTests : IAsyncLifetime
{
    private readonly ShortTempDir _dir = new();
    private PluginProcess _plugin = null!;

    public async ValueTask InitializeAsync() =>
        _plugin = await PluginProcess.StartAsync(_dir.Path, cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _plugin.DisposeAsync();
        _dir.Dispose();
    }

    private Task SetConfig(byte[] bytes, NomadConfig? nomad = null) =>
        _plugin
            .Base.SetConfigAsync(
                new SetConfigRequest
                {
                    MsgpackConfig = ByteString.CopyFrom(bytes),
                    NomadConfig = nomad,
                    PluginApiVersion = "v0.1.0",
                },
                cancellationToken: TestContext.Current.CancellationToken
            )
            .ResponseAsync;

    [Fact(Timeout = 240_000)]
    public async Task ConfigSchema_IsSupersetOfBuiltIn()
    {
        var schema = await _plugin.Base.ConfigSchemaAsync(
            new ConfigSchemaRequest(),
            cancellationToken: TestContext.Current.CancellationToken
        );

        var keys = schema.Spec.Object.Attributes;
        Assert.Equal("list(string)", keys["image_paths"].Attr.Type);
        Assert.Equal("list(string)", keys["args_allowlist"].Attr.Type);
        Assert.Equal("list(string)", keys["emulators_allowlist"].Attr.Type);
    }

    [Fact(Timeout = 240_000)]
    public async Task TaskConfigSchema_KeepsBuiltInKeysAndTypes()
    {
        var schema = await _plugin.Driver.TaskConfigSchemaAsync(
            new TaskConfigSchemaRequest(),
            cancellationToken: TestContext.Current.CancellationToken
        );

        var keys = schema.Spec.Object.Attributes;
        Assert.True(keys["image_path"].Attr.Required);
        Assert.Equal("string", keys["image_path"].Attr.Type);
        Assert.Equal("list(map(number))", keys["port_map"].Attr.Type);
        Assert.Equal("list(string)", keys["args"].Attr.Type);
        foreach (
            var key in new[]
            {
                "emulator",
                "machine_type",
                "accelerator",
                "drive_interface",
                "graceful_shutdown",
                "guest_agent",
            }
        )
        {
            Assert.True(keys.ContainsKey(key), key);
        }
        // A Default's primary carries an explicit name: Nomad gives it no implied one.
        Assert.Equal("accelerator", keys["accelerator"].Default.Primary.Attr.Name);
        Assert.Equal("\"auto\"", keys["accelerator"].Default.Default_.Literal.Value);

        // cloud_init is one block, disk a repeatable one: Nomad's hcldec gives an object and a list of objects.
        var cloudInit = keys["cloud_init"].BlockValue;
        Assert.Equal("cloud_init", cloudInit.Name);
        Assert.Equal("map(string)", cloudInit.Nested.Object.Attributes["meta_data"].Attr.Type);
        var disk = keys["disk"].BlockList;
        Assert.Equal("disk", disk.Name);
        Assert.Equal(16UL, disk.MaxItems);
        Assert.Equal("read_only", disk.Nested.Object.Attributes["read_only"].Default.Primary.Attr.Name);
        Assert.Equal("number", disk.Nested.Object.Attributes["boot_index"].Attr.Type);
    }

    /// <summary>
    /// No config (empty bytes, or every key nil) means the defaults: proved by replacing a restrictive config
    /// first, so a SetConfig that was accepted but ignored would leave the node without its x86_64 emulator.
    /// </summary>
    [Theory(Timeout = 240_000)]
    [InlineData("empty bytes")]
    [InlineData("all nil")]
    public async Task SetConfig_NoConfig_ReplacesEarlierConfigWithDefaults(string form)
    {
        await SetConfig(PluginConfig(emulatorsAllowlist: new[] { "aarch64" }, kvmProbe: false));
        Assert.Equal(FingerprintResponse.Types.HealthState.Undetected, (await FingerprintAsync()).Health);

        await SetConfig(form == "empty bytes" ? [] : PluginConfig(kvmProbe: false));
        var fingerprint = await FingerprintAsync();

        Assert.Equal(FingerprintResponse.Types.HealthState.Healthy, fingerprint.Health);
        Assert.Contains("x86_64", fingerprint.Attributes["driver.qemu.emulators"].StringVal, StringComparison.Ordinal);
    }

    /// <summary>The validation launch (no NomadConfig) still applies image_paths: a path there passes the containment rule.</summary>
    [Fact(Timeout = 240_000)]
    public async Task SetConfig_WithoutNomadConfig_AsInTheValidationLaunch_ImagePathsTakeEffect()
    {
        var outside = "/var/lib/nq-images-" + Guid.NewGuid().ToString("N")[..8] + "/disk.qcow2";
        var before = await Assert.ThrowsAsync<RpcException>(() => StartWith(Object(("image_path", outside))));

        await SetConfig(PluginConfig(imagePaths: new[] { Path.GetDirectoryName(outside)! }), nomad: null);
        var after = await Assert.ThrowsAsync<RpcException>(() => StartWith(Object(("image_path", outside))));

        Assert.Contains("outside the allowed directories", before.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, after.StatusCode);
        Assert.DoesNotContain("outside the allowed directories", after.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("does not exist", after.Status.Detail, StringComparison.Ordinal);
    }

    private async Task<FingerprintResponse> FingerprintAsync()
    {
        using var stream = _plugin.Driver.Fingerprint(
            new FingerprintRequest(),
            cancellationToken: TestContext.Current.CancellationToken
        );
        Assert.True(await stream.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        return stream.ResponseStream.Current;
    }

    [Fact(Timeout = 240_000)]
    public async Task SetConfig_EmulatorsAllowlistFiltersFingerprint()
    {
        await SetConfig(PluginConfig(emulatorsAllowlist: new[] { "qemu-system-x86_64" }, kvmProbe: false));

        using var stream = _plugin.Driver.Fingerprint(
            new FingerprintRequest(),
            cancellationToken: TestContext.Current.CancellationToken
        );
        Assert.True(await stream.ResponseStream.MoveNext(TestContext.Current.CancellationToken));

        Assert.Equal("x86_64", stream.ResponseStream.Current.Attributes["driver.qemu.emulators"].StringVal);
    }

    public static TheoryData<string, byte[]> BadConfigs() =>
        new()
        {
            { "image_paths", PluginConfig(imagePaths: "not-a-list") },
            { "args_allowlist", PluginConfig(argsAllowlist: 42) },
            { "kvm_probe", PluginConfig(kvmProbe: new[] { "x" }) },
            { "emulators_allowlist", PluginConfig(emulatorsAllowlist: new Dictionary<string, object?> { ["a"] = 1 }) },
            { "msgpack", [0x85, 0xa3, 0x66] },
            { "msgpack", [0xc1] },
        };

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(BadConfigs))]
    public async Task SetConfig_BadValue_InvalidArgumentNamingKey_AndPluginStaysUp(string key, byte[] bytes)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => SetConfig(bytes));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(key, error.Status.Detail);
        var info = await _plugin.Base.PluginInfoAsync(
            new PluginInfoRequest(),
            cancellationToken: TestContext.Current.CancellationToken
        );
        Assert.Equal("qemu", info.Name);
    }

    public static TheoryData<string, object> IntegerWidths() =>
        new()
        {
            { "fixint", new Raw([0x01]) },
            { "uint8", new Raw([0xcc, 0x01]) },
            { "uint16", new Raw([0xcd, 0x00, 0x01]) },
            { "uint32", new Raw([0xce, 0x00, 0x00, 0x00, 0x01]) },
            { "uint64", new Raw([0xcf, 0, 0, 0, 0, 0, 0, 0, 0x01]) },
            { "int8", new Raw([0xd0, 0x01]) },
            { "int16", new Raw([0xd1, 0x00, 0x01]) },
            { "int32", new Raw([0xd2, 0x00, 0x00, 0x00, 0x01]) },
            { "int64", new Raw([0xd3, 0, 0, 0, 0, 0, 0, 0, 0x01]) },
            { "float64", 1.0 },
            { "decimal string", new NumberText("1") },
        };

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(IntegerWidths))]
    public async Task StartTask_NumberInAnyWireForm_IsDecoded(string form, object vcpus)
    {
        // vcpus is a number key: a bad decode would fail with InvalidArgument naming "vcpus" before any file check.
        var config = Object(
            ("image_path", "/nonexistent/disk.qcow2"),
            ("vcpus", vcpus),
            ("port_map", null),
            ("args", null)
        );
        var error = await Assert.ThrowsAsync<RpcException>(() => StartWith(config));

        Assert.DoesNotContain("vcpus", error.Status.Detail);
        Assert.Contains("image_path", error.Status.Detail);
        Assert.False(string.IsNullOrEmpty(form));
    }

    [Fact(Timeout = 240_000)]
    public async Task StartTask_BigNumberAsString_RejectedWithKey()
    {
        var config = Object(("image_path", "disk.qcow2"), ("vcpus", new NumberText("100000000000000000000")));
        var error = await Assert.ThrowsAsync<RpcException>(() => StartWith(config));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("vcpus", error.Status.Detail);
    }

    [Fact(Timeout = 240_000)]
    public async Task StartTask_MissingImagePath_NamesTheKey()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => StartWith(Object(("image_path", null))));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("image_path", error.Status.Detail);
    }

    private async Task StartWith(byte[] config)
    {
        using var alloc = new ShortTempDir();
        Directory.CreateDirectory(Path.Combine(alloc.Path, "t"));
        await _plugin.Driver.StartTaskAsync(
            new StartTaskRequest
            {
                Task = new Protocol.Drivers.TaskConfig
                {
                    Id = "alloc/t/1",
                    Name = "t",
                    AllocId = "alloc",
                    AllocDir = alloc.Path,
                    StdoutPath = "/dev/null",
                    StderrPath = "/dev/null",
                    MsgpackDriverConfig = ByteString.CopyFrom(config),
                    Resources = new Resources
                    {
                        AllocatedResources = new AllocatedTaskResources
                        {
                            Memory = new AllocatedMemoryResources { MemoryMb = 256 },
                        },
                    },
                },
            },
            cancellationToken: TestContext.Current.CancellationToken
        );
    }
}
