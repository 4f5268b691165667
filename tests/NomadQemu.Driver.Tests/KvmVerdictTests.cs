using Microsoft.Extensions.Logging;
using NomadQemu.Driver.Node;

namespace NomadQemu.Driver.Tests;

/// <summary>
/// The KVM verdict survives the process in the state dir and is reused while nothing it depends on changed;
/// a changed key (here the device node's mtime) runs the probe again. The probe is the real one: QEMU started
/// with accel=kvm (which fails here, quickly, as this host has no KVM); the "device" is a file we own.
/// </summary>
public sealed class KvmVerdictTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kvm-verdict-").FullName;
    private string Device => Path.Combine(_dir, "kvm");
    private string StateDir => Path.Combine(_dir, "state");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Emulator =>
        PathSearch.Find(Environment.GetEnvironmentVariable("PATH"), "qemu-system-x86_64")
        ?? throw new InvalidOperationException("qemu-system-x86_64 is not installed");

    public KvmVerdictTests() => File.WriteAllBytes(Device, []);

    [Fact]
    public async Task Verdict_IsStored_ReusedByTheNextProcess_AndProbedAgainWhenTheDeviceChanges()
    {
        var first = new CapturingLogger();
        KvmStatus probed;
        using (var fingerprinter = NewFingerprinter(first))
        {
            probed = await fingerprinter.KvmAsync(Emulator, null, Ct);
            await fingerprinter.KvmAsync(Emulator, null, Ct);
        }
        Assert.False(probed.Usable);
        Assert.Equal(1, first.Count("KVM probed"));
        Assert.True(File.Exists(Path.Combine(StateDir, KvmVerdictStore.FileName)));

        // A new process (a new fingerprinter), same key: no probe, same verdict.
        var second = new CapturingLogger();
        using (var fingerprinter = NewFingerprinter(second))
        {
            var reused = await fingerprinter.KvmAsync(Emulator, null, Ct);
            Assert.Equal(probed, reused);
        }
        Assert.Equal(0, second.Count("KVM probed"));
        Assert.Equal(1, second.Count("KVM verdict reused from the state dir"));

        // The device node changed (as a reboot, module reload or chmod changes it): probe again.
        File.SetLastWriteTimeUtc(Device, DateTime.UtcNow.AddMinutes(1));
        var third = new CapturingLogger();
        using (var fingerprinter = NewFingerprinter(third))
        {
            await fingerprinter.KvmAsync(Emulator, null, Ct);
        }
        Assert.Equal(1, third.Count("KVM probed"));
        Assert.Equal(0, third.Count("KVM verdict reused from the state dir"));
    }

    [Fact]
    public async Task UnreadableStoredVerdict_IsIgnored_AndReplacedByAProbe()
    {
        Directory.CreateDirectory(StateDir);
        await File.WriteAllTextAsync(Path.Combine(StateDir, KvmVerdictStore.FileName), "{not json", Ct);
        var log = new CapturingLogger();
        using (var fingerprinter = NewFingerprinter(log))
        {
            await fingerprinter.KvmAsync(Emulator, null, Ct);
        }
        Assert.Equal(1, log.Count("KVM probed"));
        Assert.NotNull(KvmVerdictStore.Load(StateDir, KvmVerdictKey.For(Emulator, Device)));
    }

    private Fingerprinter NewFingerprinter(ILogger log) =>
        new(() => Environment.GetEnvironmentVariable("PATH"), new KvmProbe(Device), () => StateDir, log);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class CapturingLogger : ILogger
    {
        private readonly List<string> _messages = [];

        public int Count(string message)
        {
            lock (_messages)
            {
                return _messages.Count(m => m == message);
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter
        )
        {
            lock (_messages)
            {
                _messages.Add(formatter(state, exception));
            }
        }
    }
}
