using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace NomadQemu.Driver.WarmStart;

/// <summary>
/// Copies between descriptors writing only blocks that are not all zero, so a guest's untouched RAM costs nothing
/// on disk (file holes) and nothing in a memfd (never-written pages), and hashes the full logical content on the way.
/// </summary>
internal static class SparseCopy
{
    private const int ChunkBytes = 1 << 20;
    private const int BlockBytes = 64 << 10;

    /// <summary>Copies <paramref name="length"/> bytes; the target must already have that length (holes read as zero).</summary>
    /// <returns>The SHA-256 of the content (hex) and how many bytes were written.</returns>
    public static (string Sha256, long Written) Copy(SafeFileHandle source, SafeFileHandle target, long length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkBytes];
        long offset = 0;
        long written = 0;
        while (offset < length)
        {
            var want = (int)Math.Min(ChunkBytes, length - offset);
            var read = ReadFully(source, buffer.AsSpan(0, want), offset);
            if (read != want)
            {
                throw new IOException($"the source ended at {offset + read} bytes, {length} expected");
            }
            hash.AppendData(buffer, 0, read);
            for (var block = 0; block < read; block += BlockBytes)
            {
                var slice = buffer.AsSpan(block, Math.Min(BlockBytes, read - block));
                if (slice.IndexOfAnyExcept((byte)0) >= 0)
                {
                    RandomAccess.Write(target, slice, offset + block);
                    written += slice.Length;
                }
            }
            offset += read;
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), written);
    }

    /// <summary>SHA-256 (hex) of a whole file's content.</summary>
    public static string Sha256(SafeFileHandle file)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkBytes];
        long offset = 0;
        int read;
        while ((read = RandomAccess.Read(file, buffer, offset)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            offset += read;
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static int ReadFully(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(file, buffer[total..], offset + total);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }
}
