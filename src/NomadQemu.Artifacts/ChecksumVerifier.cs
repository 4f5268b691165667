using System.Buffers;
using System.Security.Cryptography;

namespace NomadQemu.Artifacts;

/// <summary>
/// Hashes files on disk. Used for local checks and benchmarked against <c>sha256sum</c>, so it reads with
/// one large pooled buffer straight from the file handle (no FileStream buffering layer) and feeds an
/// <see cref="IncrementalHash"/>: constant memory for multi-GiB VM images.
/// </summary>
public static class ChecksumVerifier
{
    /// <summary>1 MiB: large enough that syscall and hash-call overhead vanish next to hashing itself.</summary>
    public const int BufferSize = 1024 * 1024;

    /// <summary>Returns the lower-case hex digest of the file.</summary>
    public static async Task<string> ComputeHexAsync(
        string path,
        ChecksumAlgorithm algorithm,
        CancellationToken cancellationToken = default
    )
    {
        using var hash = IncrementalHash.CreateHash(ArtifactChecksum.ToHashAlgorithmName(algorithm));
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var handle = File.OpenHandle(
                path,
                FileMode.Open,
                FileAccess.Read,
                FileShare.Read,
                FileOptions.SequentialScan
            );
            long offset = 0;
            while (true)
            {
                var read = await RandomAccess
                    .ReadAsync(handle, buffer.AsMemory(0, BufferSize), offset, cancellationToken)
                    .ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                hash.AppendData(buffer, 0, read);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    /// <summary>Digests of the file for several algorithms in one read (lower-case hex, same order).</summary>
    internal static async Task<string[]> ComputeHexesAsync(
        string path,
        IReadOnlyList<ChecksumAlgorithm> algorithms,
        CancellationToken cancellationToken
    )
    {
        var hashes = algorithms
            .Select(a => IncrementalHash.CreateHash(ArtifactChecksum.ToHashAlgorithmName(a)))
            .ToArray();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var handle = File.OpenHandle(
                path,
                FileMode.Open,
                FileAccess.Read,
                FileShare.Read,
                FileOptions.SequentialScan
            );
            long offset = 0;
            int read;
            while (
                (
                    read = await RandomAccess
                        .ReadAsync(handle, buffer.AsMemory(0, BufferSize), offset, cancellationToken)
                        .ConfigureAwait(false)
                ) > 0
            )
            {
                foreach (var hash in hashes)
                {
                    hash.AppendData(buffer, 0, read);
                }

                offset += read;
            }

            return [.. hashes.Select(h => Convert.ToHexStringLower(h.GetCurrentHash()))];
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            foreach (var hash in hashes)
            {
                hash.Dispose();
            }
        }
    }

    /// <summary>True when the file's digest equals <paramref name="expected"/>.</summary>
    public static async Task<bool> VerifyAsync(
        string path,
        ArtifactChecksum expected,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentNullException.ThrowIfNull(expected);
        var actual = await ComputeHexAsync(path, expected.Algorithm, cancellationToken).ConfigureAwait(false);
        return string.Equals(actual, expected.Hex, StringComparison.Ordinal);
    }
}
