using System.Net.Sockets;
using System.Text;

namespace NomadQemu.E2E.Tests.Jail;

/// <summary>
/// A second QMP monitor a job added through its own <c>args</c> (a TCP listener on loopback): the attacker's
/// console. The driver holds the VM's own QMP socket, so the tests speak through this one.
/// </summary>
internal sealed class TcpQmp : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly StreamReader _reader;
    private readonly NetworkStream _stream;

    private TcpQmp(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    /// <summary>The job args that open the monitor on <paramref name="port"/>.</summary>
    public static string[] JobArgs(int port) =>
        [
            "-chardev",
            $"socket,id=attacker,host=127.0.0.1,port={port},server=on,wait=off",
            "-mon",
            "chardev=attacker,mode=control",
        ];

    public static async Task<TcpQmp> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cancellationToken);
        var qmp = new TcpQmp(client);
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
        _client.Dispose();
    }
}
