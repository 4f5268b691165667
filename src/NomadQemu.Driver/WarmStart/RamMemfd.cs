using Microsoft.Win32.SafeHandles;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.WarmStart;

/// <summary>
/// Guest RAM as a memfd. A template VM maps an empty one shared (so the host can save what the guest wrote); a
/// clone maps a sealed copy of the saved RAM privately: its pages stay shared with every other clone of the
/// template until the clone writes them, and the seals make sure no clone (nor anyone reopening it through
/// <c>/proc</c>) can change the bytes the others see.
/// </summary>
internal static class RamMemfd
{
    /// <summary>An empty (all zero, no pages yet) memfd of <paramref name="bytes"/>.</summary>
    public static SafeFileHandle Create(string name, long bytes)
    {
        var fd = LibC.memfd_create(name, LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        if (fd < 0)
        {
            throw new IOException($"cannot create a memfd for guest RAM: {LibC.LastError()}");
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (LibC.ftruncate(fd, bytes) != 0)
        {
            handle.Dispose();
            throw new IOException($"cannot size the guest RAM memfd to {bytes} bytes: {LibC.LastError()}");
        }
        return handle;
    }

    /// <summary>A sealed memfd holding <paramref name="ramFile"/>'s content; its SHA-256 must match <paramref name="sha256"/>.</summary>
    /// <exception cref="IOException">Short, unreadable or different content.</exception>
    public static SafeFileHandle SealedFrom(SafeFileHandle ramFile, long bytes, string sha256)
    {
        var memfd = Create("warm-template-ram", bytes);
        try
        {
            var (digest, _) = SparseCopy.Copy(ramFile, memfd, bytes);
            if (digest != sha256)
            {
                throw new IOException("the stored RAM does not match its digest in template.json");
            }
            var seals = LibC.F_SEAL_WRITE | LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_SEAL;
            if (LibC.fcntl((int)memfd.DangerousGetHandle(), LibC.F_ADD_SEALS, seals) != 0)
            {
                throw new IOException($"cannot seal the template RAM memfd: {LibC.LastError()}");
            }
            return memfd;
        }
        catch
        {
            memfd.Dispose();
            throw;
        }
    }

    /// <summary>Another descriptor (own open file description) of the same memfd, for QEMU to inherit.</summary>
    public static SafeFileHandle Reopen(SafeFileHandle memfd, bool writable)
    {
        var fd = LibC.open(
            $"/proc/self/fd/{memfd.DangerousGetHandle()}",
            (writable ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC,
            0
        );
        if (fd < 0)
        {
            throw new IOException($"cannot reopen the guest RAM memfd: {LibC.LastError()}");
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }
}
