using System.Net.Sockets;
using System.Text;
using NomadQemu.Qmp.Transport;

namespace NomadQemu.Qmp.Tests;

public sealed class UnixSocketTransportTests : IDisposable
{
    private readonly string _directory = ShortTempPaths.NewDirectory("qmpt");

    public void Dispose() => ShortTempPaths.DeleteQuietly(_directory);

    [Fact]
    public async Task ConnectAsync_SocketCreatedLater_ConnectsOnceSomeoneListens()
    {
        using var timeout = TestTimeout.Start();
        var path = Path.Combine(_directory, "q.sock");

        var connecting = UnixSocketTransport.ConnectAsync(path, "QMP", timeout.Token);
        await Task.Delay(150, timeout.Token);
        Assert.False(connecting.IsCompleted, "there is nothing to connect to yet");
        using var listener = Listen(path);
        await using var transport = await connecting;
        using var server = await listener.AcceptAsync(timeout.Token);

        await server.SendAsync("hello\n"u8.ToArray(), timeout.Token);
        var buffer = new byte[16];
        var read = await transport.ReadAsync(buffer, timeout.Token);
        Assert.Equal("hello\n", Encoding.UTF8.GetString(buffer, 0, read));
    }

    [Fact]
    public async Task ConnectAsync_StaleSocketFileRefuses_RetriesUntilANewListenerAppears()
    {
        using var timeout = TestTimeout.Start();
        var path = Path.Combine(_directory, "q.sock");
        using (var stale = Listen(path + ".tmp"))
        {
            // .NET unlinks the socket file it bound when disposed; moving it away first leaves a socket file
            // that nobody listens on, as a SIGKILLed QEMU does.
            File.Move(path + ".tmp", path);
        }

        Assert.True(File.Exists(path));
        var connecting = UnixSocketTransport.ConnectAsync(path, "QMP", timeout.Token);
        await Task.Delay(150, timeout.Token);
        Assert.False(connecting.IsCompleted, "a stale socket refuses connections");
        File.Delete(path);
        using var listener = Listen(path);

        await using var transport = await connecting;
    }

    [Fact]
    public async Task ConnectAsync_NothingAppearsBeforeTokenFires_ThrowsOperationCanceledNamingPathAndLastError()
    {
        using var timeout = TestTimeout.Start();
        using var shortWait = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        shortWait.CancelAfter(TimeSpan.FromMilliseconds(200));
        var path = Path.Combine(_directory, "never.sock");

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            UnixSocketTransport.ConnectAsync(path, "QMP", shortWait.Token)
        );

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("AddressNotAvailable", ex.Message, StringComparison.Ordinal);
        Assert.IsType<SocketException>(ex.InnerException);
    }

    [Fact]
    public async Task ConnectAsync_PathLongerThanSunPath_ThrowsArgumentExceptionAtOnce()
    {
        var path = "/tmp/" + new string('p', 110) + ".sock";

        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            UnixSocketTransport.ConnectAsync(path, "QMP", CancellationToken.None)
        );

        Assert.Contains("120 bytes long, too long for a unix socket address", ex.Message, StringComparison.Ordinal);
        Assert.Equal("socketPath", ex.ParamName);
        Assert.IsType<ArgumentOutOfRangeException>(ex.InnerException);
    }

    [Fact]
    public async Task DisposeAsync_WhileReadIsPending_EndsTheRead()
    {
        using var timeout = TestTimeout.Start();
        var path = Path.Combine(_directory, "q.sock");
        using var listener = Listen(path);
        var transport = await UnixSocketTransport.ConnectAsync(path, "QMP", timeout.Token);
        using var server = await listener.AcceptAsync(timeout.Token);

        var read = transport.ReadAsync(new byte[16], timeout.Token);
        await transport.DisposeAsync();

        // Either end-of-stream or an exception is fine; hanging is not.
        int? result = null;
        try
        {
            result = await read.AsTask().WaitAsync(TimeSpan.FromSeconds(2), timeout.Token);
        }
        catch (Exception ex)
            when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException) { }

        Assert.True(result is null or 0, $"read returned {result}");
    }

    [Fact]
    public async Task ReadAsync_PeerClosesWithOurBytesUnread_DeliversItsDataThenEndOfStream()
    {
        using var timeout = TestTimeout.Start();
        var path = Path.Combine(_directory, "q.sock");
        using var listener = Listen(path);
        await using var transport = await UnixSocketTransport.ConnectAsync(path, "QMP", timeout.Token);
        var server = await listener.AcceptAsync(timeout.Token);

        // What QEMU does on "quit": answer, then exit without reading the rest of our input (ECONNRESET).
        await transport.WriteAsync("{\"execute\": \"quit\"}\n"u8.ToArray(), timeout.Token);
        await server.SendAsync("bye\n"u8.ToArray(), timeout.Token);
        server.Dispose();
        var buffer = new byte[16];
        var first = await transport.ReadAsync(buffer, timeout.Token);
        var second = await transport.ReadAsync(buffer, timeout.Token);

        Assert.Equal("bye\n", Encoding.UTF8.GetString(buffer, 0, first));
        Assert.Equal(0, second);
    }

    [Fact]
    public async Task QmpClientConnectAsync_ServerNeverGreets_GivesUpWithAMessageAboutTheGreeting()
    {
        using var timeout = TestTimeout.Start();
        using var shortWait = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        shortWait.CancelAfter(TimeSpan.FromMilliseconds(300));
        var path = Path.Combine(_directory, "q.sock");
        using var listener = Listen(path);

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            QmpClient.ConnectAsync(path, shortWait.Token)
        );

        Assert.Contains("greeting", ex.Message, StringComparison.Ordinal);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    private static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(4);
        return socket;
    }
}
