using System.Net.Sockets;

namespace NomadQemu.Driver.Supervision;

/// <summary>
/// A unix socket the supervisor (root) binds and listens on for QEMU, which then only inherits it: QEMU
/// needs no writable host path, and the socket is 0600 root's from its first instant (the supervisor runs
/// with umask 077), so only root can connect, however the plugin's umask was set.
/// </summary>
internal sealed class ListeningSocket : IDisposable
{
    private readonly Socket _socket;

    private ListeningSocket(Socket socket) => _socket = socket;

    /// <summary>The descriptor (close-on-exec: it reaches QEMU only through an explicit dup2).</summary>
    public int Fd => (int)_socket.Handle;

    public static ListeningSocket Create(string path)
    {
        File.Delete(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            socket.Listen(16);
            return new ListeningSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _socket.Dispose();
}
