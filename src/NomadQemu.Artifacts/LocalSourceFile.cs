using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace NomadQemu.Artifacts;

/// <summary>
/// Opens a local artifact source (a path or a <c>file://</c> URL, and a local checksum file) for reading, but
/// only a regular file, judged on the opened file rather than on the name. A plain open of a FIFO without a
/// writer blocks forever, /dev/zero never ends, and opening some devices has effects of its own (a watchdog
/// arms, a tape rewinds): a job must not be able to make the plugin, which runs as root, do any of that.
/// </summary>
internal static class LocalSourceFile
{
    /// <summary>The rule every refusal states, so the error says what would have been accepted.</summary>
    public const string Rule = "only regular files and archives can be artifacts";

    private const uint IdentityMask =
        LinuxCalls.StatxType | LinuxCalls.StatxMode | LinuxCalls.StatxInode | LinuxCalls.StatxSize;

    // O_NONBLOCK stays on the read descriptor: a regular file ignores it, and anything swapped in that would
    // wait for data fails instead of hanging. O_NOCTTY keeps a terminal from becoming ours.
    private const int ReadFlags = (int)(
        LinuxCalls.ReadOnly | LinuxCalls.NonBlocking | LinuxCalls.NoControllingTty | LinuxCalls.CloseOnExec
    );

    private const int PathFlags = (int)(LinuxCalls.PathOnly | LinuxCalls.CloseOnExec);

    /// <summary>
    /// First opens <paramref name="path"/> with O_PATH, which resolves the name (symlinks followed, as go-getter
    /// does for local files) without opening what it names: no FIFO blocks, no device's open runs. Only a
    /// regular file is then reopened for reading through /proc/self/fd, and the new descriptor must be the
    /// same inode and still regular, so the name cannot be swapped between the check and the read.
    /// </summary>
    /// <param name="display">The artifact as the job named it, for the exception.</param>
    public static OpenedSource Open(string path, string display)
    {
        using var named = OpenOrThrow(path, PathFlags, path, display);
        var expected = RequireRegular(named, path, display);

        var proc = "/proc/self/fd/" + named.DangerousGetHandle().ToString(CultureInfo.InvariantCulture);
        var fd = LinuxCalls.OpenPath(LinuxCalls.AtFdCwd, proc, ReadFlags, 0);
        if (fd < 0 && LinuxCalls.LastError == LinuxCalls.Enoent)
        {
            // No /proc mounted: open the name itself. Non-blocking still keeps a FIFO swapped in from hanging,
            // and the identity check below refuses whatever else the name now points to.
            fd = LinuxCalls.OpenPath(LinuxCalls.AtFdCwd, path, ReadFlags, 0);
        }

        var reading = Adopt(fd, path, display);
        try
        {
            var actual = RequireRegular(reading, path, display);
            if (
                actual.Inode != expected.Inode
                || actual.DevMajor != expected.DevMajor
                || actual.DevMinor != expected.DevMinor
            )
            {
                throw new ArtifactDownloadException(display, $"{path} was replaced while it was being opened");
            }

            // What FileOptions.SequentialScan did for the FileStream this replaces: a larger read-ahead for a
            // file read once from start to end. A hint; its failure changes nothing.
            _ = LinuxCalls.Advise(reading, 0, 0, LinuxCalls.AdviseSequential);
            return new OpenedSource(new FileStream(reading, FileAccess.Read, bufferSize: 0), (long)actual.Size, null);
        }
        catch
        {
            reading.Dispose();
            throw;
        }
    }

    private static SafeFileHandle OpenOrThrow(string path, int flags, string shown, string display) =>
        Adopt(LinuxCalls.OpenPath(LinuxCalls.AtFdCwd, path, flags, 0), shown, display);

    private static SafeFileHandle Adopt(int fd, string path, string display) =>
        fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw CannotRead(path, display, LinuxCalls.LastError);

    /// <summary>fstat of the descriptor (statx with AT_EMPTY_PATH); refuses anything but a regular file.</summary>
    private static LinuxCalls.StatxBuffer RequireRegular(SafeFileHandle handle, string path, string display)
    {
        if (LinuxCalls.Statx(handle, string.Empty, LinuxCalls.AtEmptyPath, IdentityMask, out var status) != 0)
        {
            throw CannotRead(path, display, LinuxCalls.LastError);
        }

        var type = (ushort)(status.Mode & LinuxCalls.TypeMask);
        return type == LinuxCalls.TypeRegular
            ? status
            : throw new ArtifactDownloadException(display, $"{path}: it is {Describe(type)}; {Rule}");
    }

    private static ArtifactDownloadException CannotRead(string path, string display, int errno) =>
        new(display, $"cannot read {path}: {LinuxCalls.Describe(errno)}");

    private static string Describe(ushort type) =>
        type switch
        {
            LinuxCalls.TypeFifo => "a FIFO (named pipe)",
            LinuxCalls.TypeCharDevice => "a character device",
            LinuxCalls.TypeBlockDevice => "a block device",
            LinuxCalls.TypeDirectory => "a directory",
            LinuxCalls.TypeSocket => "a socket",
            LinuxCalls.TypeSymlink => "a symbolic link",
            _ => $"of unknown type 0x{type:x}",
        };
}
