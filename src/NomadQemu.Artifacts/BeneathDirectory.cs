using Microsoft.Win32.SafeHandles;

namespace NomadQemu.Artifacts;

/// <summary>
/// An open directory that paths are resolved beneath by the kernel (openat2 + RESOLVE_BENEATH), never by
/// comparing strings: symlinks are followed only while they stay inside, so no "..", absolute path, absolute
/// symlink or chain of symlinks reaches anything outside. Operations that take a name (mkdir, symlink,
/// unlink, rename) first open the parent this way and then act on the single last component.
/// Relative paths given here are already normalised by <see cref="RelativePath"/> ("" is the directory itself).
/// </summary>
internal sealed class BeneathDirectory : IDisposable
{
    private const ulong Resolve = LinuxCalls.ResolveBeneath | LinuxCalls.ResolveNoMagicLinks;

    private BeneathDirectory(SafeFileHandle handle, string displayPath)
    {
        Handle = handle;
        DisplayPath = displayPath;
    }

    public SafeFileHandle Handle { get; }

    /// <summary>Where this directory was when opened; for messages only, never for access.</summary>
    public string DisplayPath { get; }

    /// <summary>A path the kernel maps back to this very directory (for .NET APIs that only take paths).</summary>
    public string ProcPath => $"/proc/self/fd/{Handle.DangerousGetHandle()}";

    /// <summary>Opens a directory the caller trusts (the task directory the runner created) by its path.</summary>
    public static BeneathDirectory OpenTrusted(string path)
    {
        var fd = OpenDirectoryAt(LinuxCalls.AtFdCwd, path);
        return fd >= 0
            ? new BeneathDirectory(new SafeFileHandle(fd, ownsHandle: true), path)
            : throw new ContainmentException(LinuxCalls.LastError, path, "open the task directory");
    }

    public string Display(string relative) => relative.Length == 0 ? DisplayPath : $"{DisplayPath}/{relative}";

    /// <summary>Opens an existing directory beneath this one.</summary>
    public BeneathDirectory OpenDirectory(string relative)
    {
        var fd = LinuxCalls.OpenAt2(Handle, Dot(relative), LinuxCalls.Directory, 0, Resolve);
        return fd >= 0
            ? new BeneathDirectory(new SafeFileHandle(fd, ownsHandle: true), Display(relative))
            : throw new ContainmentException(LinuxCalls.LastError, Display(relative), "open directory");
    }

    /// <summary>Opens a directory beneath this one without following any symlink on the way.</summary>
    public BeneathDirectory OpenRealDirectory(string relative)
    {
        var fd = LinuxCalls.OpenAt2(
            Handle,
            Dot(relative),
            LinuxCalls.Directory | LinuxCalls.NoFollow,
            0,
            Resolve | LinuxCalls.ResolveNoSymlinks
        );
        return fd >= 0
            ? new BeneathDirectory(new SafeFileHandle(fd, ownsHandle: true), Display(relative))
            : throw new ContainmentException(LinuxCalls.LastError, Display(relative), "open directory");
    }

    /// <summary>Names of the entries in this directory (not "." or "..").</summary>
    public IEnumerable<string> EntryNames() =>
        new DirectoryInfo(ProcPath).EnumerateFileSystemInfos().Select(info => info.Name);

    /// <summary>
    /// mkdir -p beneath this directory and opens the result. Each newly made directory is added to
    /// <paramref name="created"/> (outermost first) so a failed unpack can remove them again.
    /// </summary>
    public BeneathDirectory CreateDirectories(string relative, List<string>? created = null, uint mode = 0x1ED)
    {
        var parts = RelativePath.Split(relative);
        for (var i = 1; i <= parts.Length; i++)
        {
            var path = string.Join('/', parts[..i]);
            if (TryMakeDirectory(path, mode))
            {
                created?.Add(path);
            }
        }

        return OpenDirectory(relative);
    }

    /// <returns>True when made, false when something already had that name.</returns>
    public bool TryMakeDirectory(string relative, uint mode) =>
        WithParent(
            relative,
            "create directory",
            (parent, leaf) =>
            {
                if (LinuxCalls.MkdirAt(parent, leaf, mode) == 0)
                {
                    return true;
                }

                var errno = LinuxCalls.LastError;
                return errno == LinuxCalls.Eexist
                    ? false
                    : throw new ContainmentException(errno, Display(relative), "create directory");
            }
        );

