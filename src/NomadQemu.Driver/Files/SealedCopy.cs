using Microsoft.Win32.SafeHandles;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Files;

/// <summary>
/// A read-only copy of an opened file in a sealed memfd. QEMU reads <c>kernel</c>/<c>initrd</c> with a plain
/// open() of <c>/proc/self/fd/N</c>, and opening through that link checks the target inode's permissions against
/// the caller: a jailed QEMU (an unprivileged uid) cannot open a job's 0600 root-owned kernel that way. A memfd
/// inode is mode 0777 and, once sealed, nobody can change its content or size, so the jailed QEMU reads exactly
/// the bytes the plugin read from the file it opened beneath its root. Costs the file's size in shared memory
/// for the VM's life (QEMU keeps the inherited descriptor open).
/// </summary>
internal static class SealedCopy
{
    private const int ChunkBytes = 1 << 20;

    /// <exception cref="IOException">The memfd could not be made, filled or sealed.</exception>
    public static SafeFileHandle Of(OpenedFile source)
    {
        var fd = LibC.memfd_create(source.Key, LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        if (fd < 0)
        {
            throw new IOException($"cannot create a memfd for {source.Key}: {LibC.LastError()}");
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
            var seals = LibC.F_SEAL_WRITE | LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_SEAL;
            if (LibC.fcntl(fd, LibC.F_ADD_SEALS, seals) != 0)
            {
                throw new IOException($"cannot seal the copy of {source.Key}: {LibC.LastError()}");
            }
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }
}
