using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace NomadQemu.Bench.Measure;

/// <summary>
/// Polls a forwarded guest port with a bare HTTP/1.0 GET until the guest answers 200. Raw TCP on purpose:
/// QEMU's user-mode network accepts the connection before the guest is up, so each attempt must be cheap
/// and bounded (0.3 s) and retried quickly (every 50 ms), like the loop in docs/test-guest-notes.md.
/// </summary>
public static class HttpProbe
{
    private static readonly byte[] s_request = Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\nHost: guest\r\n\r\n");

    public static async Task WaitFor200Async(
        int port,
        TimeSpan timeout,
        Func<string>? diagnostics,
        CancellationToken cancellationToken
    )
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (await TryOnceAsync(port, cancellationToken))
            {
                return;
            }
            await Task.Delay(50, cancellationToken);
        }
        throw new TimeoutException(
            $"no HTTP 200 on 127.0.0.1:{port} within {timeout.TotalSeconds:0} s{(diagnostics is null ? "" : "; " + diagnostics())}"
        );
    }

    private static async Task<bool> TryOnceAsync(int port, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromMilliseconds(300));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
        };
        try
        {
            await socket.ConnectAsync("127.0.0.1", port, attempt.Token);
            await socket.SendAsync(s_request, attempt.Token);
            var buffer = new byte[64];
            var read = await socket.ReceiveAsync(buffer, attempt.Token);
            return read >= 12
                && Encoding.ASCII.GetString(buffer, 0, read).StartsWith("HTTP/1.", StringComparison.Ordinal)
                && Encoding.ASCII.GetString(buffer, 9, 3) == "200";
        }
        catch (Exception e)
            when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
