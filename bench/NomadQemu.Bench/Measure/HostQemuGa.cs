using System.Diagnostics;
using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Bench.Measure;

/// <summary>
/// Debian's real qemu-ga serving its protocol on a unix socket of this host, with no guest
/// (<c>--method=unix-listen</c>), so the guest agent client can be timed without a TCG guest's noise. The agent
/// acts on the HOST: every command that could change the host's power state, clock, filesystems, users, CPUs or
/// memory is blocked (the same list the Qmp.Tests host agent blocks). Disposing kills it and removes its dir.
/// </summary>
public sealed class HostQemuGa : IAsyncDisposable
{
    private static readonly string[] s_blocked =
    [
        "guest-shutdown",
        "guest-suspend-disk",
        "guest-suspend-ram",
        "guest-suspend-hybrid",
        "guest-fsfreeze-freeze",
        "guest-fsfreeze-freeze-list",
        "guest-fsfreeze-thaw",
        "guest-fstrim",
        "guest-set-time",
        "guest-set-user-password",
        "guest-set-vcpus",
        "guest-set-memory-blocks",
        "guest-ssh-add-authorized-keys",
        "guest-ssh-remove-authorized-keys",
    ];

    private readonly string _directory;
    private readonly Process _process;

    private HostQemuGa(string directory, Process process)
    {
        _directory = directory;
        _process = process;
    }

    public string SocketPath => Path.Combine(_directory, "qga.sock");

    public static async Task<HostQemuGa> StartAsync(CancellationToken cancellationToken)
    {
        // A short path: unix socket names must stay under 108 bytes.
        var directory = Path.Combine("/tmp", "nq-bench-qga-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var start = new ProcessStartInfo("qemu-ga")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (
            var argument in (string[])
                [
                    "--method=unix-listen",
                    $"--path={Path.Combine(directory, "qga.sock")}",
                    $"--statedir={directory}",
                    $"--pidfile={Path.Combine(directory, "qga.pid")}",
                    $"--block-rpcs={string.Join(',', s_blocked)}",
                ]
        )
        {
            start.ArgumentList.Add(argument);
        }
        var process =
            Process.Start(start)
            ?? throw new InvalidOperationException("cannot start qemu-ga (Debian package qemu-guest-agent)");
        // Its log is not needed; drained so a chatty agent never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var agent = new HostQemuGa(directory, process);
        // The client does not wait for a socket to appear: the agent must be listening before the first call.
        var watch = Stopwatch.StartNew();
        while (!File.Exists(agent.SocketPath))
        {
            if (process.HasExited || watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                await agent.DisposeAsync();
                throw new InvalidOperationException("qemu-ga did not create its socket within 30 s");
            }
            await Task.Delay(10, cancellationToken);
        }
        return agent;
    }

    /// <summary>A client with the driver's default options (the client connects and retries until the socket exists).</summary>
    public GuestAgentClient CreateClient() => new(SocketPath, new GuestAgentOptions());

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
