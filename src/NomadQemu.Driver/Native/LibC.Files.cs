using System.Runtime.InteropServices;

namespace NomadQemu.Driver.Native;

/// <summary>Descriptor-relative file calls: openat2, statx, fchmod, umask and F_DUPFD_CLOEXEC.</summary>
internal static unsafe partial class LibC
{
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int EXDEV = 18;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int ELOOP = 40;
    public const int ENOSYS = 38;
    public const int E2BIG = 7;
    public const int EAGAIN = 11;
    public const int AT_FDCWD = -100;
    public const int AT_EMPTY_PATH = 0x1000;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int O_NOCTTY = 0x100;
    public const int O_PATH = 0x200000;
    public const int F_DUPFD_CLOEXEC = 1030;

    /// <summary>O_DIRECTORY and O_NOFOLLOW differ between x86_64 and arm64 (the only arches we ship).</summary>
    public static int ODirectory => IsArm ? 0x4000 : 0x10000;

    public static int ONoFollow => IsArm ? 0x8000 : 0x20000;

    public const ulong RESOLVE_NO_XDEV = 0x01;
    public const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    public const ulong RESOLVE_NO_SYMLINKS = 0x04;
    public const ulong RESOLVE_BENEATH = 0x08;

    // openat2 has the same number on every arch (added after the syscall tables were unified).
    private const long SYS_openat2 = 437;

    public const int FileTypeMask = 0xF000;
    public const int RegularFileType = 0x8000;
    public const int DirectoryType = 0x4000;
    public const uint STATX_BASIC_STATS = 0x7FF;

    private static bool IsArm => RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>struct statx (arch-independent, 256 bytes); only the fields we read are named.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        [FieldOffset(0)]
        public uint Mask;

        [FieldOffset(20)]
        public uint Uid;

        [FieldOffset(24)]
        public uint Gid;

        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Ino;

        [FieldOffset(40)]
        public ulong Size;

        [FieldOffset(112)]
        public long MtimeSeconds;

        [FieldOffset(120)]
        public uint MtimeNanoseconds;

        [FieldOffset(136)]
        public uint DevMajor;

        [FieldOffset(140)]
        public uint DevMinor;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, int dirfd, byte* path, OpenHow* how, nuint size);

    /// <summary>openat2(2); -1 with errno set on failure (ENOSYS on kernels before 5.6).</summary>
    public static int Openat2(int dirfd, string path, OpenHow how)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            return (int)syscall(SYS_openat2, dirfd, p, &how, (nuint)sizeof(OpenHow));
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int openat(int dirfd, string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8, EntryPoint = "statx")]
    private static partial int statx_native(int dirfd, string path, int flags, uint mask, Statx* buffer);

    /// <summary>statx of an open descriptor (AT_EMPTY_PATH); null with errno set on failure.</summary>
    public static Statx? FStat(int fd)
    {
        Statx buffer;
        return statx_native(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &buffer) == 0 ? buffer : null;
    }

    /// <summary>lstat-like statx of a path (symlinks not followed); null with errno set on failure.</summary>
    public static Statx? LStat(string path)
    {
        Statx buffer;
        return statx_native(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &buffer) == 0 ? buffer : null;
    }

    /// <summary>stat-like statx of a path, following symlinks; null with errno set on failure.</summary>
    public static Statx? Stat(string path)
    {
        Statx buffer;
        return statx_native(AT_FDCWD, path, 0, STATX_BASIC_STATS, &buffer) == 0 ? buffer : null;
    }

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fchmod(int fd, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int umask(int mask);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int geteuid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkdirat(int dirfd, string path, int mode);

    public static string LastError() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
}
