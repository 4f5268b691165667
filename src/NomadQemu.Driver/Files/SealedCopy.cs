using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NomadQemu.Driver.Files;

/// <summary>
/// A read-only copy of an opened file in a sealed memfd. QEMU reads <c>kernel</c>/<c>initrd</c> with a plain
/// open() of <c>/proc/self/fd/N</c>, and opening through that link checks the target inode's permissions against
/// the caller: a jailed QEMU (an unprivileged uid) cannot open a job's 0600 root-owned kernel that way. A memfd
/// inode is mode 0777 and, once sealed, nobody can change its content or size, so the jailed QEMU reads exactly
/// the bytes the plugin read from the file it opened beneath its root. Costs the file's size in shared memory
/// for the VM's life (QEMU keeps the inherited descriptor open).
/// </summary>
internal static partial class SealedCopy
{
    private const uint MFD_CLOEXEC = 1;
    private const uint MFD_ALLOW_SEALING = 2;
    private const int F_ADD_SEALS = 1033;
    private const int F_SEAL_SEAL = 1;
    private const int F_SEAL_SHRINK = 2;
    private const int F_SEAL_GROW = 4;
    private const int F_SEAL_WRITE = 8;
    private const int ChunkBytes = 1 << 20;

    /// <exception cref="IOException">The memfd could not be made, filled or sealed.</exception>
    public static SafeFileHandle Of(OpenedFile source)
    {
        var fd = memfd_create(source.Key, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
        {
            throw new IOException($"cannot create a memfd for {source.Key}: {LastError()}");
        }
        var copy = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var buffer = new byte[ChunkBytes];
            long offset = 0;
            while (true)
            {
                var read = RandomAccess.Read(source.Handle, buffer, offset);
                if (read == 0)
                {
                    break;
                }
                RandomAccess.Write(copy, buffer.AsSpan(0, read), offset);
                offset += read;
            }
            if (Native.LibC.fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
            {
                throw new IOException($"cannot seal the copy of {source.Key}: {LastError()}");
            }
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int memfd_create(string name, uint flags);

    private static string LastError() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
}
