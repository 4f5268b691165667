using System.Net;
using System.Text;

namespace NomadQemu.Artifacts;

/// <summary>
/// Fetches Nomad artifacts the way go-getter does. Order of work, so that nothing unverified ever lands in a
/// task directory:
/// <list type="number">
/// <item>Validate the whole block (config errors before any I/O).</item>
/// <item>With a checksum: a cache hit (hashed again and matching) is materialised straight from the cache.</item>
/// <item>Otherwise stream into a cache temp file, hashing in the same pass; compare; only then publish to the
/// cache (when keyed by checksum) and unpack or place into the destination.</item>
/// </list>
/// Any failure or cancellation deletes the temp file; nothing partial is left in the destination.
/// One instance owns one <see cref="HttpClient"/>; create it once and reuse it.
/// </summary>
public sealed class ArtifactFetcher : IDisposable
{
    private readonly ArtifactCache _cache;
    private readonly ArtifactFetcherOptions _options;
    private readonly HttpClient _http;
    private readonly SourceReader _reader;

    public ArtifactFetcher(ArtifactCache cache, ArtifactFetcherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        _cache = cache;
        _options = options ?? new ArtifactFetcherOptions();
        _http = _options.HttpHandler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient(
                new SocketsHttpHandler
                {
                    ConnectTimeout = _options.ConnectTimeout,
                    // A .tar.gz served with Content-Encoding: gzip must reach the hash exactly as the checksum was made.
                    AutomaticDecompression = DecompressionMethods.None,
                    // Redirects are followed by SourceReader under RedirectPolicy (hop limit, origin-bound headers).
                    AllowAutoRedirect = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                }
            );
        // Multi-GiB images outlast any fixed timeout; the caller's CancellationToken bounds a fetch instead.
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _reader = new SourceReader(_http);
    }

    /// <summary>Fetches one artifact into <paramref name="taskDirectory"/>.</summary>
    /// <exception cref="ArtifactException">A subclass describing the failure; the message names the source.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (nothing is left behind).</exception>
    public async Task<ArtifactResult> FetchAsync(
        ArtifactRequest request,
        string taskDirectory,
        IProgress<ArtifactProgress>? progress = null,
        CancellationToken cancellationToken = default
    )
    {
        var plan = ArtifactPlanner.Plan(request, taskDirectory, _options.LocalBaseDirectory);
        var throttle = new ProgressThrottle(progress, plan.Display, _options.ProgressInterval);
        var checksum = plan.FixedChecksum;
        if (plan.ChecksumList is { } list)
        {
            checksum = await ReadChecksumListAsync(plan, list, cancellationToken).ConfigureAwait(false);
        }

        var unpacked = plan.Archive != ArchiveKind.None;
        var cached = checksum is { CollisionResistant: true };
        var lookup = checksum is { CollisionResistant: true } strong
            ? await _cache.LookUpAsync(strong, cancellationToken).ConfigureAwait(false)
            : CacheLookup.Miss;
        if (lookup.ObjectPath is { } cachedObject)
        {
            var size = new FileInfo(cachedObject).Length;
            throttle.Report(ArtifactPhase.Cached, size, size, force: true);
            var placed = await MaterializeAsync(plan, cachedObject, ownsContent: false, throttle, cancellationToken)
                .ConfigureAwait(false);
            return new ArtifactResult(placed, FromCache: true, checksum, unpacked);
        }

        var tempPath = _cache.NewTempPath();
        try
        {
            var sha256 = await DownloadAndVerifyAsync(plan, tempPath, checksum, throttle, cancellationToken)
                .ConfigureAwait(false);
            var content = cached ? _cache.Publish(tempPath, checksum!, sha256!) : tempPath;
            var placed = await MaterializeAsync(plan, content, ownsContent: !cached, throttle, cancellationToken)
                .ConfigureAwait(false);
            return new ArtifactResult(placed, FromCache: false, checksum, unpacked);
        }
        finally
        {
            // Gone already after a publish or move; still there after any failure or cancellation.
            File.Delete(tempPath);
        }
    }

    public void Dispose() => _http.Dispose();