    /// <summary>Creates a new regular file (never through a link: O_EXCL|O_NOFOLLOW on the last name) with <paramref name="mode"/>.</summary>
    public SafeFileHandle CreateFile(string relative, uint mode)
    {
        var fd = LinuxCalls.OpenAt2(
            Handle,
            relative,
            LinuxCalls.WriteOnly | LinuxCalls.Create | LinuxCalls.Exclusive | LinuxCalls.NoFollow,
            0x180,
            Resolve
        );
        if (fd < 0)
        {
            throw new ContainmentException(LinuxCalls.LastError, Display(relative), "create file");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        // fchmod, not the open mode: the process umask must not decide what the archive said.
        if (LinuxCalls.Fchmod(handle, mode) != 0)
        {
            var errno = LinuxCalls.LastError;
            handle.Dispose();
            throw new ContainmentException(errno, Display(relative), "set mode");
        }

        return handle;
    }

    /// <summary>Opens an existing file for reading, following links only while they stay beneath.</summary>
    public SafeFileHandle OpenRead(string relative)
    {
        var fd = LinuxCalls.OpenAt2(Handle, relative, LinuxCalls.ReadOnly, 0, Resolve);
        return fd >= 0
            ? new SafeFileHandle(fd, ownsHandle: true)
            : throw new ContainmentException(LinuxCalls.LastError, Display(relative), "open");
    }

    /// <summary>Tries to resolve <paramref name="relative"/> completely beneath this directory; returns 0 or the errno.</summary>
    public int TryResolve(string relative)
    {
        var fd = LinuxCalls.OpenAt2(Handle, relative, LinuxCalls.PathOnly, 0, Resolve);
        if (fd < 0)
        {
            return LinuxCalls.LastError;
        }

        new SafeFileHandle(fd, ownsHandle: true).Dispose();
        return 0;
    }

    public void CreateSymlink(string relative, string target) =>
        WithParent(
            relative,
            "create symlink",
            (parent, leaf) =>
                LinuxCalls.SymlinkAt(target, parent, leaf) == 0
                    ? true
                    : throw new ContainmentException(LinuxCalls.LastError, Display(relative), "create symlink")
        );

    /// <summary>rmdir of each path, innermost first (as listed by <see cref="CreateDirectories"/>); ones in use stay.</summary>
    public void RemoveEmptyDirectories(IReadOnlyList<string> created)
    {
        for (var i = created.Count - 1; i >= 0; i--)
        {
            try
            {
                WithParent(
                    created[i],
                    "remove",
                    (parent, leaf) => LinuxCalls.UnlinkAt(parent, leaf, LinuxCalls.AtRemoveDir) == 0
                );
            }
            catch (ContainmentException)
            {
                // Its parent is gone or changed: nothing of ours left to remove there.
            }
        }
    }

    /// <summary>Removes a non-directory name if present (the link itself, never its target).</summary>
    public void RemoveFileIfPresent(string relative) =>
        WithParent(
            relative,
            "remove",
            (parent, leaf) =>
            {
                if (LinuxCalls.UnlinkAt(parent, leaf, 0) == 0)
                {
                    return true;
                }

                var errno = LinuxCalls.LastError;
                return errno == LinuxCalls.Enoent
                    ? false
                    : throw new ContainmentException(errno, Display(relative), "remove");
            }
        );

    /// <summary>File type bits (S_IFMT) of the name itself, not following a final symlink; null when absent.</summary>
    public ushort? TypeOf(string relative) =>
        WithParent<ushort?>(relative, "inspect", (parent, leaf) => TypeOfEntry(parent, leaf, Display(relative)));

    public static ushort? TypeOfEntry(SafeFileHandle directory, string name, string display)
    {
        if (LinuxCalls.Statx(directory, name, LinuxCalls.AtSymlinkNofollow, LinuxCalls.StatxType, out var buffer) == 0)
        {
            return (ushort)(buffer.Mode & LinuxCalls.TypeMask);
        }

        var errno = LinuxCalls.LastError;
        return errno == LinuxCalls.Enoent ? null : throw new ContainmentException(errno, display, "inspect");
    }

    /// <summary>st_mode (type and permission bits) of an open handle: fstat through statx with AT_EMPTY_PATH.</summary>
    public static ushort ModeOfHandle(SafeFileHandle handle, string display) =>
        LinuxCalls.Statx(
            handle,
            string.Empty,
            LinuxCalls.AtEmptyPath,
            LinuxCalls.StatxType | LinuxCalls.StatxMode,
            out var buffer
        ) == 0
            ? buffer.Mode
            : throw new ContainmentException(LinuxCalls.LastError, display, "inspect");

    /// <summary>Runs <paramref name="action"/> on the opened parent of <paramref name="relative"/> and its last name.</summary>
    public T WithParent<T>(string relative, string operation, Func<SafeFileHandle, string, T> action)
    {
        var slash = relative.LastIndexOf('/');
        var leaf = relative[(slash + 1)..];
        if (leaf.Length == 0)
        {
            throw new ContainmentException(LinuxCalls.Eisdir, DisplayPath, operation);
        }

        if (slash < 0)
        {
            return action(Handle, leaf);
        }

        using var parent = OpenDirectory(relative[..slash]);
        return action(parent.Handle, leaf);
    }

    public void Dispose() => Handle.Dispose();

    private static string Dot(string relative) => relative.Length == 0 ? "." : relative;

    private static int OpenDirectoryAt(int directory, string path)
    {
        using var cwd = new SafeFileHandle(directory, ownsHandle: false);
        return LinuxCalls.OpenAt2(cwd, path, LinuxCalls.Directory, 0, 0);
    }
}
