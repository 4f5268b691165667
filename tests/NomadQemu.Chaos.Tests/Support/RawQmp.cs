using System.Net.Sockets;
using System.Text;

namespace NomadQemu.Chaos.Tests.Support;

/// <summary>
/// A minimal QMP exchange over QEMU's socket, written for the tests alone: it plays an operator poking the
/// VM while no plugin runs (QEMU serves one QMP client at a time, and with the plugin dead nobody holds it).
/// </summary>
public static class RawQmp
{
    public static async Task ExecuteAsync(string socketPath, string command, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var greeting = await reader.ReadLineAsync(cancellationToken);
        if (greeting is null || !greeting.Contains("\"QMP\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"no QMP greeting on {socketPath}: {greeting}");
        }
        await SendAsync(stream, reader, "qmp_capabilities", cancellationToken);
        await SendAsync(stream, reader, command, cancellationToken);
    }

    private static async Task SendAsync(
        NetworkStream stream,
        StreamReader reader,
        string command,
        CancellationToken cancellationToken
    )
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes($"{{\"execute\":\"{command}\"}}\n"), cancellationToken);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            // Events (e.g. POWERDOWN) may come before the reply; only a return or an error ends the command.
            if (line.Contains("\"return\"", StringComparison.Ordinal))
            {
                return;
            }
            if (line.Contains("\"error\"", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"QMP {command} failed: {line}");
            }
        }
        throw new IOException($"QMP connection closed before the reply to {command}");
    }
}
