using System.Net.Sockets;
using System.Text;

namespace NomadQemu.E2E.Tests.Jail;

/// <summary>
/// A bare QMP line to a VM's own socket, standing in for whoever gets to speak QMP (a job's args can no longer add
/// a monitor; a QEMU bug or a forgotten option could still hand one out). QEMU serves one QMP client at a time: use
/// it only on a VM the driver has not talked QMP to since the start.
/// </summary>
internal sealed class RawQmp : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private RawQmp(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    public static async Task<RawQmp> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        var qmp = new RawQmp(socket);
        await qmp._reader.ReadLineAsync(cancellationToken); // greeting
        await qmp.ExecuteAsync("""{"execute":"qmp_capabilities"}""", cancellationToken);
        return qmp;
    }

    /// <summary>The reply line (a "return" or an "error"), skipping events.</summary>
    public async Task<string> ExecuteAsync(string command, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\n"), cancellationToken);
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (
                line.Contains("\"return\"", StringComparison.Ordinal)
                || line.Contains("\"error\"", StringComparison.Ordinal)
            )
            {
                return line;
            }
        }
        throw new IOException("QMP connection closed before the reply");
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
