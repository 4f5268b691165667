using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.WarmStart;

/// <summary>
/// SHA-256 of opened files, remembered by file identity (device, inode, size, mtime, ctime): a template key needs
/// the content digest of the image, kernel and initrd at every warm start, and reading a multi-GiB image each
/// time would cost more than the boot it saves. Any write to the file changes its identity and so its entry.
/// </summary>
internal static class FileDigests
{
    private const int MaxEntries = 1024;
    private static readonly ConcurrentDictionary<FileIdentity, string> s_known = new();

    public static string Of(SafeFileHandle file)
    {
        var identity = FileIdentity.Of($"/proc/self/fd/{file.DangerousGetHandle()}");
        if (identity is { } id && s_known.TryGetValue(id, out var known))
        {
            return known;
        }
        var digest = SparseCopy.Sha256(file);
        if (identity is { } fresh)
        {
            if (s_known.Count >= MaxEntries)
            {
                s_known.Clear();
            }
            s_known[fresh] = digest;
        }
        return digest;
    }
}
