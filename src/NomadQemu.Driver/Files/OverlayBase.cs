using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Files;

/// <summary>
/// What a kept disk overlay was made over: the virtual size and every file of the image chain (device, inode,
/// size, mtime) as the driver opened them. The overlay itself names no backing file (QEMU is handed the chain
/// explicitly), so this record, written next to it, is how a later start of the task knows whether the guest's
/// writes still apply: over another image, or the same name rewritten, they would be garbage.
/// </summary>
internal static class OverlayBase
{
    /// <summary>The record's name: the overlay's plus this suffix.</summary>
    public const string Suffix = ".base";

    /// <summary>A record is a few lines; anything longer was not written by the driver.</summary>
    private const int MaxBytes = 4096;

    /// <summary>The identity of the chain <paramref name="files"/> (top layer first) at <paramref name="virtualSize"/>.</summary>
    public static string Describe(ulong virtualSize, IEnumerable<OpenedFile> files)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"virtual_size {virtualSize}\n");
        foreach (var file in files)
        {
            text.Append(
                CultureInfo.InvariantCulture,
                $"layer {file.Device} {file.Inode} {file.Size} {file.ModifiedNs}\n"
            );
        }
        return text.ToString();
    }

    /// <summary>The record kept for <paramref name="overlayPath"/>, or null when there is none the driver could
    /// have written (missing, a link, not a regular file, too long).</summary>
    public static string? Read(string overlayPath)
    {
        var fd = LibC.open(overlayPath + Suffix, LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NOCTTY | LibC.ONoFollow, 0);
        if (fd < 0)
        {
            return null;
        }
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (
            LibC.FStat(fd) is not { } stat
            || (stat.Mode & LibC.FileTypeMask) != LibC.RegularFileType
            || stat.Size > MaxBytes
        )
        {
            return null;
        }
        using var stream = new FileStream(handle, FileAccess.Read, 1);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Writes the record (0600, never through a link): a temporary name renamed over the old record.</summary>
    public static void Write(string overlayPath, string identity)
    {
        var temporary = overlayPath + Suffix + ".new";
        File.Delete(temporary); // a leftover of an interrupted write (removed as a link, never followed)
        var fd = LibC.openat(
            LibC.AT_FDCWD,
            temporary,
            LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.ONoFollow | LibC.O_CLOEXEC,
            0b110_000_000
        );
        if (fd < 0)
        {
            throw new IOException($"cannot write the overlay record {temporary}: {LibC.LastError()}");
        }
        using (var handle = new SafeFileHandle(fd, ownsHandle: true))
        using (var stream = new FileStream(handle, FileAccess.Write, 1))
        {
            stream.Write(Encoding.UTF8.GetBytes(identity));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, overlayPath + Suffix, overwrite: true);
    }

    /// <summary>Removes the record first: an overlay without a record is never reused.</summary>
    public static void Forget(string overlayPath) => File.Delete(overlayPath + Suffix);
}
