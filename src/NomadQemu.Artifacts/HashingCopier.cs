using System.Buffers;
using System.Security.Cryptography;

namespace NomadQemu.Artifacts;

/// <summary>
/// Streams a source into a temp file and, in the same pass, through the hash: the checksum is known the
/// moment the last byte is written, without re-reading a multi-GiB image from disk.
/// </summary>
internal static class HashingCopier
{
    /// <summary>Network reads rarely fill more than this; larger buffers only waste pool memory.</summary>
    private const int BufferSize = 256 * 1024;

    /// <returns>
    /// Bytes copied, the lower-case hex digest for <paramref name="algorithm"/> and the sha256 the cache names
    /// objects by (both null when no algorithm was requested: such downloads are never cached).
    /// </returns>
    public static async Task<(long Bytes, string? Hex, string? Sha256)> CopyAsync(
        OpenedSource source,
        string tempPath,
        ChecksumAlgorithm? algorithm,
        ProgressThrottle progress,
        string display,
        CancellationToken cancellationToken
    )
    {
        using var hash = algorithm is { } a
            ? IncrementalHash.CreateHash(ArtifactChecksum.ToHashAlgorithmName(a))
            : null;
        using var sha256 =
            algorithm is { } other && other != ChecksumAlgorithm.Sha256
                ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256)
                : null;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long total = 0;
        try
        {
            await using var output = CreateTemp(tempPath, source.Length, display);
            progress.Report(ArtifactPhase.Downloading, 0, source.Length, force: true);
            while (true)
            {
                var read = await ReadAsync(source.Content, buffer, total, display, cancellationToken)
                    .ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                hash?.AppendData(buffer, 0, read);
                sha256?.AppendData(buffer, 0, read);
                await WriteAsync(output, buffer.AsMemory(0, read), tempPath, display, cancellationToken)
                    .ConfigureAwait(false);
                total += read;
                progress.Report(ArtifactPhase.Downloading, total, source.Length);
            }

            if (source.Length is { } expected && expected != total)
            {
                throw new ArtifactDownloadException(
                    display,
                    $"download truncated: received {total} of {expected} bytes"
                );
            }

            progress.Report(ArtifactPhase.Downloading, total, source.Length, force: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var hex = hash is null ? null : Convert.ToHexStringLower(hash.GetCurrentHash());
        return (total, hex, sha256 is null ? hex : Convert.ToHexStringLower(sha256.GetCurrentHash()));
    }

    private static async ValueTask<int> ReadAsync(
        Stream source,
        byte[] buffer,
        long soFar,
        string display,
        CancellationToken cancellationToken
    )
    {
        try
        {
            return await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (TransferErrors.IsTransportFailure(ex, cancellationToken))
        {
            throw new ArtifactDownloadException(
                display,
                $"download interrupted after {soFar} bytes: {TransferErrors.Describe(ex)}",
                inner: ex
            );
        }
    }

    private static async ValueTask WriteAsync(
        FileStream output,
        ReadOnlyMemory<byte> data,
        string tempPath,
        string display,
        CancellationToken cancellationToken
    )
    {
        try
        {
            await output.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new ArtifactDownloadException(display, $"cannot write {tempPath}: {ex.Message}", inner: ex);
        }
    }

    private static FileStream CreateTemp(string tempPath, long? knownLength, string display)
    {
        try
        {
            return new FileStream(
                tempPath,
                new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    Share = FileShare.None,
                    BufferSize = 0,
                    Options = FileOptions.Asynchronous,
                    // Reserving the space up front fails fast on a full disk and keeps big images unfragmented.
                    PreallocationSize = knownLength ?? 0,
                }
            );
        }
        catch (IOException ex)
        {
            throw new ArtifactDownloadException(display, $"cannot create {tempPath}: {ex.Message}", inner: ex);
        }
    }
}
