using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Plugin;

/// <summary>What the node reports: on this machine QEMU is present and KVM is not usable; without QEMU the driver is undetected.</summary>
public sealed class FingerprintTests
{
    private static async Task<List<FingerprintResponse>> Fingerprints(
        IDictionary<string, string>? env,
        int count,
        CancellationToken cancellationToken
    )
    {
        using var dir = new ShortTempDir();
        await using var plugin = await PluginProcess.StartAsync(dir.Path, env, cancellationToken: cancellationToken);
        using var stream = plugin.Driver.Fingerprint(new FingerprintRequest(), cancellationToken: cancellationToken);
        var all = new List<FingerprintResponse>();
        while (all.Count < count && await stream.ResponseStream.MoveNext(cancellationToken))
        {
            all.Add(stream.ResponseStream.Current);
        }
        return all;
    }

    [Fact(Timeout = 240_000)]
    public async Task Fingerprint_WithQemu_HealthyWithVersionEmulatorsAndHonestKvm()
    {
        var env = new Dictionary<string, string> { ["NOMAD_QEMU_FINGERPRINT_PERIOD"] = "1" };
        var responses = await Fingerprints(env, 2, TestContext.Current.CancellationToken);

        var first = responses[0];
        Assert.Equal(FingerprintResponse.Types.HealthState.Healthy, first.Health);
        Assert.True(first.Attributes["driver.qemu"].BoolVal);
        Assert.Matches(@"^\d+\.\d+(\.\d+)?$", first.Attributes["driver.qemu.version"].StringVal);
        Assert.Contains("x86_64", first.Attributes["driver.qemu.emulators"].StringVal.Split(','));
        // /dev/kvm exists on these machines but guests hang: the probe must say "not usable".
        Assert.False(first.Attributes["driver.qemu.kvm"].BoolVal);
        Assert.Contains("KVM not usable", first.HealthDescription);
        // The stream repeats (every 30 s by default; shortened here).
        Assert.Equal(2, responses.Count);
        Assert.Equal(first.Attributes["driver.qemu.version"], responses[1].Attributes["driver.qemu.version"]);
    }

    [Fact(Timeout = 240_000)]
    public async Task Fingerprint_QemuHiddenFromPath_Undetected()
    {
        using var empty = new ShortTempDir();
        var env = new Dictionary<string, string> { ["PATH"] = empty.Path };
        var responses = await Fingerprints(env, 1, TestContext.Current.CancellationToken);

        Assert.Equal(FingerprintResponse.Types.HealthState.Undetected, responses[0].Health);
        Assert.Contains("qemu-system", responses[0].HealthDescription);
    }

    [Fact(Timeout = 240_000)]
    public async Task Fingerprint_BrokenQemu_Unhealthy()
    {
        using var bin = new ShortTempDir();
        var fake = Path.Combine(bin.Path, "qemu-system-x86_64");
        await File.WriteAllTextAsync(
            fake,
            "#!/bin/sh\necho 'broken build' >&2\nexit 3\n",
            TestContext.Current.CancellationToken
        );
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        var env = new Dictionary<string, string> { ["PATH"] = bin.Path + ":/usr/bin:/bin" };

        var responses = await Fingerprints(env, 1, TestContext.Current.CancellationToken);

        Assert.Equal(FingerprintResponse.Types.HealthState.Unhealthy, responses[0].Health);
        Assert.Contains("broken build", responses[0].HealthDescription);
    }
}
