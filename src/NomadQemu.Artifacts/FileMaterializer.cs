namespace NomadQemu.Artifacts;

/// <summary>
/// Puts a plain file at its final path in the task directory. The parent is opened beneath the task directory
/// (<see cref="BeneathDirectory"/>), the content is staged under a hidden name in it and renamed into place, so
/// the destination never shows a partially written file and no symlink can carry the file elsewhere.
/// </summary>
internal static class FileMaterializer
{
    private const uint WritableFileMode = 0x1A4; // 0644

    /// <summary>Moves a freshly downloaded temp file (not cached, so nobody else refers to it) into place.</summary>
    public static void PlaceOwned(string tempPath, BeneathDirectory taskDirectory, string finalRelative) =>
        Stage(
                taskDirectory,
                finalRelative,
                (directory, staging) =>
                {
                    if (LinuxCalls.RenameFromPath(LinuxCalls.AtFdCwd, tempPath, directory.Handle, staging) == 0)
                    {
                        return Task.CompletedTask;
                    }

                    var errno = LinuxCalls.LastError;
                    if (errno != LinuxCalls.Exdev)
                    {
                        throw new ContainmentException(errno, directory.Display(staging), "move the download to");
                    }

                    CopyInto(tempPath, directory, staging);
                    return Task.CompletedTask;
                }
            )
            .GetAwaiter()
            .GetResult();

    /// <summary>
    /// Materialises a cache object. Copy is the default because the cache object must stay immutable: a VM image
    /// written through a hard link would change the bytes every later cache hit trusts.
    /// </summary>
    public static void PlaceFromCache(
        string objectPath,
        BeneathDirectory taskDirectory,
        string finalRelative,
        CacheLinkMode linkMode
    ) =>
        Stage(
                taskDirectory,
                finalRelative,
                (directory, staging) =>
                {
                    // linkat fails with EXDEV across file systems, EPERM under protected_hardlinks: all mean "copy".
                    if (
                        linkMode != CacheLinkMode.HardLink
                        || LinuxCalls.LinkFromPath(LinuxCalls.AtFdCwd, objectPath, directory.Handle, staging, 0) != 0
                    )
                    {
                        CopyInto(objectPath, directory, staging);
                    }

                    return Task.CompletedTask;
                }
            )
            .GetAwaiter()
            .GetResult();

    /// <summary>Writes new content (e.g. a gunzipped file) through the same stage-then-rename path.</summary>
    public static Task PlaceAsync(BeneathDirectory taskDirectory, string finalRelative, Func<Stream, Task> produce) =>
        Stage(
            taskDirectory,
            finalRelative,
            async (directory, staging) =>
            {
                await using var output = new FileStream(
                    directory.CreateFile(staging, WritableFileMode),
                    FileAccess.Write,
                    0
                );
                await produce(output).ConfigureAwait(false);
            }
        );

    /// <summary>A reflink where the file system can (instant, no space), else an in-kernel copy, else a plain one.</summary>
    private static void CopyInto(string sourcePath, BeneathDirectory directory, string name)
    {
        using var input = File.OpenHandle(sourcePath, FileMode.Open, FileAccess.Read);
        using var output = directory.CreateFile(name, WritableFileMode);
        if (LinuxCalls.TryClone(output, input) || LinuxCalls.TryCopyInKernel(output, input))
        {
            return;
        }

        using var reader = new FileStream(input, FileAccess.Read, 0);
        using var writer = new FileStream(output, FileAccess.Write, 0);
        reader.CopyTo(writer, 1024 * 1024);
    }

    private static async Task Stage(
        BeneathDirectory taskDirectory,
        string finalRelative,
        Func<BeneathDirectory, string, Task> produce
    )
    {
        var leaf = RelativePath.Leaf(finalRelative);
        var created = new List<string>();
        BeneathDirectory directory;
        try
        {
            directory = taskDirectory.CreateDirectories(RelativePath.Parent(finalRelative), created);
        }
        catch
        {
            taskDirectory.RemoveEmptyDirectories(created);
            throw;
        }

        using var owned = directory;
        var staging = $".{leaf}.{Guid.NewGuid():N}.partial";
        try
        {
            await produce(directory, staging).ConfigureAwait(false);
            if (LinuxCalls.RenameAt2(directory.Handle, staging, directory.Handle, leaf, 0) != 0)
            {
                throw new ContainmentException(LinuxCalls.LastError, directory.Display(leaf), "move into place");
            }
        }
        catch
        {
            directory.RemoveFileIfPresent(staging);
            taskDirectory.RemoveEmptyDirectories(created);
            throw;
        }
    }
}
