using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NomadQemu.Core.Config;
using NomadQemu.Core.Validation;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Files;

/// <summary>
/// Opens a file a job names, beneath one of its allowed roots, in one step: openat2 from an open descriptor of the
/// root with RESOLVE_BENEATH (no absolute symlinks, no ".." above the root) and RESOLVE_NO_MAGICLINKS (no
/// /proc/*/fd tricks). The check is the open itself, so there is no window to swap the name for a symlink. Only
/// regular files are accepted (a FIFO would block the open, a device is never a disk image). RESOLVE_NO_XDEV is
/// NOT set: Nomad mounts secrets/ and volumes inside the alloc dir, and a mount point is still beneath the root.
/// </summary>
internal static class ConfinedOpener
{
    private static int s_openat2Missing;

    /// <exception cref="ConfigException">Outside every root, missing, or not a regular file; names the key and rule.</exception>
    public static OpenedFile Open(string key, string path, string baseDir, IReadOnlyList<string> roots, bool writable)
    {
        var candidates = ImagePathGuard.Candidates(key, path, baseDir, roots);
        ConfigException? last = null;
        foreach (var candidate in candidates)
        {
            var flags = (writable ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC | LibC.O_NOCTTY | LibC.O_NONBLOCK;
            var fd = OpenBeneath(candidate, flags, out var errno);
            if (fd < 0)
            {
                last = Refusal(key, path, roots, candidate, errno);
                continue;
            }
            var handle = new SafeFileHandle(fd, ownsHandle: true);
            if (LibC.FStat(fd) is not { } stat || (stat.Mode & LibC.FileTypeMask) != LibC.RegularFileType)
            {
                handle.Dispose();
                throw ConfigException.ForKey(key, $"\"{path}\" is not a regular file");
            }
            // Non-blocking only guarded the open against a FIFO; QEMU wants ordinary blocking I/O.
            LibC.fcntl(fd, LibC.F_SETFL, LibC.fcntl(fd, LibC.F_GETFL, 0) & ~LibC.O_NONBLOCK);
            var full = Path.Join(candidate.Root, candidate.Beneath);
            return new OpenedFile(handle, key, path, Path.GetDirectoryName(full) ?? candidate.Root, stat, writable);
        }
        throw last!;
    }

    private static int OpenBeneath(ImagePathGuard.Candidate candidate, int flags, out int errno)
    {
        var rootFd = LibC.open(candidate.Root, LibC.O_PATH | LibC.ODirectory | LibC.O_CLOEXEC, 0);
        if (rootFd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return -1;
        }
        try
        {
            var beneath = candidate.Beneath.Length == 0 ? "." : candidate.Beneath;
            if (Volatile.Read(ref s_openat2Missing) == 0)
            {
                var how = new LibC.OpenHow
                {
                    Flags = (ulong)flags,
                    Resolve = LibC.RESOLVE_BENEATH | LibC.RESOLVE_NO_MAGICLINKS,
                };
                var fd = LibC.Openat2(rootFd, beneath, how);
                errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
                if (fd >= 0 || errno != LibC.ENOSYS)
                {
                    return fd;
                }
                Volatile.Write(ref s_openat2Missing, 1);
            }
            return WalkWithoutSymlinks(rootFd, beneath, flags, out errno);
        }
        finally
        {
            LibC.close(rootFd);
        }
    }

    /// <summary>
    /// Kernels before 5.6 have no openat2: walk one component at a time with O_NOFOLLOW. Stricter than openat2
    /// (no symlink at all, no ".."), never looser.
    /// </summary>
    private static int WalkWithoutSymlinks(int rootFd, string beneath, int flags, out int errno)
    {
        var parts = beneath.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Contains(".."))
        {
            errno = LibC.EXDEV;
            return -1;
        }
        var dirFd = LibC.fcntl(rootFd, LibC.F_DUPFD_CLOEXEC, 0);
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            var next = last
                ? LibC.openat(dirFd, parts[i], flags | LibC.ONoFollow, 0)
                : LibC.openat(dirFd, parts[i], LibC.O_PATH | LibC.ODirectory | LibC.ONoFollow | LibC.O_CLOEXEC, 0);
            errno = next < 0 ? Marshal.GetLastPInvokeError() : 0;
            LibC.close(dirFd);
            if (next < 0)
            {
                return -1;
            }
            dirFd = next;
        }
        errno = parts.Length == 0 ? LibC.EISDIR : 0;
        if (parts.Length == 0)
        {
            LibC.close(dirFd);
            return -1;
        }
        return dirFd;
    }

    private static ConfigException Refusal(
        string key,
        string path,
        IReadOnlyList<string> roots,
        ImagePathGuard.Candidate candidate,
        int errno
    ) =>
        errno switch
        {
            LibC.ENOENT => ConfigException.ForKey(key, $"\"{path}\" does not exist (beneath {candidate.Root})"),
            LibC.EXDEV or LibC.ELOOP or LibC.ENOTDIR => ImagePathGuard.Outside(
                key,
                path,
                roots,
                $"resolving it beneath {candidate.Root} leaves that directory or meets a forbidden link ({Marshal.GetPInvokeErrorMessage(errno)})"
            ),
            LibC.EISDIR => ConfigException.ForKey(key, $"\"{path}\" is a directory, not a file"),
            _ => ConfigException.ForKey(key, $"\"{path}\" cannot be opened: {Marshal.GetPInvokeErrorMessage(errno)}"),
        };
}
