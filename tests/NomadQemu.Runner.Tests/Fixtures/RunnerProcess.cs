using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace NomadQemu.Runner.Tests.Fixtures;

/// <summary>
/// The published binary run as a user runs it, with stdout and stderr captured line by line. Disposal
/// never leaves anything behind: SIGINT (the graceful path), then SIGKILL, then any QEMU still holding
/// the test's data dir is killed.
/// </summary>
public sealed partial class RunnerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly string? _ownedPath;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    private RunnerProcess(Process process, string? ownedPath)
    {
        _process = process;
        _ownedPath = ownedPath;
        process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <param name="ownedPath">A path (the data dir) whose QEMU processes are killed on dispose, whatever happened.</param>
    /// <param name="sigintIgnored">Start it the way a shell starts a background job: SIGINT ignored across exec.</param>
    public static RunnerProcess Start(
        IEnumerable<string> arguments,
        string? ownedPath = null,
        bool sigintIgnored = false
    )
    {
        var start = new ProcessStartInfo(sigintIgnored ? "/bin/sh" : TestEnvironment.Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = TestEnvironment.RepoRoot,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (sigintIgnored)
        {
            // exec keeps the pid, so signals sent to Pid reach the runner itself.
            foreach (var argument in (string[])["-c", "trap '' INT; exec \"$@\"", "sh", TestEnvironment.Binary])
            {
                start.ArgumentList.Add(argument);
            }
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Remove("NOMAD_PLUGIN_MAGIC_COOKIE");
        return new RunnerProcess(
            Process.Start(start) ?? throw new InvalidOperationException("cannot start " + start.FileName),
            ownedPath
        );
    }

    /// <summary>Runs a short command to completion.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        TimeSpan timeout,
        params string[] arguments
    )
    {
        await using var process = Start(arguments);
        var code = await process.WaitForExitAsync(timeout);
        return (code, process.Stdout, process.Stderr);
    }

    /// <summary>A one-line sh script, to check what the shell hands over (signal dispositions).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunShellAsync(string script)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, stdout, stderr);
    }

    public int Pid => _process.Id;

    public string Stdout => Join(_stdout);

    public string Stderr => Join(_stderr);

    public void Signal(int signal) => Kill(_process.Id, signal);

    /// <summary>Waits for a stdout line matching <paramref name="match"/> and returns it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_stdout)
            {
                if (_stdout.FirstOrDefault(match) is { } line)
                {
                    return line;
                }
            }
            if (_process.HasExited)
            {
                await Task.Delay(100);
                lock (_stdout)
                {
                    if (_stdout.FirstOrDefault(match) is { } late)
                    {
                        return late;
                    }
                }
                throw new InvalidOperationException(
                    $"the runner exited ({_process.ExitCode}) before {what}\nstdout:\n{Stdout}\nstderr:\n{Stderr}"
                );
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"no {what} within {timeout.TotalSeconds} s\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
    }

    /// <summary>The exit code, or a timeout naming everything the runner printed.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException(
                $"the runner did not exit within {timeout.TotalSeconds} s\nstdout:\n{Stdout}\nstderr:\n{Stderr}"
            );
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal(SIGINT);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        if (_ownedPath is not null)
        {
            foreach (var pid in QemuProcesses.Holding(_ownedPath))
            {
                Kill(pid, 9);
            }
        }
        _process.Dispose();
    }

    private static void Append(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (lines)
        {
            lines.Add(line);
        }
    }

    private static string Join(List<string> lines)
    {
        lock (lines)
        {
            return string.Join('\n', lines);
        }
    }
}
