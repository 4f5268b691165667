using System.Text.Json;
using NomadQemu.Runner.Tests.Fixtures;

namespace NomadQemu.Runner.Tests;

/// <summary>`fingerprint --json`: Nomad's view of this node, with typed attributes.</summary>
public sealed class FingerprintTests : IDisposable
{
    private readonly ShortTempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task FingerprintJson_HealthyNode_HasTypedAttributes()
    {
        var (code, stdout, stderr) = await RunnerProcess.RunAsync(
            TestEnvironment.Scaled(60),
            "fingerprint",
            "--json",
            "--data-dir",
            _dir.Path
        );

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("healthy", root.GetProperty("health").GetString());
        Assert.StartsWith("QEMU ", root.GetProperty("description").GetString());
        var attributes = root.GetProperty("attributes");
        Assert.Equal(JsonValueKind.True, attributes.GetProperty("driver.qemu").ValueKind);
        Assert.Matches(@"^\d+\.\d+", attributes.GetProperty("driver.qemu.version").GetString());
        Assert.Contains("x86_64", attributes.GetProperty("driver.qemu.emulators").GetString());
        Assert.True(attributes.GetProperty("driver.qemu.kvm").ValueKind is JsonValueKind.True or JsonValueKind.False);
    }

    [Fact]
    public async Task Fingerprint_Human_ListsHealthAndAttributes()
    {
        var (code, stdout, _) = await RunnerProcess.RunAsync(
            TestEnvironment.Scaled(60),
            "fingerprint",
            "--data-dir",
            _dir.Path
        );

        Assert.Equal(0, code);
        Assert.Contains("health:      healthy", stdout);
        Assert.Contains("  driver.qemu = true", stdout);
    }
}
