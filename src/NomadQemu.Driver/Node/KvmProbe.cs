namespace NomadQemu.Driver.Node;

/// <summary>
/// Answers "does KVM really run guests here?" by running a tiny long-mode probe guest under KVM with a
/// timeout. The guest writes a byte to QEMU's isa-debug-exit port, which makes QEMU exit with
/// (value &lt;&lt; 1) | 1; any other outcome — no /dev/kvm, no permission, QEMU refusing, or the guest
/// hanging as it does on broken nested hosts — means "not usable", with the reason.
/// </summary>
internal sealed class KvmProbe(string devicePath = "/dev/kvm", TimeSpan? timeout = null)
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(5);

    public string DevicePath => devicePath;

    /// <param name="x86Emulator">qemu-system-x86_64.</param>
    /// <param name="jail">When set, the probe runs jailed as the range's first uid, like a VM would.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task<KvmStatus> ProbeAsync(
        string x86Emulator,
        Jail.JailSpec? jail,
        CancellationToken cancellationToken
    )
    {
        if (!File.Exists(devicePath))
        {
            return new KvmStatus(false, $"{devicePath} does not exist");
        }
        try
        {
            using var device = new FileStream(devicePath, FileMode.Open, FileAccess.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new KvmStatus(false, $"cannot open {devicePath} read-write: {e.Message}");
        }

        var image = Path.Combine(
            Path.GetTempPath(),
            $"nomad-qemu-kvm-probe-{Environment.ProcessId}-{Guid.NewGuid():N}.bin"
        );
        try
        {
            await File.WriteAllBytesAsync(image, KvmProbeGuest.FirmwareImage(), cancellationToken);
            List<string> command = [x86Emulator, .. KvmProbeGuest.Arguments(image, "kvm")];
            if (jail is not null)
            {
                // Readable by the jail's uid whatever our umask; the device's group is the probe's only group.
                File.SetUnixFileMode(image, (UnixFileMode)0x1a4);
                var spec = jail with { ReadOnlyFiles = [image] };
                var kvmGroup = Jail.JailNative.Owner(devicePath)?.Gid;
                command = [.. Jail.JailArguments.Build(spec, jail.UidBase, kvmGroup, null, x86Emulator), .. command];
            }
            var result = await ProcessRunner.RunAsync(command[0], command.Skip(1), _timeout, cancellationToken);
            if (result.TimedOut)
            {
                return new KvmStatus(
                    false,
                    $"a probe guest did not finish within {_timeout.TotalSeconds:0} s under KVM (guests hang on this host)"
                );
            }
            if (result.ExitCode == KvmProbeGuest.SuccessExitCode)
            {
                return new KvmStatus(true, "probe guest ran under KVM");
            }
            var line = result.Stderr.Split('\n', 2)[0].Trim();
            return new KvmStatus(
                false,
                $"QEMU could not run a guest under KVM (exit code {result.ExitCode}{(line.Length > 0 ? ": " + line : "")})"
            );
        }
        finally
        {
            File.Delete(image);
        }
    }
}
