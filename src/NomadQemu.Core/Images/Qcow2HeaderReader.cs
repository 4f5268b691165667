using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace NomadQemu.Core.Images;

/// <summary>
/// Reads the parts of a qcow2 header (QEMU's docs/interop/qcow2.txt) that name other files. Pure and bounded:
/// it reads at most the first cluster plus the backing file name, and refuses anything it cannot read fully,
/// so a crafted header can never make a reference slip through unseen.
/// </summary>
public static class Qcow2HeaderReader
{
    /// <summary>"QFI\xfb".</summary>
    public const uint Magic = 0x514649FB;

    /// <summary>Incompatible feature bit 2: the guest data lives in an external file named in a header extension.</summary>
    public const ulong ExternalDataFileBit = 1UL << 2;

    private const uint BackingFormatExtension = 0xE2792ACA;
    private const uint ExternalDataFileExtension = 0x44415441;
    private const int V2HeaderLength = 72;
    private const int V3MinHeaderLength = 104;

    // QEMU's own limit for the backing file name (bdrv backing_file buffer); longer names are refused by QEMU too.
    private const int MaxNameBytes = 1023;
    private const int MinClusterBits = 9;
    private const int MaxClusterBits = 21;

    /// <summary>Reads the header from the start of <paramref name="image"/> (which must be seekable).</summary>
    /// <exception cref="InvalidDataException">Not a qcow2 image, or a header that is truncated or inconsistent.</exception>
    public static Qcow2Header Read(Stream image)
    {
        var fixedPart = ReadAt(image, 0, V3MinHeaderLength, allowShort: true);
        if (fixedPart.Length < V2HeaderLength || BinaryPrimitives.ReadUInt32BigEndian(fixedPart) != Magic)
        {
            throw new InvalidDataException("not a qcow2 image (no QFI\\xfb magic)");
        }
        var version = BinaryPrimitives.ReadUInt32BigEndian(fixedPart.AsSpan(4));
        if (version is not (2 or 3))
        {
            throw new InvalidDataException($"qcow2 version {version} is not supported (2 or 3)");
        }
        var backingOffset = BinaryPrimitives.ReadUInt64BigEndian(fixedPart.AsSpan(8));
        var backingSize = BinaryPrimitives.ReadUInt32BigEndian(fixedPart.AsSpan(16));
        var clusterBits = BinaryPrimitives.ReadUInt32BigEndian(fixedPart.AsSpan(20));
        var virtualSize = BinaryPrimitives.ReadUInt64BigEndian(fixedPart.AsSpan(24));
        if (clusterBits is < MinClusterBits or > MaxClusterBits)
        {
            throw new InvalidDataException($"qcow2 cluster_bits {clusterBits} is out of range");
        }
        var clusterSize = 1 << (int)clusterBits;

        ulong incompatible = 0;
        var headerLength = V2HeaderLength;
        if (version == 3)
        {
            if (fixedPart.Length < V3MinHeaderLength)
            {
                throw new InvalidDataException("qcow2 v3 header is truncated");
            }
            incompatible = BinaryPrimitives.ReadUInt64BigEndian(fixedPart.AsSpan(72));
            var declared = BinaryPrimitives.ReadUInt32BigEndian(fixedPart.AsSpan(100));
            if (declared < V3MinHeaderLength || declared > clusterSize)
            {
                throw new InvalidDataException($"qcow2 header_length {declared} is out of range");
            }
            headerLength = (int)declared;
        }

        string? backingFile = null;
        if (backingOffset != 0)
        {
            if (backingSize == 0 || backingSize > MaxNameBytes || backingOffset > long.MaxValue - MaxNameBytes)
            {
                throw new InvalidDataException($"qcow2 backing file name size {backingSize} is out of range");
            }
            backingFile = Name(ReadAt(image, (long)backingOffset, (int)backingSize, allowShort: false));
        }

        // Extensions run from the end of the header to the first cluster's end (or the backing name, if earlier).
        var extensionsEnd = backingOffset != 0 && backingOffset < (ulong)clusterSize ? (int)backingOffset : clusterSize;
        var extensions = ReadAt(image, headerLength, Math.Max(0, extensionsEnd - headerLength), allowShort: true);
        var (backingFormat, dataFile) = ReadExtensions(extensions);

        var hasDataFile = (incompatible & ExternalDataFileBit) != 0;
        return new Qcow2Header(version, virtualSize, backingFile, backingFormat, hasDataFile, dataFile);
    }

    /// <summary>
    /// Reads the header through a descriptor the caller already holds (and keeps): the driver checks the very inode
    /// it opened, never a name that could be swapped in between.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a qcow2 image, or a header that is truncated or inconsistent.</exception>
    /// <exception cref="IOException">The descriptor cannot be read.</exception>
    public static Qcow2Header Read(SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            // The stream gets a handle that does not own the descriptor, so disposing it leaves the caller's open.
            using var borrowed = new SafeFileHandle(handle.DangerousGetHandle(), ownsHandle: false);
            using var stream = new FileStream(borrowed, FileAccess.Read, bufferSize: 1);
            return Read(stream);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static (string? BackingFormat, string? DataFile) ReadExtensions(byte[] area)
    {
        string? backingFormat = null;
        string? dataFile = null;
        var offset = 0;
        while (offset + 8 <= area.Length)
        {
            var type = BinaryPrimitives.ReadUInt32BigEndian(area.AsSpan(offset));
            var length = BinaryPrimitives.ReadUInt32BigEndian(area.AsSpan(offset + 4));
            if (type == 0)
            {
                return (backingFormat, dataFile);
            }
            offset += 8;
            if (length > (uint)(area.Length - offset))
            {
                throw new InvalidDataException($"qcow2 header extension 0x{type:x8} runs past the first cluster");
            }
            var data = area.AsSpan(offset, (int)length);
            if (type == BackingFormatExtension)
            {
                backingFormat = Name(data.ToArray());
            }
            else if (type == ExternalDataFileExtension)
            {
                dataFile = Name(data.ToArray());
            }
            offset += (int)((length + 7) & ~7u);
        }
        // QEMU stops at the end of the area too; running out without an end marker is only seen in crafted files,
        // and whatever was read so far is all QEMU would have read.
        return (backingFormat, dataFile);
    }

    private static string Name(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        // QEMU treats the name as a C string: whatever follows a NUL is never seen by it.
        return nul >= 0 ? text[..nul] : text;
    }

    private static byte[] ReadAt(Stream image, long offset, int count, bool allowShort)
    {
        var buffer = new byte[count];
        image.Seek(offset, SeekOrigin.Begin);
        var read = image.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
        if (read < count && !allowShort)
        {
            throw new InvalidDataException($"qcow2 image ends before offset {offset + count}");
        }
        return read == count ? buffer : buffer[..read];
    }
}
