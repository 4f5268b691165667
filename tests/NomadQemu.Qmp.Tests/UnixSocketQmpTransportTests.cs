using System.Net.Sockets;
using System.Text;
using NomadQemu.Qmp.Transport;

namespace NomadQemu.Qmp.Tests;

public sealed class UnixSocketQmpTransportTests : IDisposable
{
    private readonly string _directory = ShortTempPaths.NewDirectory("qmpt");

    public void Dispose() => ShortTempPaths.DeleteQuietly(_directory);

    [Fact]
    public async Task ConnectAsync_SocketCreatedLater_ConnectsOnceSomeoneListens()
    {
        using CancellationTokenSource timeout = TestTimeout.Start();
        string path = Path.Combine(_directory, "q.sock");

        Task<UnixSocketQmpTransport> connecting = UnixSocketQmpTransport.ConnectAsync(path, timeout.Token);
        await Task.Delay(150, timeout.Token);
        Assert.False(connecting.IsCompleted, "there is nothing to connect to yet");
        using Socket listener = Listen(path);
        await using UnixSocketQmpTransport transport = await connecting;
        using Socket server = await listener.AcceptAsync(timeout.Token);

        await server.SendAsync("hello\n"u8.ToArray(), timeout.Token);
        byte[] buffer = new byte[16];
        int read = await transport.ReadAsync(buffer, timeout.Token);
        Assert.Equal("hello\n", Encoding.UTF8.GetString(buffer, 0, read));
    }

    [Fact]
    public async Task ConnectAsync_StaleSocketFileRefuses_RetriesUntilANewListenerAppears()
    {
        using CancellationTokenSource timeout = TestTimeout.Start();
        string path = Path.Combine(_directory, "q.sock");
        using (Socket stale = Listen(path + ".tmp"))
        {
            // .NET unlinks the socket file it bound when disposed; moving it away first leaves a socket file
            // that nobody listens on, as a SIGKILLed QEMU does.
            File.Move(path + ".tmp", path);
        }

        Assert.True(File.Exists(path));
        Task<UnixSocketQmpTransport> connecting = UnixSocketQmpTransport.ConnectAsync(path, timeout.Token);
        await Task.Delay(150, timeout.Token);
        Assert.False(connecting.IsCompleted, "a stale socket refuses connections");
        File.Delete(path);
        using Socket listener = Listen(path);

        await using UnixSocketQmpTransport transport = await connecting;
    }

    [Fact]
    public async Task ConnectAsync_NothingAppearsBeforeTokenFires_ThrowsOperationCanceledNamingPathAndLastError()
    {
        using CancellationTokenSource timeout = TestTimeout.Start();
        using var shortWait = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        shortWait.CancelAfter(TimeSpan.FromMilliseconds(200));
        string path = Path.Combine(_directory, "never.sock");

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => UnixSocketQmpTransport.ConnectAsync(path, shortWait.Token));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("AddressNotAvailable", ex.Message, StringComparison.Ordinal);
        Assert.IsType<SocketException>(ex.InnerException);
    }

    [Fact]
    public async Task ConnectAsync_PathLongerThanSunPath_ThrowsArgumentExceptionAtOnce()
    {
        string path = "/tmp/" + new string('p', 110) + ".sock";

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => UnixSocketQmpTransport.ConnectAsync(path, CancellationToken.None));

        Assert.Contains("107 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Equal("socketPath", ex.ParamName);
    }

    [Fact]
    public async Task DisposeAsync_WhileReadIsPending_EndsTheRead()
    {
        using CancellationTokenSource timeout = TestTimeout.Start();
        string path = Path.Combine(_directory, "q.sock");
        using Socket listener = Listen(path);
        UnixSocketQmpTransport transport = await UnixSocketQmpTransport.ConnectAsync(path, timeout.Token);
        using Socket server = await listener.AcceptAsync(timeout.Token);

        ValueTask<int> read = transport.ReadAsync(new byte[16], timeout.Token);
        await transport.DisposeAsync();

        // Either end-of-stream or an exception is fine; hanging is not.
        int? result = null;
        try
        {
            result = await read.AsTask().WaitAsync(TimeSpan.FromSeconds(2), timeout.Token);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
        }

        Assert.True(result is null or 0, $"read returned {result}");
    }

    [Fact]
    public async Task ReadAsync_PeerClosesWithOurBytesUnread_DeliversItsDataThenEndOfStream()
    {
        using CancellationTokenSource timeout = TestTimeout.Start();
        string path = Path.Combine(_directory, "q.sock");
        using Socket listener = Listen(path);
        await using UnixSocketQmpTransport transport = await UnixSocketQmpTransport.ConnectAsync(path, timeout.Token);
        Socket server = await listener.AcceptAsync(timeout.Token);

        // What QEMU does on "quit": answer, then exit without reading the rest of our input (ECONNRESET).
        await transport.WriteAsync("{\"execute\": \"quit\"}\n"u8.ToArray(), timeout.Token);
        await server.SendAsync("bye\n"u8.ToArray(), timeout.Token);
        server.Dispose();
        byte[] buffer = new byte[16];
        int first = await transport.ReadAsync(buffer, timeout.Token);
        int second = await transport.ReadAsync(buffer, timeout.Token);

        Assert.Equal("bye\n", Encoding.UTF8.GetString(buffer, 0, first));
        Assert.Equal(0, second);
    }

    [Fact]
    public async Task QmpClientConnectAsync_ServerNeverGreets_GivesUpWithAMessageAboutTheGreeting()
    {
        using CancellationTokenSource timeout = TestTimeout.Start();
        using var shortWait = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        shortWait.CancelAfter(TimeSpan.FromMilliseconds(300));
        string path = Path.Combine(_directory, "q.sock");
        using Socket listener = Listen(path);

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => QmpClient.ConnectAsync(path, shortWait.Token));

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
