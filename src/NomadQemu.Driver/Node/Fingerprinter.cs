using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using NomadQemu.Driver.Logging;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Node;

/// <summary>
/// Builds the node fingerprint: which emulators exist (honouring <c>emulators_allowlist</c>), the QEMU
/// version, and whether KVM is really usable. The KVM answer comes from an actual probe guest (<c>/dev/kvm</c>
/// existing proves nothing: on broken nested hosts it opens fine and guests then hang); it is kept in memory
/// and in the state dir, keyed by what can change it (<see cref="KvmVerdictKey"/>). The version is cached by
/// the binary's identity, so a period's fingerprint runs no process unless QEMU was replaced.
/// </summary>
internal sealed partial class Fingerprinter(
    Func<string?> pathVariable,
    KvmProbe kvmProbe,
    Func<string> stateDir,
    ILogger log,
    IReadOnlyList<string>? firmwareDirectories = null
) : IDisposable
{
    private readonly SemaphoreSlim _kvmGate = new(1, 1);
    private volatile KvmVerdict? _kvm;
    private readonly Lock _versionsGate = new();
    private readonly Dictionary<(string Path, FileIdentity Identity), string> _versions = [];

    [GeneratedRegex(@"version (\d+(?:\.\d+)+)")]
    private static partial Regex VersionPattern();

    public async Task<Fingerprint> FingerprintAsync(
        IReadOnlyCollection<string> emulatorsAllowlist,
        bool probeKvm,
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
        var version = await VersionAsync(primary, cancellationToken);
        if (version.Error is { } error)
        {
            return new Fingerprint(DriverHealth.Unhealthy, error, Attributes(true, null, emulators, null));
        }

        var kvm =
            probeKvm && emulators.TryGetValue("x86_64", out var x86)
                ? await KvmAsync(x86, cancellationToken)
                : new KvmStatus(
                    false,
                    probeKvm ? "no x86_64 emulator to probe KVM with" : "KVM probe disabled by kvm_probe = false"
                );
        var description = kvm.Usable
            ? $"QEMU {version.Version}, KVM usable"
            : $"QEMU {version.Version}; KVM not usable ({kvm.Reason}), tasks with accelerator \"auto\" use TCG";
        var attributes = Attributes(true, version.Version, emulators, kvm);
        AddFirmwares(attributes, emulators);
        return new Fingerprint(DriverHealth.Healthy, description, attributes);
    }

    /// <summary><c>qemu-system-* --version</c>, run again only when the binary's identity changed.</summary>
    private async Task<(string? Version, string? Error)> VersionAsync(
        string binary,
        CancellationToken cancellationToken
    )
    {
        var identity = FileIdentity.Of(binary);
        if (identity is { } id)
        {
            lock (_versionsGate)
            {
                if (_versions.TryGetValue((binary, id), out var known))
                {
                    return (known, null);
                }
            }
        }
        try
        {
            var result = await ProcessRunner.RunAsync(
                binary,
                ["--version"],
                TimeSpan.FromSeconds(10),
                cancellationToken
            );
            var version = result.ExitCode == 0 ? ParseVersion(result.Stdout) : null;
            if (version is null)
            {
                var detail = result.TimedOut ? "timed out" : $"exit code {result.ExitCode}: {FirstLine(result.Stderr)}";
                return (null, $"{binary} --version failed ({detail})");
            }
            if (identity is { } seen)
            {
                lock (_versionsGate)
                {
                    _versions[(binary, seen)] = version;
                }
            }
            return (version, null);
        }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception)
        {
            return (null, $"cannot run {binary}: {e.Message}");
        }
    }

    /// <summary>
    /// The KVM verdict: from memory or the state dir while its key is unchanged, else from a new probe
    /// (stored for the next process). Computing the key costs a few stat calls, no process.
    /// </summary>
    public async Task<KvmStatus> KvmAsync(string x86Emulator, CancellationToken cancellationToken)
    {
        var key = KvmVerdictKey.For(x86Emulator, kvmProbe.DevicePath);
        if (_kvm is { } cached && cached.Key == key)
        {
            return cached.Status;
        }
        await _kvmGate.WaitAsync(cancellationToken);
        try
        {
            if (_kvm is { } settled && settled.Key == key)
            {
                return settled.Status;
            }
            var dir = stateDir();
            if (KvmVerdictStore.Load(dir, key) is { } stored)
            {
                DriverLog.KvmVerdictReused(log, stored.Usable, stored.Reason, stored.ProbedAt);
                _kvm = stored;
                return stored.Status;
            }
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var status = await kvmProbe.ProbeAsync(x86Emulator, cancellationToken);
            DriverLog.KvmProbed(log, status.Usable, status.Reason, watch.ElapsedMilliseconds);
            var verdict = new KvmVerdict(key, status.Usable, status.Reason, DateTimeOffset.UtcNow);
            KvmVerdictStore.Save(dir, verdict);
            _kvm = verdict;
            return status;
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

    /// <summary>
    /// Which firmwares a job can ask for here (x86_64): SeaBIOS ships with QEMU; UEFI, and UEFI that enforces
    /// Secure Boot, only where a firmware descriptor names them. Read each period: installing OVMF needs no restart.
    /// </summary>
    private void AddFirmwares(
        Dictionary<string, AttributeValue> attributes,
        IReadOnlyDictionary<string, string> emulators
    )
    {
        if (!emulators.ContainsKey("x86_64"))
        {
            return;
        }
        var descriptors = FirmwareDiscovery.Load(firmwareDirectories ?? FirmwareDiscovery.DefaultDirectories);
        attributes["driver.qemu.firmware.bios"] = true;
        attributes["driver.qemu.firmware.uefi"] =
            Core.Firmware.FirmwareSelector.Select(descriptors, "x86_64", "q35", secureBoot: false) is not null;
        attributes["driver.qemu.firmware.uefi_secure_boot"] =
            Core.Firmware.FirmwareSelector.Select(descriptors, "x86_64", "q35", secureBoot: true) is not null;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    public void Dispose() => _kvmGate.Dispose();
}
