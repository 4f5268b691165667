using System.Runtime.InteropServices;
using System.Text;

namespace NomadQemu.Runner;

/// <summary>
/// The libc calls the runner needs for Nomad-style log FIFOs. DllImport with byte[] paths rather than
/// LibraryImport: the executable project does not allow unsafe code, and byte[] marshals by pinning.
/// </summary>
internal static class FifoNative
{
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int EINTR = 4;
    public const int EEXIST = 17;

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkfifoNative(byte[] path, uint mode);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int OpenNative(byte[] path, int flags, int mode);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int fd);

    /// <summary>Creates a FIFO readable and writable by its owner only (the VM's console can hold secrets).</summary>
    public static void CreateFifo(string path)
    {
        if (
            MkfifoNative(
                CString(path),
                0x180 /* 0600 */
            ) != 0
        )
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"mkfifo {path} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    /// <summary>open(2); returns the descriptor or -1 with the errno in <paramref name="errno"/>.</summary>
    public static int Open(string path, int flags, out int errno)
    {
        while (true)
        {
            var fd = OpenNative(CString(path), flags, 0);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (fd >= 0 || errno != EINTR)
            {
                return fd;
            }
        }
    }

    private static byte[] CString(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
