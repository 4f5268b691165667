using System.Runtime.InteropServices;
using System.Text;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Supervision;

/// <summary>
/// A unix socket the supervisor (root) binds and listens on for QEMU, which then only inherits it: QEMU
/// needs no writable host path, and the socket is 0600 root's from its first instant (the supervisor runs
/// with umask 077), so only root can connect, however the plugin's umask was set. Plain libc calls, not
/// .NET's Socket: disposing a bound .NET socket unlinks its path, which would take QMP away from the plugin
/// the moment the supervisor closes its own copy.
/// </summary>
internal sealed unsafe partial class ListeningSocket : IDisposable
{
    private const int AF_UNIX = 1;
    private const int SOCK_STREAM = 1;
    private const int SOCK_CLOEXEC = 0x80000;
    private const int SunPathBytes = 108;

    private int _fd;

    private ListeningSocket(int fd) => _fd = fd;

    /// <summary>The descriptor (close-on-exec: it reaches QEMU only through an explicit dup2).</summary>
    public int Fd => _fd;

    public static ListeningSocket Create(string path)
    {
        File.Delete(path);
        var name = Encoding.UTF8.GetBytes(path);
        if (name.Length >= SunPathBytes)
        {
            throw new IOException($"socket path too long for a unix socket: {path}");
        }
        var fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new IOException($"cannot create a socket: {Jail.JailNative.LastError()}");
        }
        var address = stackalloc byte[2 + SunPathBytes];
        new Span<byte>(address, 2 + SunPathBytes).Clear();
        *(ushort*)address = AF_UNIX;
        name.CopyTo(new Span<byte>(address + 2, SunPathBytes));
        if (bind(fd, address, 2 + name.Length + 1) != 0 || listen(fd, 16) != 0)
        {
            var error = Jail.JailNative.LastError();
            LibC.close(fd);
            throw new IOException($"cannot listen on {path}: {error}");
        }
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new ListeningSocket(fd);
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            LibC.close(_fd);
            _fd = -1;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int bind(int fd, byte* address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int listen(int fd, int backlog);
}
