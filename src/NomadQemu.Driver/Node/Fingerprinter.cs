using System.Text.RegularExpressions;

namespace NomadQemu.Driver.Node;

/// <summary>
/// Builds the node fingerprint: which emulators exist (honouring <c>emulators_allowlist</c>), the QEMU
/// version, and whether KVM is really usable. The KVM answer comes from an actual probe guest and is
/// cached for the life of the process: <c>/dev/kvm</c> existing proves nothing (on broken nested hosts it
/// opens fine and guests then hang).
/// </summary>
internal sealed partial class Fingerprinter(Func<string?> pathVariable, KvmProbe kvmProbe) : IDisposable
{
    private readonly SemaphoreSlim _kvmGate = new(1, 1);
    private KvmStatus? _kvm;

    [GeneratedRegex(@"version (\d+(?:\.\d+)+)")]
    private static partial Regex VersionPattern();

    public async Task<Fingerprint> FingerprintAsync(
        IReadOnlyCollection<string> emulatorsAllowlist,
        bool probeKvm,
        Jail.JailSpec? probeJail,
        CancellationToken cancellationToken
    )
    {
        var emulators = EmulatorDiscovery.Find(pathVariable(), emulatorsAllowlist);
        if (emulators.Count == 0)
        {
            var why =
                emulatorsAllowlist.Count > 0
                    ? $"no qemu-system-* binary for the allowed emulators ({string.Join(", ", emulatorsAllowlist)}) found in PATH"
                    : "no qemu-system-* binary found in PATH";
            return new Fingerprint(DriverHealth.Undetected, why, new Dictionary<string, AttributeValue>());
        }

        var primaryArch = emulators.ContainsKey("x86_64") ? "x86_64" : emulators.Keys.First();
        var primary = emulators[primaryArch];
        string? version;
        try
        {
            var result = await ProcessRunner.RunAsync(
                primary,
                ["--version"],
                TimeSpan.FromSeconds(10),
                cancellationToken
            );
            version = result.ExitCode == 0 ? ParseVersion(result.Stdout) : null;
            if (version is null)
            {
                var detail = result.TimedOut ? "timed out" : $"exit code {result.ExitCode}: {FirstLine(result.Stderr)}";
                return new Fingerprint(
                    DriverHealth.Unhealthy,
                    $"{primary} --version failed ({detail})",
                    Attributes(true, null, emulators, null)
                );
            }
        }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception)
        {
            return new Fingerprint(
                DriverHealth.Unhealthy,
                $"cannot run {primary}: {e.Message}",
                Attributes(true, null, emulators, null)
            );
        }

        var kvm =
            probeKvm && emulators.TryGetValue("x86_64", out var x86)
                ? await KvmAsync(x86, probeJail, cancellationToken)
                : new KvmStatus(
                    false,
                    probeKvm ? "no x86_64 emulator to probe KVM with" : "KVM probe disabled by kvm_probe = false"
                );
        var description = kvm.Usable
            ? $"QEMU {version}, KVM usable"
            : $"QEMU {version}; KVM not usable ({kvm.Reason}), tasks with accelerator \"auto\" use TCG";
        return new Fingerprint(DriverHealth.Healthy, description, Attributes(true, version, emulators, kvm));
    }

    /// <summary>The cached KVM verdict, probing once on first use.</summary>
    public async Task<KvmStatus> KvmAsync(
        string x86Emulator,
        Jail.JailSpec? probeJail,
        CancellationToken cancellationToken
    )
    {
        if (_kvm is { } cached)
        {
            return cached;
        }
        await _kvmGate.WaitAsync(cancellationToken);
        try
        {
            return _kvm ??= await kvmProbe.ProbeAsync(x86Emulator, probeJail, cancellationToken);
        }
        finally
        {
            _kvmGate.Release();
        }
    }

    public static string? ParseVersion(string output) =>
        VersionPattern().Match(output) is { Success: true } m ? m.Groups[1].Value : null;

    private static Dictionary<string, AttributeValue> Attributes(
        bool detected,
        string? version,
        IReadOnlyDictionary<string, string> emulators,
        KvmStatus? kvm
    )
    {
        var attributes = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { ["driver.qemu"] = detected };
        if (version is not null)
        {
            attributes["driver.qemu.version"] = version;
        }
        attributes["driver.qemu.emulators"] = string.Join(",", emulators.Keys);
        if (kvm is not null)
        {
            attributes["driver.qemu.kvm"] = kvm.Usable;
            attributes["driver.qemu.accelerators"] = kvm.Usable ? "kvm,tcg" : "tcg";
        }
        return attributes;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    public void Dispose() => _kvmGate.Dispose();
}
