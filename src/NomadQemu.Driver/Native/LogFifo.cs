using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NomadQemu.Driver.Native;

/// <summary>
/// Nomad-style task log FIFOs for a front that plays logmon's part (the standalone runner): create one,
/// open it for reading, and wake a blocked reader. The supervisor opens the writing end for QEMU.
/// </summary>
public static class LogFifo
{
    /// <summary>Creates a FIFO readable and writable by its owner only (a VM's console can hold secrets).</summary>
    public static void Create(string path)
    {
        if (
            LibC.mkfifo(
                path,
                0x180 /* 0600 */
            ) != 0
        )
        {
            throw new IOException(
                $"mkfifo {path} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}"
            );
        }
    }

    /// <summary>Opens the reading end; blocks until a writer opens the other end, as open(2) on a FIFO does.</summary>
    public static SafeFileHandle OpenForReading(string path)
    {
        var fd = LibC.OpenRetryingOnInterrupt(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        return fd >= 0
            ? new SafeFileHandle(fd, ownsHandle: true)
            : throw new IOException(
                $"cannot open {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}"
            );
    }

    /// <summary>
    /// Opens and closes the writing end without blocking: a reader waiting for a writer, or sitting at
    /// end-of-file, wakes up. Does nothing when no reader is there.
    /// </summary>
    public static void WakeReader(string path)
    {
        var fd = LibC.OpenRetryingOnInterrupt(path, LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd >= 0)
        {
            _ = LibC.close(fd); // only a wake-up for the reader; nothing to do if close fails
        }
    }
}
