using Microsoft.Win32.SafeHandles;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Files;

/// <summary>
/// A file a job named, opened once by trusted code. From here on only the descriptor is used: QEMU and the
/// inspection code see this inode, whatever happens to the name afterwards.
/// </summary>
internal sealed class OpenedFile : IDisposable
{
    public OpenedFile(SafeFileHandle handle, string key, string name, string directory, LibC.Statx stat, bool writable)
    {
        Handle = handle;
        Key = key;
        Name = name;
        Directory = directory;
        Inode = stat.Ino;
        Device = ((ulong)stat.DevMajor << 32) | stat.DevMinor;
        Size = (long)stat.Size;
        ModifiedNs = (stat.MtimeSeconds * 1_000_000_000) + stat.MtimeNanoseconds;
        Writable = writable;
    }

    public SafeFileHandle Handle { get; }

    /// <summary>The config key that named it (for errors).</summary>
    public string Key { get; }

    /// <summary>The name as the job wrote it (for errors and events; never opened again).</summary>
    public string Name { get; }

    /// <summary>The absolute directory the name was taken in: relative names inside the image start here.</summary>
    public string Directory { get; }

    public ulong Inode { get; }
    public ulong Device { get; }
    public long Size { get; }

    /// <summary>Modification time when opened: with device, inode and size, which version of the file this is.</summary>
    public long ModifiedNs { get; }
    public bool Writable { get; }

    public int Fd => (int)Handle.DangerousGetHandle();

    /// <summary>A read-only stream over the same descriptor (not owning it), for header inspection.</summary>
    public FileStream ReadStream() => new(new SafeFileHandle(Handle.DangerousGetHandle(), false), FileAccess.Read, 1);

    /// <summary>
    /// A second, read-only descriptor of the very same inode (through our own /proc/self/fd link, not the name):
    /// QEMU picks an fd set member by access mode and opens a writable image read-only first.
    /// </summary>
    public SafeFileHandle ReopenReadOnly()
    {
        var fd = LibC.open($"/proc/self/fd/{Fd}", LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NOCTTY, 0);
        if (fd < 0)
        {
            throw new IOException($"cannot reopen {Name} read-only: {LibC.LastError()}");
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (LibC.FStat(fd) is not { } stat || stat.Ino != Inode)
        {
            handle.Dispose();
            throw new IOException($"reopening {Name} read-only gave another file");
        }
        return handle;
    }

    public void Dispose() => Handle.Dispose();
}
