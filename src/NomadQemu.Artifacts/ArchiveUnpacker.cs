using System.IO.Compression;

namespace NomadQemu.Artifacts;

/// <summary>
/// Unpacks a verified archive file (a cache object or a temp download) into the plan's destination.
/// Progress counts archive bytes consumed, so the total is the archive's size and is always known.
/// </summary>
internal static class ArchiveUnpacker
{
    /// <returns>The path that now holds the content: the destination directory, or the gunzipped file.</returns>
    public static async Task<string> UnpackAsync(
        string archivePath,
        ArtifactPlan plan,
        ProgressThrottle progress,
        CancellationToken cancellationToken
    )
    {
        await using var archive = new FileStream(
            archivePath,
            FileMode.Open,
            FileAccess.Read,
            FileShare.Read,
            0,
            FileOptions.Asynchronous | FileOptions.SequentialScan
        );
        var total = archive.Length;
        void Report() => progress.Report(ArtifactPhase.Unpacking, archive.Position, total);
        progress.Report(ArtifactPhase.Unpacking, 0, total, force: true);

        if (plan.Archive == ArchiveKind.Gzip)
        {
            var output = plan.GunzipFilePath;
            await GunzipAsync(archive, output, Report, plan.Display, cancellationToken).ConfigureAwait(false);
            progress.Report(ArtifactPhase.Unpacking, total, total, force: true);
            return output;
        }

        var target = new ExtractionTarget(plan.DestinationPath, plan.Display);
        try
        {
            switch (plan.Archive)
            {
                case ArchiveKind.Tar:
                    await TarExtractor
                        .ExtractAsync(archive, target, Report, plan.Display, cancellationToken)
                        .ConfigureAwait(false);
                    break;
                case ArchiveKind.TarGz:
                    await using (var gzip = new GZipStream(archive, CompressionMode.Decompress, leaveOpen: true))
                    {
                        await TarExtractor
                            .ExtractAsync(gzip, target, Report, plan.Display, cancellationToken)
                            .ConfigureAwait(false);
                    }

                    break;
                case ArchiveKind.Zip:
                    await ZipExtractor
                        .ExtractAsync(archive, target, Report, plan.Display, cancellationToken)
                        .ConfigureAwait(false);
                    break;
                default:
                    throw new InvalidOperationException($"not a multi-file archive kind: {plan.Archive}");
            }

            target.Complete();
        }
        catch (Exception ex)
        {
            target.Rollback();
            if (ex is InvalidDataException)
            {
                throw new ArtifactUnpackException(plan.Display, $"corrupt archive: {ex.Message}", ex);
            }

            throw;
        }

        progress.Report(ArtifactPhase.Unpacking, total, total, force: true);
        return plan.DestinationPath;
    }

    private static async Task GunzipAsync(
        Stream archive,
        string outputPath,
        Action report,
        string display,
        CancellationToken cancellationToken
    )
    {
        try
        {
            await FileMaterializer
                .PlaceAsync(
                    outputPath,
                    async staging =>
                    {
                        await using var gzip = new GZipStream(archive, CompressionMode.Decompress, leaveOpen: true);
                        await using var output = new FileStream(
                            staging,
                            FileMode.CreateNew,
                            FileAccess.Write,
                            FileShare.None,
                            0,
                            FileOptions.Asynchronous
                        );
                        await ArchiveCopy.CopyAsync(gzip, output, report, cancellationToken).ConfigureAwait(false);
                    }
                )
                .ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            throw new ArtifactUnpackException(display, $"corrupt gzip file: {ex.Message}", ex);
        }
    }
}
