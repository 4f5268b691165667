using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using NomadQemu.Protocol.Base;
using NomadQemu.Protocol.Drivers;
using NomadQemu.Protocol.GoPlugin;

namespace NomadQemu.TestKit;

/// <summary>
/// The published plugin launched exactly the way Nomad's client launches it (magic cookie, protocol
/// versions, inherited environment), its handshake line read from stdout, and a gRPC client dialled to
/// the unix socket it names. Captures every byte of stdout and every stderr line for assertions.
/// </summary>
public sealed class PluginProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly MemoryStream _stdout = new();
    private readonly List<string> _stderr = [];
    private readonly TaskCompletionSource<string> _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _stdoutPump;

    private PluginProcess(Process process)
    {
        _process = process;
        _stdoutPump = Task.Run(PumpStdoutAsync);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.Add(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
    }

    /// <summary>Every task this plugin was asked to start; what is left at dispose is destroyed (see <see cref="DisposeAsync"/>).</summary>
    public TaskReaper Reaper { get; } = new();

    public string SocketPath { get; private set; } = "";
    public string HandshakeLine { get; private set; } = "";
    public GrpcChannel Channel { get; private set; } = null!;
    public int Pid => _process.Id;
    public Process Process => _process;

    /// <summary>The channel with <see cref="Reaper"/> watching the calls of the clients below.</summary>
    private CallInvoker Calls { get; set; } = null!;

    public BasePlugin.BasePluginClient Base => new(Calls);
    public Driver.DriverClient Driver => new(Calls);
    public GRPCController.GRPCControllerClient Controller => new(Calls);
    public Grpc.Health.V1.Health.HealthClient Health => new(Channel);

    public IReadOnlyList<string> StderrLines
    {
        get
        {
            lock (_stderr)
            {
                return [.. _stderr];
            }
        }
    }

    public byte[] StdoutBytes
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToArray();
            }
        }
    }

    public static async Task<PluginProcess> StartAsync(
        string socketDir,
        IDictionary<string, string>? environment = null,
        IEnumerable<string>? args = null,
        CancellationToken cancellationToken = default
    )
    {
        var start = new ProcessStartInfo(TestEnvironment.Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["NOMAD_PLUGIN_MAGIC_COOKIE"] = TestEnvironment.MagicCookie;
        start.Environment["PLUGIN_PROTOCOL_VERSIONS"] = "2";
        start.Environment["PLUGIN_MIN_PORT"] = "10000";
        start.Environment["PLUGIN_MAX_PORT"] = "25000";
        start.Environment["PLUGIN_UNIX_SOCKET_DIR"] = socketDir;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        foreach (var arg in args ?? [])
        {
            start.ArgumentList.Add(arg);
        }
        var plugin = new PluginProcess(Process.Start(start)!);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TestEnvironment.Scaled(20));
        var line = await plugin._handshake.Task.WaitAsync(timeout.Token);
        plugin.HandshakeLine = line;
        var parts = line.Split('|');
        plugin.SocketPath = parts[3];
        plugin.Channel = CreateChannel(plugin.SocketPath);
        plugin.Calls = plugin.Channel.Intercept(plugin.Reaper);
        return plugin;
    }

    /// <summary>A channel over the plugin's unix socket, as go-plugin dials it (h2c, authority unused).</summary>
    public static GrpcChannel CreateChannel(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            EnableMultipleHttp2Connections = false,
        };
        return GrpcChannel.ForAddress(
            "http://unused",
            new GrpcChannelOptions
            {
                HttpHandler = handler,
                MaxReceiveMessageSize = null,
                MaxSendMessageSize = null,
            }
        );
    }

    private async Task PumpStdoutAsync()
    {
        var stream = _process.StandardOutput.BaseStream;
        var buffer = new byte[4096];
        var lineBuffer = new StringBuilder();
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            lock (_stdout)
            {
                _stdout.Write(buffer, 0, read);
            }
            if (!_handshake.Task.IsCompleted)
            {
                lineBuffer.Append(Encoding.ASCII.GetString(buffer, 0, read));
                var text = lineBuffer.ToString();
                var newline = text.IndexOf('\n');
                if (newline >= 0)
                {
                    _handshake.TrySetResult(text[..newline]);
                }
            }
        }
        _handshake.TrySetException(
            new InvalidOperationException(
                "plugin closed stdout before the handshake; stderr: " + string.Join("\n", StderrLines)
            )
        );
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync(new CancellationTokenSource(timeout).Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL, as a crash would: the VMs are left to a new instance, so nothing is reaped after this.</summary>
    public void Kill()
    {
        Reaper.StandDown();
        _process.Kill();
    }

    /// <summary>
    /// Destroys the tasks still outstanding (unless the plugin was ended on purpose), then kills the plugin: a
    /// killed plugin leaves its VMs running under their supervisors, as it must for recovery, so a failed test
    /// would otherwise leave them to the tests and measurements after it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Channel is not null && !_process.HasExited && Reaper.Outstanding.Count > 0)
        {
            try
            {
                await Reaper.ReapAsync(Driver, TestEnvironment.Scaled(60));
            }
            catch (ObjectDisposedException)
            {
                // The caller closed the channel itself; nothing can be asked of the plugin any more.
            }
        }
        Channel?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        await _process.WaitForExitAsync();
        await _stdoutPump.ContinueWith(_ => { });
        _process.Dispose();
    }
}
