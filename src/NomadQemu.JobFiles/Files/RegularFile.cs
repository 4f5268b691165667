using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NomadQemu.JobFiles.Files;

/// <summary>
/// Reads files a job file names (<c>file()</c>) and the job file itself, but only regular files, judged on the
/// opened file rather than on the name. A FIFO with no writer would block a plain open forever, a device such as
/// /dev/zero never ends, and opening some devices has effects of its own (a watchdog arms, a tape rewinds).
/// </summary>
public static class RegularFile
{
    private const int ReadFlags = FileCalls.O_RDONLY | FileCalls.O_NONBLOCK | FileCalls.O_NOCTTY | FileCalls.O_CLOEXEC;

    /// <summary>The rule every refusal states, so an error says what would have been accepted.</summary>
    public const string Rule = "only a regular file can be read";

    /// <summary>
    /// Opens <paramref name="path"/> for reading. First with O_PATH, which resolves the name (symlinks included)
    /// without opening what it names: no FIFO blocks, no driver's open runs. Only if that is a regular file is
    /// the same inode reopened for reading through /proc/self/fd, so the name cannot be swapped in between. The
    /// read descriptor keeps O_NONBLOCK: a /proc file that would wait for data fails instead of hanging.
    /// </summary>
    /// <exception cref="IOException">
    /// Missing, unreadable or not a regular file. The message does not repeat the path: callers name it.
    /// </exception>
    public static FileStream OpenRead(string path)
    {
        var nameFd = FileCalls.Open(path, FileCalls.O_PATH | FileCalls.O_CLOEXEC);
        if (nameFd < 0)
        {
            throw Failure(Marshal.GetLastPInvokeError());
        }
        try
        {
            RequireRegular(nameFd);
            var fd = FileCalls.Open("/proc/self/fd/" + nameFd.ToString(CultureInfo.InvariantCulture), ReadFlags);
            if (fd < 0 && Marshal.GetLastPInvokeError() == FileCalls.ENOENT)
            {
                // No /proc mounted: open the name itself. Non-blocking still keeps a FIFO swapped in from hanging,
                // and the type is checked again on what was opened.
                fd = FileCalls.Open(path, ReadFlags);
            }
            if (fd < 0)
            {
                throw Failure(Marshal.GetLastPInvokeError());
            }
            var handle = new SafeFileHandle(fd, ownsHandle: true);
            try
            {
                RequireRegular(fd);
                return new FileStream(handle, FileAccess.Read, bufferSize: 0);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }
        finally
        {
            _ = FileCalls.Close(nameFd);
        }
    }

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/> + 1 bytes, whatever length the file reports (a /proc file says
    /// 0, a file may grow while it is read): a result longer than the limit tells the caller it was exceeded.
    /// </summary>
    /// <exception cref="IOException">As <see cref="OpenRead"/>, or the read failed.</exception>
    public static byte[] ReadBounded(string path, int maxBytes)
    {
        using var stream = OpenRead(path);
        var buffer = new byte[64 * 1024];
        using var content = new MemoryStream();
        int read;
        while (content.Length <= maxBytes && (read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            content.Write(buffer, 0, (int)Math.Min(read, maxBytes + 1L - content.Length));
        }
        return content.ToArray();
    }

    private static void RequireRegular(int fd)
    {
        var type = FileCalls.FileType(fd) ?? throw Failure(Marshal.GetLastPInvokeError());
        if (type != FileCalls.TypeRegular)
        {
            throw new IOException($"it is {Describe(type)}, and {Rule}");
        }
    }

    private static string Describe(int type) =>
        type switch
        {
            FileCalls.TypeFifo => "a FIFO (named pipe)",
            FileCalls.TypeCharDevice => "a character device",
            FileCalls.TypeBlockDevice => "a block device",
            FileCalls.TypeDirectory => "a directory",
            FileCalls.TypeSocket => "a socket",
            FileCalls.TypeSymlink => "a symbolic link",
            _ => $"of unknown type 0x{type:x}",
        };

    private static IOException Failure(int errno) => new(Marshal.GetPInvokeErrorMessage(errno));
}
