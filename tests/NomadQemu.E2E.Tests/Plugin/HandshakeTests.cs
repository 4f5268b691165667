using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Core;
using NomadQemu.Protocol.Base;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Plugin;

/// <summary>The go-plugin contract: launch, handshake, stdout purity, hclog stderr, shutdown.</summary>
public sealed partial class HandshakeTests
{
    private static CancellationToken Timeout(double seconds) =>
        CancellationTokenSource
            .CreateLinkedTokenSource(
                TestContext.Current.CancellationToken,
                new CancellationTokenSource(TestEnvironment.Scaled(seconds)).Token
            )
            .Token;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex HclogTimestamp();

    // Nomad starts a plugin in the agent's working directory, "/" under systemd. A file watcher on the working
    // directory (ASP.NET's config reload) walked the whole tree there: handshakes took seconds.
    [Fact(Timeout = 240_000)]
    public async Task Launch_Serving_WatchesNoFiles()
    {
        using var dir = new ShortTempDir();
        await using var plugin = await PluginProcess.StartAsync(dir.Path, cancellationToken: Timeout(30));
        await plugin.Base.PluginInfoAsync(new PluginInfoRequest(), cancellationToken: Timeout(10));

        var descriptors = Directory
            .GetFiles($"/proc/{plugin.Pid}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget ?? "")
            .ToList();

        Assert.NotEmpty(descriptors);
        Assert.DoesNotContain(descriptors, target => target.Contains("inotify", StringComparison.Ordinal));
    }

    [Fact(Timeout = 240_000)]
    public async Task Launch_WithCookie_PrintsHandshakeLineAndServesOnThatSocket()
    {
        using var dir = new ShortTempDir();
        await using var plugin = await PluginProcess.StartAsync(dir.Path, cancellationToken: Timeout(30));

        var parts = plugin.HandshakeLine.Split('|');
        Assert.Equal(6, parts.Length);
        Assert.Equal(["1", "2", "unix"], parts[..3]);
        Assert.StartsWith(dir.Path + "/plugin", parts[3]);
        Assert.Equal("grpc", parts[4]);
        Assert.Equal("", parts[5]);
        Assert.True(Encoding.UTF8.GetByteCount(parts[3]) < 108);

        var info = await plugin.Base.PluginInfoAsync(new PluginInfoRequest(), cancellationToken: Timeout(10));
        Assert.Equal(PluginType.Driver, info.Type);
        Assert.Equal(["v0.1.0"], info.PluginApiVersions);
        Assert.Equal("qemu", info.Name);
        Assert.Matches(@"^\d+\.\d+\.\d+$", info.PluginVersion);
        Assert.True(
            Version.Parse(info.PluginVersion) >= new Version(0, 1, 0),
            "must not lose to the built-in qemu 0.1.0"
        );
    }

    [Fact(Timeout = 240_000)]
    public async Task Stdout_AfterManyRpcs_HoldsOnlyTheHandshakeLine()
    {
        using var dir = new ShortTempDir();
        await using var plugin = await PluginProcess.StartAsync(dir.Path, cancellationToken: Timeout(30));

        await plugin.Base.PluginInfoAsync(new PluginInfoRequest(), cancellationToken: Timeout(10));
        await plugin.Base.ConfigSchemaAsync(new ConfigSchemaRequest(), cancellationToken: Timeout(10));
        await plugin.Base.SetConfigAsync(
            new SetConfigRequest { MsgpackConfig = Google.Protobuf.ByteString.CopyFrom(NomadMsgpack.PluginConfig()) },
            cancellationToken: Timeout(10)
        );
        await plugin.Driver.CapabilitiesAsync(
            new Protocol.Drivers.CapabilitiesRequest(),
            cancellationToken: Timeout(10)
        );
        await Assert.ThrowsAsync<RpcException>(async () =>
            await plugin.Driver.WaitTaskAsync(
                new Protocol.Drivers.WaitTaskRequest { TaskId = "nope" },
                cancellationToken: Timeout(10)
            )
        );

        Assert.Equal(plugin.HandshakeLine + "\n", Encoding.UTF8.GetString(plugin.StdoutBytes));
    }

    [Fact(Timeout = 240_000)]
    public async Task Stderr_EveryLine_IsHclogJson()
    {
        using var dir = new ShortTempDir();
        await using var plugin = await PluginProcess.StartAsync(dir.Path, cancellationToken: Timeout(30));
        await plugin.Base.SetConfigAsync(
            new SetConfigRequest { MsgpackConfig = Google.Protobuf.ByteString.CopyFrom(NomadMsgpack.PluginConfig()) },
            cancellationToken: Timeout(10)
        );
        await plugin.Controller.ShutdownAsync(new Protocol.GoPlugin.Empty(), cancellationToken: Timeout(10));
        Assert.True(await plugin.WaitForExitAsync(TestEnvironment.Scaled(5)));

        var lines = plugin.StderrLines;
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            Assert.Contains(
                root.GetProperty("@level").GetString(),
                new[] { "trace", "debug", "info", "warn", "error" }
            );
            Assert.Equal(JsonValueKind.String, root.GetProperty("@message").ValueKind);
            Assert.Equal(JsonValueKind.String, root.GetProperty("@module").ValueKind);
            Assert.Matches(HclogTimestamp(), root.GetProperty("@timestamp").GetString()!);
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task Shutdown_StopsServingRemovesSocketAndExitsWithinTwoSeconds()
    {
        using var dir = new ShortTempDir();
        await using var plugin = await PluginProcess.StartAsync(dir.Path, cancellationToken: Timeout(30));
        Assert.True(File.Exists(plugin.SocketPath));

        var watch = Stopwatch.StartNew();
        await plugin.Controller.ShutdownAsync(new Protocol.GoPlugin.Empty(), cancellationToken: Timeout(10));
        Assert.True(
            await plugin.WaitForExitAsync(TimeSpan.FromSeconds(2)),
            "go-plugin SIGKILLs a plugin that has not exited 2 s after Shutdown"
        );
        watch.Stop();

        Assert.Equal(0, plugin.Process.ExitCode);
        Assert.False(File.Exists(plugin.SocketPath));
    }

    [Fact(Timeout = 240_000)]
    public async Task Sigint_IsIgnoredInPluginMode()
    {
        using var dir = new ShortTempDir();
        await using var plugin = await PluginProcess.StartAsync(dir.Path, cancellationToken: Timeout(30));

        Process
            .Start("kill", ["-INT", plugin.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!
            .WaitForExit();
        await Task.Delay(500, TestContext.Current.CancellationToken);

        Assert.False(plugin.Process.HasExited);
        var info = await plugin.Base.PluginInfoAsync(new PluginInfoRequest(), cancellationToken: Timeout(10));
        Assert.Equal("qemu", info.Name);
    }

    [Fact(Timeout = 240_000)]
    public async Task DriverNameArg_ChangesTheAdvertisedName()
    {
        using var dir = new ShortTempDir();
        await using var plugin = await PluginProcess.StartAsync(
            dir.Path,
            args: ["--driver-name", "qemu-next"],
            cancellationToken: Timeout(30)
        );

        var info = await plugin.Base.PluginInfoAsync(new PluginInfoRequest(), cancellationToken: Timeout(10));

        Assert.Equal("qemu-next", info.Name);
    }

    [Fact(Timeout = 240_000)]
    public async Task Health_PluginService_IsServing()
    {
        using var dir = new ShortTempDir();
        await using var plugin = await PluginProcess.StartAsync(dir.Path, cancellationToken: Timeout(30));

        var health = await plugin.Health.CheckAsync(
            new Grpc.Health.V1.HealthCheckRequest { Service = "plugin" },
            cancellationToken: Timeout(10)
        );

        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact(Timeout = 240_000)]
    public async Task Launch_WithoutCookie_ExplainsAndExitsOne()
    {
        var start = new ProcessStartInfo(TestEnvironment.Binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment.Remove("NOMAD_PLUGIN_MAGIC_COOKIE");
        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync(Timeout(20));
        var stdout = await process.StandardOutput.ReadToEndAsync(Timeout(20));
        await process.WaitForExitAsync(Timeout(20));

        Assert.Equal(1, process.ExitCode);
        Assert.Equal("", stdout);
        Assert.Contains("Nomad task-driver plugin", stderr);
        Assert.Contains("plugin_dir", stderr);
        Assert.Contains("plugin \"qemu\"", stderr);
        Assert.Contains("run", stderr);
    }

    [Fact(Timeout = 240_000)]
    public async Task Redial_AfterFirstClientGoesAway_KeepsServingWithConfig()
    {
        using var dir = new ShortTempDir();
        await using var plugin = await PluginProcess.StartAsync(dir.Path, cancellationToken: Timeout(30));
        await plugin.Base.SetConfigAsync(
            new SetConfigRequest
            {
                MsgpackConfig = Google.Protobuf.ByteString.CopyFrom(
                    NomadMsgpack.PluginConfig(emulatorsAllowlist: new[] { "x86_64" })
                ),
            },
            cancellationToken: Timeout(10)
        );
        plugin.Channel.Dispose();

        // A crashed agent re-dials the same live plugin (reattach) and calls PluginInfo, then carries on.
        using var second = PluginProcess.CreateChannel(plugin.SocketPath);
        var info = await new BasePlugin.BasePluginClient(second).PluginInfoAsync(
            new PluginInfoRequest(),
            cancellationToken: Timeout(10)
        );
        using var stream = new Protocol.Drivers.Driver.DriverClient(second).Fingerprint(
            new Protocol.Drivers.FingerprintRequest(),
            cancellationToken: Timeout(30)
        );
        Assert.True(await stream.ResponseStream.MoveNext(Timeout(30)));

        Assert.Equal("qemu", info.Name);
        Assert.Equal("x86_64", stream.ResponseStream.Current.Attributes["driver.qemu.emulators"].StringVal);
    }
}
