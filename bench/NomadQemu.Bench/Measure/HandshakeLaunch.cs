using System.Diagnostics;
using NomadQemu.TestKit;

namespace NomadQemu.Bench.Measure;

/// <summary>
/// Launches a program the way Nomad launches a plugin (go-plugin environment, piped stdio) and times
/// Process.Start until the first stdout line: the plugin and the native floor go through this same code.
/// </summary>
public sealed class HandshakeLaunch : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ShortTempDir _socketDir;

    private HandshakeLaunch(Process process, ShortTempDir socketDir, double seconds, string line)
    {
        _process = process;
        _socketDir = socketDir;
        Seconds = seconds;
        Line = line;
    }

    public double Seconds { get; }
    public string Line { get; }
    public int Pid => _process.Id;

    /// <param name="workingDirectory">The child's working directory (null: ours). Nomad starts plugins in the agent's,
    /// which is "/" under systemd.</param>
    public static async Task<HandshakeLaunch> StartAsync(
        string executable,
        CancellationToken cancellationToken,
        string? workingDirectory = null
    )
    {
        var socketDir = new ShortTempDir();
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["NOMAD_PLUGIN_MAGIC_COOKIE"] = TestEnvironment.MagicCookie;
        start.Environment["PLUGIN_PROTOCOL_VERSIONS"] = "2";
        start.Environment["PLUGIN_MIN_PORT"] = "10000";
        start.Environment["PLUGIN_MAX_PORT"] = "25000";
        start.Environment["PLUGIN_UNIX_SOCKET_DIR"] = socketDir.Path;
        var watch = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {executable}");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var line =
            await process.StandardOutput.ReadLineAsync(timeout.Token)
            ?? throw new InvalidOperationException($"{executable} closed stdout before printing its handshake");
        var seconds = watch.Elapsed.TotalSeconds;
        return new HandshakeLaunch(process, socketDir, seconds, line);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        _socketDir.Dispose();
    }
}
