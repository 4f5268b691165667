using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace NomadQemu.Qmp.Tests.Integration;

/// <summary>
/// A real qemu-system-x86_64 with a QMP unix socket and no guest. Disposing kills it (if still running)
/// and removes its directory, so a failing test leaves nothing behind.
/// </summary>
internal sealed class QemuProcess : IAsyncDisposable
{
    private const int Sigterm = 15;

    private readonly string _directory;
    private readonly StringBuilder _output = new();

    private QemuProcess(string directory, Process process)
    {
        _directory = directory;
        Process = process;
    }

    public Process Process { get; }

    public string Directory => _directory;

    public string SocketPath => Path.Combine(_directory, "q.sock");

    /// <summary>QEMU's stdout and stderr so far, for assertion messages.</summary>
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

    /// <summary>
    /// Starts QEMU with <c>-machine <paramref name="machine"/></c>, a QMP server socket that does not wait for a
    /// client, and <paramref name="extraArguments"/> (where "{dir}" stands for the process's directory).
    /// </summary>
    public static QemuProcess Start(string machine, params string[] extraArguments)
    {
        var directory = ShortTempPaths.NewDirectory("qmp");
        var startInfo = new ProcessStartInfo("qemu-system-x86_64")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] arguments =
        [
            "-machine",
            machine,
            "-display",
            "none",
            "-nodefaults",
            "-no-user-config",
            "-qmp",
            $"unix:{Path.Combine(directory, "q.sock")},server=on,wait=off",
            .. extraArguments.Select(a => a.Replace("{dir}", directory, StringComparison.Ordinal)),
        ];
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        var qemu = new QemuProcess(directory, process);
        process.OutputDataReceived += (_, e) => qemu.Append(e.Data);
        process.ErrorDataReceived += (_, e) => qemu.Append(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException("qemu-system-x86_64 did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return qemu;
    }

    public async Task<QmpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await QmpClient.ConnectAsync(SocketPath, cancellationToken);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"Could not connect to QEMU's QMP socket. QEMU said: {Output}", ex);
        }
    }

    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await Process.WaitForExitAsync(cancellationToken);
        return Process.ExitCode;
    }

    public void SendSigterm()
    {
        if (kill(Process.Id, Sigterm) != 0)
        {
            throw new InvalidOperationException(
                $"kill({Process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}."
            );
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await Process.WaitForExitAsync(wait.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        finally
        {
            Process.Dispose();
            ShortTempPaths.DeleteQuietly(_directory);
        }
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

    // DllImport rather than LibraryImport: blittable arguments need no generated marshalling (or unsafe code).
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
