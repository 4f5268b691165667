using System.Net.Sockets;
using System.Text;

namespace NomadQemu.Qmp.Transport;

/// <summary>
/// A transport over a unix domain stream socket, as created by QEMU's <c>-qmp unix:PATH,server=on</c> or a
/// <c>-chardev socket,path=PATH,server=on</c> behind the guest agent's virtio-serial port.
/// </summary>
internal sealed class UnixSocketTransport : IDuplexTransport
{
    private static readonly TimeSpan s_firstRetryDelay = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_maxRetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private UnixSocketTransport(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>
    /// Connects to <paramref name="socketPath"/>, retrying while the socket file does not exist yet or nobody
    /// accepts on it (QEMU creates and listens on it a few milliseconds after it starts; a stale file from a
    /// killed QEMU also refuses). Gives up only when <paramref name="cancellationToken"/> fires.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token fired; the message names the path and the last error.</exception>
    /// <exception cref="SocketException">A failure that retrying cannot fix, e.g. permission denied.</exception>
    /// <param name="socketPath">The socket file.</param>
    /// <param name="socketKind">What the socket serves, for messages: "QMP" or "guest agent".</param>
    /// <param name="cancellationToken">The only bound on the retries.</param>
    public static async Task<UnixSocketTransport> ConnectAsync(
        string socketPath,
        string socketKind,
        CancellationToken cancellationToken
    )
    {
        var endPoint = EndPoint(socketPath, socketKind);
        var delay = s_firstRetryDelay;
        SocketException? lastError = null;

        while (true)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw GaveUp(socketPath, socketKind, lastError, cancellationToken);
            }

            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
                return new UnixSocketTransport(socket);
            }
            catch (SocketException ex) when (IsWorthRetrying(ex.SocketErrorCode))
            {
                socket.Dispose();
                lastError = ex;
            }
            catch (OperationCanceledException)
            {
                socket.Dispose();
                throw GaveUp(socketPath, socketKind, lastError, cancellationToken);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            try
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw GaveUp(socketPath, socketKind, lastError, cancellationToken);
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, s_maxRetryDelay.Ticks));
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await _stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
            when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            // On a unix socket ECONNRESET only means the peer closed while bytes WE sent were still unread in its
            // buffer; everything it sent was delivered before this error. QEMU does this after "quit": its
            // monitor stops reading once it has the command's closing brace, leaving our "\n" unread. That is an
            // ordinary end of stream.
            return 0;
        }
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        _stream.WriteAsync(data, cancellationToken);

    public ValueTask DisposeAsync()
    {
        // Shutdown first so a read blocked in the kernel returns at once, then release the descriptor.
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already disconnected: nothing to shut down.
        }
        catch (ObjectDisposedException) { }

        return _stream.DisposeAsync();
    }

    /// <summary>
    /// The socket address, refusing at once a path the kernel could never reach. The length rule is the BCL's
    /// (it knows <c>sockaddr_un</c>); this only turns its range error into one that names the socket.
    /// </summary>
    internal static UnixDomainSocketEndPoint EndPoint(string socketPath, string socketKind)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        try
        {
            return new UnixDomainSocketEndPoint(socketPath);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentException(
                $"{socketKind} socket path '{socketPath}' is {Encoding.UTF8.GetByteCount(socketPath)} bytes long, too long for a unix socket address: {e.Message}",
                nameof(socketPath),
                e
            );
        }
    }

    // ENOENT (reported by .NET as AddressNotAvailable): QEMU has not created the socket yet.
    // ECONNREFUSED: the file exists but nobody listens yet, or it is stale from a QEMU that was killed.
    private static bool IsWorthRetrying(SocketError error) =>
        error is SocketError.AddressNotAvailable or SocketError.ConnectionRefused or SocketError.TryAgain;

    private static OperationCanceledException GaveUp(
        string socketPath,
        string socketKind,
        SocketException? lastError,
        CancellationToken token
    )
    {
        var why = lastError is null
            ? "cancelled before the first attempt"
            : $"last error: {lastError.SocketErrorCode} ({lastError.Message})";
        return new OperationCanceledException(
            $"Gave up connecting to {socketKind} socket '{socketPath}': {why}.",
            lastError,
            token
        );
    }
}
