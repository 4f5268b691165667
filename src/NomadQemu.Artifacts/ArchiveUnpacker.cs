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
        BeneathDirectory taskDirectory,
        DecompressionLimits limits,
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
            var budget = new DecompressionBudget(limits, plan.Display);
            await GunzipAsync(
                    archive,
                    taskDirectory,
                    plan.ToRelative(output),
                    budget,
                    Report,
                    plan.Display,
                    cancellationToken
                )
                .ConfigureAwait(false);
            progress.Report(ArtifactPhase.Unpacking, total, total, force: true);
            return output;
        }

        using var target = CreateTarget(plan, taskDirectory, limits);
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
            throw ex switch
            {
                InvalidDataException => new ArtifactUnpackException(plan.Display, $"corrupt archive: {ex.Message}", ex),
                ContainmentException containment => new ArtifactUnpackException(
                    plan.Display,
                    containment.Escapes
                        ? $"{containment.Path} leads outside the task directory (refused)"
                        : containment.Message,
                    ex
                ),
                _ => ex,
            };
        }

        progress.Report(ArtifactPhase.Unpacking, total, total, force: true);
        return plan.DestinationPath;
    }

    private static ExtractionTarget CreateTarget(
        ArtifactPlan plan,
        BeneathDirectory taskDirectory,
        DecompressionLimits limits
    )
    {
        try
        {
            return new ExtractionTarget(taskDirectory, plan.DestinationRelative, plan.Display, limits);
        }
        catch (ContainmentException ex)
        {
            throw new ArtifactConfigException(plan.Display, "destination", DestinationProblem(ex));
        }
    }

    internal static string DestinationProblem(ContainmentException ex) =>
        ex.Escapes ? $"{ex.Path} goes through a symlink that leads outside the task directory" : ex.Message;

    private static async Task GunzipAsync(
        Stream archive,
        BeneathDirectory taskDirectory,
        string outputRelative,
        DecompressionBudget budget,
        Action report,
        string display,
        CancellationToken cancellationToken
    )
    {
        try
        {
            await FileMaterializer
                .PlaceAsync(
                    taskDirectory,
                    outputRelative,
                    async output =>
                    {
                        await using var gzip = new GZipStream(archive, CompressionMode.Decompress, leaveOpen: true);
                        await using var budgeted = new BudgetedStream(output, budget);
                        await ArchiveCopy.CopyAsync(gzip, budgeted, report, cancellationToken).ConfigureAwait(false);
                    }
                )
                .ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            throw new ArtifactUnpackException(display, $"corrupt gzip file: {ex.Message}", ex);
        }
        catch (ContainmentException ex)
        {
            throw new ArtifactConfigException(display, "destination", DestinationProblem(ex));
        }
    }
}
