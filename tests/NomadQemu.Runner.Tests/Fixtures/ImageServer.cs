using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NomadQemu.Runner.Tests.Fixtures;

/// <summary>
/// A loopback HTTP server the tests own: serves one file at /disk.qcow2 and counts the GET requests for
/// it, so a test can tell a download from a cache hit.
/// </summary>
public sealed class ImageServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _file;
    private readonly Task _accept;
    private int _requests;

    public ImageServer(string file)
    {
        _file = file;
        _listener.Start();
        _accept = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string ImageUrl => $"http://127.0.0.1:{Port}/disk.qcow2";

    public int ImageRequests => Volatile.Read(ref _requests);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(client));
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = new StringBuilder();
                var buffer = new byte[4096];
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }
                    head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }
                var requestLine = head.ToString().Split("\r\n")[0].Split(' ');
                if (requestLine is ["GET", "/disk.qcow2", _])
                {
                    Interlocked.Increment(ref _requests);
                    var length = new FileInfo(_file).Length;
                    await stream.WriteAsync(
                        Encoding.ASCII.GetBytes(
                            $"HTTP/1.1 200 OK\r\nContent-Length: {length.ToString(CultureInfo.InvariantCulture)}\r\nConnection: close\r\n\r\n"
                        ),
                        _stop.Token
                    );
                    await using var content = File.OpenRead(_file);
                    await content.CopyToAsync(stream, _stop.Token);
                }
                else
                {
                    await stream.WriteAsync(
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(),
                        _stop.Token
                    );
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        _stop.Dispose();
    }
}
