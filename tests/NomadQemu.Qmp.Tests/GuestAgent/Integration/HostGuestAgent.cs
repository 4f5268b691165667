using System.Diagnostics;
using System.Text;
using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Qmp.Tests.GuestAgent.Integration;

/// <summary>
/// A real qemu-ga (Debian's qemu-guest-agent package) serving the protocol on a unix socket of this host, with no
/// guest: "--method=unix-listen". It acts on the HOST, so every command that would change the host's power state,
/// clock, filesystems, users, CPUs or memory is blocked with --block-rpcs; those are tested against the fake only.
/// Disposing kills it and removes its directory.
/// </summary>
internal sealed class HostGuestAgent : IAsyncDisposable
{
    public static readonly string[] BlockedCommands =
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

    private readonly StringBuilder _output = new();
    private Process _process;

    private HostGuestAgent(string directory, Process process)
    {
        Directory = directory;
        _process = process;
    }

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "qga.sock");

    public int ProcessId => _process.Id;

    /// <summary>The agent's log so far, for assertion messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static HostGuestAgent Start()
    {
        var directory = ShortTempPaths.NewDirectory("qga");
        var agent = new HostGuestAgent(directory, null!);
        agent._process = agent.Launch();
        return agent;
    }

    /// <summary>Options for clients of the host agent: bounded, scaled for slow machines.</summary>
    public static GuestAgentOptions Options =>
        new()
        {
            ConnectTimeout = TestTimeout.Scaled(10),
            SyncTimeout = TestTimeout.Scaled(5),
            CommandTimeout = TestTimeout.Scaled(30),
            KillTimeout = TestTimeout.Scaled(10),
        };

    public GuestAgentClient CreateClient(GuestAgentOptions? options = null) => new(SocketPath, options ?? Options);

    /// <summary>SIGKILLs the agent, as a guest crash or reboot does.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        _process.Kill();
        await _process.WaitForExitAsync(cancellationToken);
    }

    /// <summary>Starts a new agent on the same socket after <see cref="KillAsync"/>, as the rebooted guest does.</summary>
    public void StartAgain()
    {
        Assert.True(_process.HasExited);
        _process.Dispose();
        _process = Launch();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(wait.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        finally
        {
            _process.Dispose();
            ShortTempPaths.DeleteQuietly(Directory);
        }
    }

    private Process Launch()
    {
        var startInfo = new ProcessStartInfo("qemu-ga")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (
            var argument in new[]
            {
                "--method=unix-listen",
                $"--path={SocketPath}",
                $"--statedir={Directory}",
                $"--pidfile={Path.Combine(Directory, "qga.pid")}",
                $"--block-rpcs={string.Join(',', BlockedCommands)}",
            }
        )
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException(
                "qemu-ga is not installed: run scripts/install-deps.sh (Debian package qemu-guest-agent).",
                ex
            );
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
