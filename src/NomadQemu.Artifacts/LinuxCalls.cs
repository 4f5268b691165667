using System.Runtime.InteropServices;

namespace NomadQemu.Artifacts;

/// <summary>
/// The Linux system calls fd-relative placement needs and .NET does not expose: openat2 with RESOLVE_BENEATH
/// (the kernel refuses any path, "..", absolute symlink or chain of symlinks that would leave the starting
/// directory) and the *at family that acts on one name inside an open directory. Every call returns -1 and
/// leaves errno in <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
internal static partial class LinuxCalls
{
    public const int Enoent = 2;
    public const int Eexist = 17;
    public const int Exdev = 18;
    public const int Enotdir = 20;
    public const int Eisdir = 21;
    public const int Enosys = 38;
    public const int Enotempty = 39;
    public const int Eloop = 40;

    public const ulong ResolveNoMagicLinks = 0x02;
    public const ulong ResolveNoSymlinks = 0x04;
    public const ulong ResolveBeneath = 0x08;

    public const int AtSymlinkNofollow = 0x100;
    public const int AtRemoveDir = 0x200;
    public const int AtEmptyPath = 0x1000;
    public const int RenameNoReplace = 1;

    public const uint StatxType = 0x0001;
    public const uint StatxMode = 0x0002;
    public const uint StatxInode = 0x0100;
    public const uint StatxSize = 0x0200;
    public const ushort TypeMask = 0xF000;
    public const ushort TypeFifo = 0x1000;
    public const ushort TypeCharDevice = 0x2000;
    public const ushort TypeDirectory = 0x4000;
    public const ushort TypeBlockDevice = 0x6000;
    public const ushort TypeRegular = 0x8000;
    public const ushort TypeSymlink = 0xA000;
    public const ushort TypeSocket = 0xC000;

    private const long SysOpenat2 = 437; // the same number on every architecture (added after the syscall table unification)
    private const ulong FiClone = 0x40049409;

    public const ulong ReadOnly = 0;
    public const ulong WriteOnly = 1;
    public const ulong Create = 0x40;
    public const ulong Exclusive = 0x80;
    public const ulong NoControllingTty = 0x100;
    public const ulong NonBlocking = 0x800;
    public const ulong CloseOnExec = 0x80000;
    public const ulong PathOnly = 0x200000;

    // arm and arm64 number these two differently from the generic table every other architecture uses.
    private static readonly bool s_armFlags =
        RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;

    public static ulong Directory => s_armFlags ? 0x4000UL : 0x10000UL;
    public static ulong NoFollow => s_armFlags ? 0x8000UL : 0x20000UL;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>statx's fixed layout (the same on every architecture, unlike struct stat); only the head is read.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct StatxBuffer
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint Links;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        private readonly ushort _spare0;
        public ulong Inode;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        private readonly Timestamps _times;
        public uint RdevMajor;
        public uint RdevMinor;

        // The device holding the file: with Inode, what makes two descriptors the same file.
        public uint DevMajor;
        public uint DevMinor;

        // The kernel writes 256 bytes in all; the rest is padding this code never reads.
        private readonly Tail _tail;

        /// <summary>atime, btime, ctime, mtime: four 16-byte statx_timestamp, unread.</summary>
        [System.Runtime.CompilerServices.InlineArray(8)]
        private struct Timestamps
        {
            private ulong _element;
        }

        [System.Runtime.CompilerServices.InlineArray(14)]
        private struct Tail
        {
            private ulong _element;
        }
    }

    public static unsafe int OpenAt2(SafeHandle directory, string path, ulong flags, uint mode, ulong resolve)
    {
        var how = new OpenHow
        {
            Flags = flags | CloseOnExec,
            Mode = mode,
            Resolve = resolve,
        };
        var added = false;
        directory.DangerousAddRef(ref added);
        try
        {
            return (int)Syscall(SysOpenat2, (int)directory.DangerousGetHandle(), path, &how, (nuint)sizeof(OpenHow));
        }
        finally
        {
            directory.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial long Syscall(long number, int directory, string path, void* how, nuint size);

    /// <summary>Plain openat(2) on a path resolved the usual way (symlinks followed), for local sources.</summary>
    [LibraryImport("libc", EntryPoint = "openat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int OpenPath(int atCwd, string path, int flags, uint mode);

    public const int AdviseSequential = 2;

    /// <summary>posix_fadvise(2): a hint only; returns the error number itself instead of setting errno.</summary>
    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    public static partial int Advise(SafeHandle file, long offset, long length, int advice);

    [LibraryImport("libc", EntryPoint = "mkdirat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int MkdirAt(SafeHandle directory, string name, uint mode);

    [LibraryImport("libc", EntryPoint = "symlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int SymlinkAt(string target, SafeHandle directory, string name);

    [LibraryImport("libc", EntryPoint = "unlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int UnlinkAt(SafeHandle directory, string name, int flags);

    [LibraryImport("libc", EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int RenameAt2(SafeHandle from, string fromName, SafeHandle to, string toName, uint flags);

    /// <summary>Old path is resolved normally (it is ours: a cache object or temp file); the new name is one entry in <paramref name="to"/>.</summary>
    [LibraryImport("libc", EntryPoint = "renameat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int RenameFromPath(int atCwd, string fromPath, SafeHandle to, string toName);

    [LibraryImport("libc", EntryPoint = "linkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int LinkFromPath(int atCwd, string fromPath, SafeHandle to, string toName, int flags);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(SafeHandle file, uint mode);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Statx(SafeHandle directory, string name, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(SafeHandle file, ulong request, nint argument);

    /// <summary>Reflinks <paramref name="source"/> into <paramref name="destination"/> (btrfs, XFS, bcachefs); false elsewhere.</summary>
    public static bool TryClone(SafeHandle destination, SafeHandle source)
    {
        var added = false;
        source.DangerousAddRef(ref added);
        try
        {
            return Ioctl(destination, FiClone, source.DangerousGetHandle()) == 0;
        }
        finally
        {
            source.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "copy_file_range", SetLastError = true)]
    private static partial nint CopyFileRange(
        SafeHandle input,
        nint inputOffset,
        SafeHandle output,
        nint outputOffset,
        nuint length,
        uint flags
    );

    /// <summary>In-kernel copy of the rest of <paramref name="source"/>; false (nothing copied) when the kernel cannot.</summary>
    public static bool TryCopyInKernel(SafeHandle destination, SafeHandle source)
    {
        var first = true;
        while (true)
        {
            var copied = CopyFileRange(source, 0, destination, 0, 1 << 30, 0);
            if (copied == 0)
            {
                return true;
            }

            if (copied < 0)
            {
                // Only a refusal before the first byte can fall back; a failure midway is a real I/O error.
                return first ? false : throw new IOException($"copy failed: {Describe(LastError)}");
            }

            first = false;
        }
    }

    public const int AtFdCwd = -100;

    public static int LastError => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
