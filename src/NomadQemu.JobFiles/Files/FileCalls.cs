using System.Runtime.InteropServices;

namespace NomadQemu.JobFiles.Files;

/// <summary>
/// The few libc calls <see cref="RegularFile"/> needs. The flag values are the generic Linux ones, the same on
/// x86-64 and arm64; struct statx has one layout on every architecture, so its fields are read by offset.
/// </summary>
internal static unsafe partial class FileCalls
{
    public const int O_RDONLY = 0;
    public const int O_NOCTTY = 0x100;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int O_PATH = 0x200000;

    public const int AT_FDCWD = -100;
    public const int AT_EMPTY_PATH = 0x1000;

    public const int ENOENT = 2;
    public const int EINTR = 4;

    // The file type bits of st_mode (S_IFMT and the S_IF* values).
    public const int TypeMask = 0xF000;
    public const int TypeFifo = 0x1000;
    public const int TypeCharDevice = 0x2000;
    public const int TypeDirectory = 0x4000;
    public const int TypeBlockDevice = 0x6000;
    public const int TypeRegular = 0x8000;
    public const int TypeSymlink = 0xA000;
    public const int TypeSocket = 0xC000;

    private const uint STATX_TYPE = 0x1;
    private const int StatxSize = 256;
    private const int StatxModeOffset = 28;

    [LibraryImport("libc", EntryPoint = "openat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenAtNative(int dirfd, string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatxNative(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>openat(2) relative to the working directory, retried on EINTR; -1 with errno set on failure.</summary>
    public static int Open(string path, int flags)
    {
        int fd;
        do
        {
            fd = OpenAtNative(AT_FDCWD, path, flags, 0);
        } while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);
        return fd;
    }

    /// <summary>The file type bits (TypeMask) of an open descriptor, or null with errno set.</summary>
    public static int? FileType(int fd)
    {
        var buffer = stackalloc byte[StatxSize];
        if (StatxNative(fd, "", AT_EMPTY_PATH, STATX_TYPE, buffer) != 0)
        {
            return null;
        }
        return *(ushort*)(buffer + StatxModeOffset) & TypeMask;
    }
}
