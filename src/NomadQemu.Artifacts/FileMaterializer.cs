using System.Runtime.InteropServices;

namespace NomadQemu.Artifacts;

/// <summary>
/// Puts a plain file at its final path in the task directory. Every placement is staged under a hidden name
/// next to the target and renamed into place, so the destination never shows a partially written file,
/// even when the copy crosses file systems.
/// </summary>
internal static partial class FileMaterializer
{
    private const UnixFileMode WritableFileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Moves a freshly downloaded temp file (not cached, so nobody else refers to it) into place.</summary>
    public static void PlaceOwned(string tempPath, string finalPath) =>
        Stage(finalPath, staging => File.Move(tempPath, staging));

    /// <summary>
    /// Materialises a cache object. Copy is the default because the cache object must stay immutable: a VM image
    /// written through a hard link would change the bytes every later cache hit trusts without re-hashing.
    /// </summary>
    public static void PlaceFromCache(string objectPath, string finalPath, CacheLinkMode linkMode) =>
        Stage(
            finalPath,
            staging =>
            {
                if (linkMode == CacheLinkMode.HardLink && TryCreateHardLink(objectPath, staging))
                {
                    return;
                }

                File.Copy(objectPath, staging);
                if (!OperatingSystem.IsWindows())
                {
                    // File.Copy carries over the object's 0444; the task owns this copy and may write it.
                    File.SetUnixFileMode(staging, WritableFileMode);
                }
            }
        );

    /// <summary>Writes new content (e.g. a gunzipped file) through the same stage-then-rename path.</summary>
    public static async Task PlaceAsync(string finalPath, Func<string, Task> produce)
    {
        var staging = StagingPathFor(finalPath);
        try
        {
            await produce(staging).ConfigureAwait(false);
            File.Move(staging, finalPath, overwrite: true);
        }
        catch
        {
            File.Delete(staging);
            throw;
        }
    }

    private static string StagingPathFor(string finalPath)
    {
        var directory = Path.GetDirectoryName(finalPath)!;
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, $".{Path.GetFileName(finalPath)}.{Guid.NewGuid():N}.partial");
    }

    private static void Stage(string finalPath, Action<string> produce)
    {
        var staging = StagingPathFor(finalPath);
        try
        {
            produce(staging);
            File.Move(staging, finalPath, overwrite: true);
        }
        catch
        {
            File.Delete(staging);
            throw;
        }
    }

    private static bool TryCreateHardLink(string existingPath, string newPath)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // Fails with EXDEV across file systems, EPERM under protected_hardlinks, etc.: all mean "copy instead".
            return Link(existingPath, newPath) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existingPath, string newPath);
}
