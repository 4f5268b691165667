using System.Runtime.InteropServices;

namespace NomadQemu.Driver.Jail;

/// <summary>The libc calls only the jail needs: uid lock files, file ownership, the bwrap info pipe.</summary>
internal static unsafe partial class JailNative
{
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int O_CLOEXEC = 0x80000;
    public const int AT_FDCWD = -100;
    public const uint STATX_UID = 0x8;
    public const uint STATX_GID = 0x10;

    // struct statx is the same on every architecture: stx_uid at byte 20, stx_gid at byte 24, 256 bytes in all.
    private const int StatxBytes = 256;
    private const int StatxUidOffset = 20;
    private const int StatxGidOffset = 24;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chown(string path, uint owner, uint group);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>The owner and group of <paramref name="path"/> (following symlinks), or null if it cannot be read.</summary>
    public static (uint Uid, uint Gid)? Owner(string path)
    {
        var buffer = stackalloc byte[StatxBytes];
        if (statx(AT_FDCWD, path, 0, STATX_UID | STATX_GID, buffer) != 0)
        {
            return null;
        }
        return (*(uint*)(buffer + StatxUidOffset), *(uint*)(buffer + StatxGidOffset));
    }

    public static string LastError() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
}
