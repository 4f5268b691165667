using System.Buffers.Binary;

namespace NomadQemu.Driver.Native;

/// <summary>
/// What identifies one version of a file (a binary, a device node) without reading it: device + inode say
/// which file, size and mtime say which content, mode/owner/rdev/ctime say what a chmod, chown or mknod
/// changed. Replacing, upgrading or touching the file changes the identity; nothing else does.
/// </summary>
internal readonly record struct FileIdentity(
    ulong Device,
    ulong Inode,
    ulong Size,
    long ModifiedNs,
    long ChangedNs,
    uint Mode,
    uint Uid,
    uint Gid,
    ulong RawDevice
)
{
    private const int BufferBytes = 256;

    /// <summary>The identity of what <paramref name="path"/> names now (symlinks followed); null when it does not exist.</summary>
    public static unsafe FileIdentity? Of(string path)
    {
        var buffer = stackalloc byte[BufferBytes];
        if (LibC.statx(LibC.AT_FDCWD, path, 0, LibC.STATX_BASIC_STATS, buffer) != 0)
        {
            return null;
        }
        var b = new ReadOnlySpan<byte>(buffer, BufferBytes);
        // struct statx offsets (linux/stat.h): uid 20, gid 24, mode 28, ino 32, size 40, ctime 96, mtime 112,
        // rdev major/minor 128/132, dev major/minor 136/140.
        return new FileIdentity(
            Device: ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(b[136..]) << 32)
                | BinaryPrimitives.ReadUInt32LittleEndian(b[140..]),
            Inode: BinaryPrimitives.ReadUInt64LittleEndian(b[32..]),
            Size: BinaryPrimitives.ReadUInt64LittleEndian(b[40..]),
            ModifiedNs: Nanoseconds(b[112..]),
            ChangedNs: Nanoseconds(b[96..]),
            Mode: BinaryPrimitives.ReadUInt16LittleEndian(b[28..]),
            Uid: BinaryPrimitives.ReadUInt32LittleEndian(b[20..]),
            Gid: BinaryPrimitives.ReadUInt32LittleEndian(b[24..]),
            RawDevice: ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(b[128..]) << 32)
                | BinaryPrimitives.ReadUInt32LittleEndian(b[132..])
        );
    }

    private static long Nanoseconds(ReadOnlySpan<byte> timestamp) =>
        BinaryPrimitives.ReadInt64LittleEndian(timestamp) * 1_000_000_000
        + BinaryPrimitives.ReadUInt32LittleEndian(timestamp[8..]);
}
