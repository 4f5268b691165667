using System.Globalization;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Jail;

/// <summary>
/// One uid of the jail range, held for a VM's life by an exclusive flock on <c>UID.lock</c> in the lock dir.
/// The supervisor holds the lock; the kernel drops it when the supervisor's process ends, however it ends,
/// so a uid is never leaked and never shared by two live supervisors. The range's first uid is the KVM
/// probe's and is never handed out here.
/// </summary>
internal sealed class JailUidLease : IDisposable
{
    private readonly int _fd;

    private JailUidLease(int uid, int fd)
    {
        Uid = uid;
        _fd = fd;
    }

    public int Uid { get; }

    /// <exception cref="IOException">The lock dir cannot be used, or every uid of the range is taken.</exception>
    public static JailUidLease Acquire(string lockDir, int uidBase, int uidCount)
    {
        Directory.CreateDirectory(lockDir);
        File.SetUnixFileMode(lockDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        for (var offset = 1; offset < uidCount; offset++)
        {
            var uid = uidBase + offset;
            var path = Path.Combine(lockDir, uid.ToString(CultureInfo.InvariantCulture) + ".lock");
            var fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CREAT | JailNative.O_CLOEXEC, 0x180);
            if (fd < 0)
            {
                throw new IOException($"cannot open the uid lock {path}: {JailNative.LastError()}");
            }
            if (JailNative.flock(fd, JailNative.LOCK_EX | JailNative.LOCK_NB) == 0)
            {
                return new JailUidLease(uid, fd);
            }
            LibC.close(fd);
        }
        throw new IOException(
            $"all {uidCount - 1} jail uids from {uidBase + 1} are in use (raise the plugin config jail_uid_count)"
        );
    }

    public void Dispose() => LibC.close(_fd);
}
