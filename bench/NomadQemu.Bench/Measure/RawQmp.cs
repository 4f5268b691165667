using System.Net.Sockets;
using System.Text;

namespace NomadQemu.Bench.Measure;

/// <summary>
/// The least a tool can do to power a VM down: a bare QMP session on the unix socket (greeting,
/// qmp_capabilities, system_powerdown), written independently of the driver's QMP client.
/// </summary>
public static class RawQmp
{
    public static async Task SystemPowerdownAsync(string socketPath, CancellationToken cancellationToken)
    {
        await ExecuteAsync(socketPath, "system_powerdown", "\"return\"", cancellationToken);
    }

    /// <summary>One session: greeting, qmp_capabilities, then <paramref name="command"/> until a reply holding <paramref name="expected"/>.</summary>
    private static async Task ExecuteAsync(
        string socketPath,
        string command,
        string expected,
        CancellationToken cancellationToken
    )
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await ExpectAsync(reader, "\"QMP\"", cancellationToken);
        await SendAsync(stream, "{\"execute\":\"qmp_capabilities\"}", cancellationToken);
        await ExpectAsync(reader, "\"return\"", cancellationToken);
        await SendAsync(stream, $"{{\"execute\":\"{command}\"}}", cancellationToken);
        await ExpectAsync(reader, expected, cancellationToken);
    }

    /// <summary>True once something accepts on the socket and greets: QEMU built the machine.</summary>
    public static async Task<bool> AnswersAsync(string socketPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(socketPath))
        {
            return false;
        }
        try
        {
            await ExecuteAsync(socketPath, "query-status", "\"running\"", cancellationToken);
            return true;
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return false;
        }
    }

    private static async Task SendAsync(Stream stream, string command, CancellationToken cancellationToken) =>
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\n"), cancellationToken);

    private static async Task ExpectAsync(StreamReader reader, string fragment, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line =
                await reader.ReadLineAsync(cancellationToken)
                ?? throw new IOException($"QMP closed before a line with {fragment}");
            if (line.Contains(fragment, StringComparison.Ordinal))
            {
                return;
            }
            if (line.Contains("\"error\"", StringComparison.Ordinal))
            {
                throw new IOException($"QMP error: {line}");
            }
        }
    }
}
