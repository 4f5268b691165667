using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NomadQemu.Artifacts.Tests;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 built on TcpListener, so tests control the wire: exact status codes,
/// a body cut off mid-way with a TCP reset, slow responses, and a count of every request received.
/// One request per connection (Connection: close) keeps it simple and deterministic.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly Task _acceptLoop;

    public LoopbackHttpServer()
    {
        _listener.Start();
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _acceptLoop = AcceptLoopAsync();
    }

    public Uri BaseUri { get; }

    public int RequestCount => _requests.Count;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public string Url(string pathAndQuery) => new Uri(BaseUri, pathAndQuery).ToString();

    public void Serve(string path, byte[] body) =>
        _routes[path] = new Route(body, 200, CutHalfway: false, TimeSpan.Zero);

    /// <summary>Answers <paramref name="path"/> with a redirect to <paramref name="location"/> (absolute or relative).</summary>
    public void Redirect(string path, string location, int status = 302) =>
        _routes[path] = new Route([], status, CutHalfway: false, TimeSpan.Zero, location);

    public void Fail(string path, int status) =>
        _routes[path] = new Route("error"u8.ToArray(), status, CutHalfway: false, TimeSpan.Zero);

    /// <summary>Announces the full Content-Length, sends half the body, then resets the connection.</summary>
    public void CutHalfway(string path, byte[] body) =>
        _routes[path] = new Route(body, 200, CutHalfway: true, TimeSpan.Zero);

    public void Delay(string path, byte[] body, TimeSpan delay) =>
        _routes[path] = new Route(body, 200, CutHalfway: false, delay);

    public int RequestsFor(string path) => _requests.Count(r => r.Path == path);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException) { }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        try
        {
            using (client)
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream, _stop.Token);
                if (request is null)
                {
                    return;
                }

                _requests.Enqueue(request);
                if (!_routes.TryGetValue(request.Path, out var route))
                {
                    route = new Route("not found"u8.ToArray(), 404, CutHalfway: false, TimeSpan.Zero);
                }

                await RespondAsync(client, stream, route, _stop.Token);
            }
        }
        catch (Exception ex)
            when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away (e.g. a cancelled fetch); nothing to do.
        }
    }

    private static async Task RespondAsync(TcpClient client, NetworkStream stream, Route route, CancellationToken stop)
    {
        if (route.Delay > TimeSpan.Zero)
        {
            await Task.Delay(route.Delay, stop);
        }

        var reason = route.Status switch
        {
            200 => "OK",
            404 => "Not Found",
            500 => "Internal Server Error",
            301 or 302 or 303 or 307 or 308 => "Redirect",
            _ => "Status",
        };
        var location = route.Location is null ? "" : $"Location: {route.Location}\r\n";
        var head =
            $"HTTP/1.1 {route.Status} {reason}\r\nContent-Length: {route.Body.Length}\r\n{location}"
            + "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), stop);
        if (route.CutHalfway)
        {
            await stream.WriteAsync(route.Body.AsMemory(0, route.Body.Length / 2), stop);
            await stream.FlushAsync(stop);
            // Linger 0 turns close into a TCP RST: the client sees a reset, not a clean end.
            client.Client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
            return;
        }

        await stream.WriteAsync(route.Body, stop);
        await stream.FlushAsync(stop);
    }

    private static async Task<RecordedRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken stop)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(head))
        {
            if (await stream.ReadAsync(one, stop) == 0)
            {
                return null;
            }

            head.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var target = lines[0].Split(' ')[1];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        return new RecordedRequest(
            question < 0 ? target : target[..question],
            question < 0 ? string.Empty : target[(question + 1)..],
            headers
        );
    }

    private static bool EndsWithBlankLine(List<byte> head) =>
        head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n';

    private sealed record Route(byte[] Body, int Status, bool CutHalfway, TimeSpan Delay, string? Location = null);
}

internal sealed record RecordedRequest(string Path, string Query, IReadOnlyDictionary<string, string> Headers);
