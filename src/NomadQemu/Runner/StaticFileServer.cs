using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NomadQemu.Runner;

/// <summary>
/// A deliberately small HTTP/1.1 file server for the demo (hidden `serve-dir` command): serves the files of
/// one directory on loopback only, GET and HEAD, one request per connection, no listings, nothing outside
/// the directory. It exists so the demo's artifact really travels over HTTP without depending on python or
/// a web server package being installed.
/// </summary>
internal sealed class StaticFileServer(string root, TextWriter log)
{
    private readonly string _root = Path.GetFullPath(root);

    public async Task ServeAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(client, cancellationToken), CancellationToken.None);
        }
    }

    private async Task HandleAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream, cancellationToken);
                var parts = head?.Split('\n', 2)[0].Trim().Split(' ');
                if (parts is not [var method, var target, _])
                {
                    await RespondAsync(stream, 400, "Bad Request", cancellationToken);
                    return;
                }
                if (method is not ("GET" or "HEAD"))
                {
                    await RespondAsync(stream, 405, "Method Not Allowed", cancellationToken);
                    return;
                }
                var file = Resolve(target);
                log.WriteLine($"serve-dir: {method} {target} → {(file is null ? 404 : 200)}");
                if (file is null)
                {
                    await RespondAsync(stream, 404, "Not Found", cancellationToken);
                    return;
                }
                await using var content = new FileStream(
                    file,
                    FileMode.Open,
                    FileAccess.Read,
                    FileShare.Read,
                    1 << 16,
                    useAsync: true
                );
                var header =
                    $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {content.Length.ToString(CultureInfo.InvariantCulture)}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(header), cancellationToken);
                if (method == "GET")
                {
                    await content.CopyToAsync(stream, 1 << 16, cancellationToken);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // The client went away; nothing to clean up beyond the connection.
            }
        }
    }

    private string? Resolve(string target)
    {
        var path = Uri.UnescapeDataString(target.Split('?', 2)[0]).TrimStart('/');
        if (path.Length == 0)
        {
            return null;
        }
        var full = Path.GetFullPath(Path.Combine(_root, path));
        return full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(full)
            ? full
            : null;
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                return null;
            }
            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            if (text.Contains("\r\n\r\n", StringComparison.Ordinal) || text.Contains("\n\n", StringComparison.Ordinal))
            {
                return text;
            }
        }
        return null;
    }

    private static async Task RespondAsync(
        NetworkStream stream,
        int status,
        string reason,
        CancellationToken cancellationToken
    )
    {
        var body = $"{status.ToString(CultureInfo.InvariantCulture)} {reason}\n";
        var text =
            $"HTTP/1.1 {status.ToString(CultureInfo.InvariantCulture)} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text), cancellationToken);
    }

    public static TcpListener Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return listener;
    }
}