    /// <returns>The content's sha256 when a checksum was configured (the cache key), else null.</returns>
    private async Task<string?> DownloadAndVerifyAsync(
        ArtifactPlan plan,
        string tempPath,
        ArtifactChecksum? checksum,
        ProgressThrottle throttle,
        CancellationToken cancellationToken
    )
    {
        (long bytes, string? actual, string? sha256) result;
        await using (
            var source = await _reader
                .OpenAsync(plan.Source, plan.Headers, plan.Display, cancellationToken)
                .ConfigureAwait(false)
        )
        {
            result = await HashingCopier
                .CopyAsync(source, tempPath, checksum?.Algorithm, throttle, plan.Display, cancellationToken)
                .ConfigureAwait(false);
        }

        if (checksum is null)
        {
            return null;
        }

        throttle.Report(ArtifactPhase.Verifying, result.bytes, result.bytes, force: true);
        if (!string.Equals(result.actual, checksum.Hex, StringComparison.Ordinal))
        {
            throw new ArtifactChecksumException(plan.Display, checksum.Algorithm, checksum.Hex, result.actual!);
        }

        return result.sha256;
    }

    private async Task<string> MaterializeAsync(
        ArtifactPlan plan,
        string contentPath,
        bool ownsContent,
        ProgressThrottle throttle,
        CancellationToken cancellationToken
    )
    {
        try
        {
            // Every write below is relative to this descriptor and resolved beneath it by the kernel.
            using var taskDirectory = BeneathDirectory.OpenTrusted(plan.TaskRoot);
            if (plan.Archive != ArchiveKind.None)
            {
                return await ArchiveUnpacker
                    .UnpackAsync(
                        contentPath,
                        plan,
                        taskDirectory,
                        _options.DecompressionLimits,
                        throttle,
                        cancellationToken
                    )
                    .ConfigureAwait(false);
            }

            var finalPath = plan.PlainFilePath;
            if (ownsContent)
            {
                FileMaterializer.PlaceOwned(contentPath, taskDirectory, plan.ToRelative(finalPath));
            }
            else
            {
                FileMaterializer.PlaceFromCache(
                    contentPath,
                    taskDirectory,
                    plan.ToRelative(finalPath),
                    _options.CacheLinkMode
                );
            }

            return finalPath;
        }
        catch (ContainmentException ex) when (ex.Escapes)
        {
            throw new ArtifactConfigException(plan.Display, "destination", ArchiveUnpacker.DestinationProblem(ex));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArtifactPlacementException(
                plan.Display,
                $"cannot write into {plan.DestinationPath}: {ex.Message}",
                ex
            );
        }
    }

    private async Task<ArtifactChecksum> ReadChecksumListAsync(
        ArtifactPlan plan,
        SourceLocation list,
        CancellationToken cancellationToken
    )
    {
        string text;
        try
        {
            await using var source = await _reader
                .OpenAsync(list, plan.Headers, plan.Display, cancellationToken)
                .ConfigureAwait(false);
            text = await ReadBoundedTextAsync(source, plan, cancellationToken).ConfigureAwait(false);
        }
        catch (ArtifactDownloadException ex)
        {
            throw new ArtifactDownloadException(
                plan.Display,
                $"checksum file {list.Display}: {ex.Problem}",
                ex.StatusCode,
                ex
            );
        }

        return ChecksumFileParser.FindChecksum(text, plan.Source.FileName, list.Display, plan.Display);
    }

    private async Task<string> ReadBoundedTextAsync(
        OpenedSource source,
        ArtifactPlan plan,
        CancellationToken cancellationToken
    )
    {
        var limit = _options.MaxChecksumFileBytes;
        if (source.Length > limit)
        {
            throw new ArtifactDownloadException(
                plan.Display,
                $"is {source.Length} bytes, more than the {limit}-byte limit"
            );
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await source.Content.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw new ArtifactDownloadException(plan.Display, $"exceeds the {limit}-byte limit");
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (Exception ex) when (TransferErrors.IsTransportFailure(ex, cancellationToken))
        {
            throw new ArtifactDownloadException(plan.Display, $"read failed: {TransferErrors.Describe(ex)}", inner: ex);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
