using NomadQemu.Artifacts;

namespace NomadQemu.Micro.Baseline;

// Baseline for UnpackBenchmarks: main's path-string extraction before fd-relative containment, kept here
// unchanged (only renamed) so the benchmark measures both in the same run. Not used by the product.

/// <summary>
/// The directory an archive is unpacked into, and the only way extractors touch the disk. It refuses entry
/// names and links that would leave the directory ("zip-slip"), never writes through a symlink that points
/// outside, and remembers what it created so a failed unpack can be rolled back to nothing.
/// </summary>
internal sealed class PathStringExtractionTarget
{
    private const UnixFileMode PermissionBits = (UnixFileMode)0x1FF; // rwxrwxrwx: setuid/setgid/sticky are dropped
    private const UnixFileMode OwnerAll = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly string _root;
    private readonly string _display;
    private readonly List<string> _created = [];
    private readonly List<(string Path, UnixFileMode Mode)> _deferredDirectoryModes = [];
    private readonly HashSet<string> _verifiedDirectories = new(StringComparer.Ordinal);

    public PathStringExtractionTarget(string root, string display)
    {
        _root = Path.GetFullPath(root);
        _display = display;
        CreateDirectoryTracked(_root);
        _verifiedDirectories.Add(_root);
    }

    /// <summary>Maps an entry name to a full path inside the root, or null for the root itself ("./").</summary>
    public string? Resolve(string entryName)
    {
        // Archives made on Windows use '\'; tar strips a leading '/' and so do we, rather than write to "/etc".
        var relative = entryName.Replace('\\', '/').TrimStart('/');
        var full = Path.GetFullPath(Path.Combine(_root, relative));
        if (!PathStringPathContainment.IsInside(_root, full))
        {
            throw Escape(entryName, "its path");
        }

        return full == _root ? null : full;
    }

    public Stream CreateFile(string path)
    {
        PrepareParent(path);
        RemoveExisting(path);
        _created.Add(path);
        return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous);
    }

    public void CreateDirectory(string path, UnixFileMode? mode)
    {
        PrepareParent(path);
        if (File.Exists(path) || IsSymlink(path))
        {
            RemoveExisting(path);
        }

        CreateDirectoryTracked(path);
        if (mode is { } m && !OperatingSystem.IsWindows())
        {
            // Applied after unpacking: a 0555 directory would otherwise block its own entries.
            _deferredDirectoryModes.Add((path, m & PermissionBits));
            File.SetUnixFileMode(path, (m & PermissionBits) | OwnerAll);
        }

        _verifiedDirectories.Add(path);
    }

    public void CreateSymlink(string path, string linkTarget, string entryName)
    {
        var resolved = Path.GetFullPath(
            Path.IsPathRooted(linkTarget) ? linkTarget : Path.Combine(Path.GetDirectoryName(path)!, linkTarget)
        );
        if (!PathStringPathContainment.IsInside(_root, resolved))
        {
            throw Escape(entryName, $"its symlink target \"{linkTarget}\"");
        }

        PrepareParent(path);
        RemoveExisting(path);
        _created.Add(path);
        File.CreateSymbolicLink(path, linkTarget);
    }

    /// <summary>A tar hard link becomes a copy of an already extracted file: no aliasing between task files.</summary>
    public void CopyHardLink(string path, string linkTargetEntryName, string entryName)
    {
        var source = Resolve(linkTargetEntryName) ?? throw Escape(entryName, "its hard link target");
        if (!File.Exists(source))
        {
            throw new ArtifactUnpackException(
                _display,
                $"entry \"{entryName}\" links to \"{linkTargetEntryName}\", which is not in the archive before it"
            );
        }

        PrepareParent(path);
        RemoveExisting(path);
        _created.Add(path);
        File.Copy(source, path);
    }

    public static void SetFileMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode & PermissionBits);
        }
    }

    public void Complete()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // Innermost first, so a read-only parent does not stop a child's chmod.
        for (var i = _deferredDirectoryModes.Count - 1; i >= 0; i--)
        {
            (var path, var mode) = _deferredDirectoryModes[i];
            File.SetUnixFileMode(path, mode);
        }
    }

    /// <summary>Best-effort removal of everything this unpack created (pre-existing files it replaced are gone).</summary>
    public void Rollback()
    {
        for (var i = _created.Count - 1; i >= 0; i--)
        {
            var path = _created[i];
            try
            {
                if (Directory.Exists(path) && !IsSymlink(path))
                {
                    Directory.Delete(path, recursive: true);
                }
                else
                {
                    File.Delete(path);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Keep going: leaving one stray file beats leaving all of them.
            }
        }
    }

    private ArtifactUnpackException Escape(string entryName, string what) =>
        new(_display, $"archive entry \"{entryName}\" rejected: {what} leads outside the destination {_root}");

    /// <summary>Creates missing parents and makes sure no existing parent is a symlink leading out of the root.</summary>
    private void PrepareParent(string path)
    {
        var parent = Path.GetDirectoryName(path)!;
        if (_verifiedDirectories.Contains(parent))
        {
            return;
        }

        var relative = Path.GetRelativePath(_root, parent);
        var current = _root;
        foreach (var part in relative.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            if (IsSymlink(current))
            {
                var final = new DirectoryInfo(current).ResolveLinkTarget(returnFinalTarget: true);
                if (final is null || !PathStringPathContainment.IsInside(_root, final.FullName))
                {
                    throw Escape(path, $"the symlink {current}");
                }
            }
            else if (File.Exists(current))
            {
                throw new ArtifactUnpackException(_display, $"cannot create {path}: {current} is a file");
            }
        }

        CreateDirectoryTracked(parent);
        _verifiedDirectories.Add(parent);
    }

    private void CreateDirectoryTracked(string path)
    {
        // Record the outermost directory that did not exist yet: deleting it on rollback removes the rest.
        string? missing = null;
        for (var p = path; p is not null && !Directory.Exists(p); p = Path.GetDirectoryName(p))
        {
            missing = p;
        }

        if (missing is not null)
        {
            Directory.CreateDirectory(path);
            _created.Add(missing);
        }
    }

    private void RemoveExisting(string path)
    {
        // Unlink first (as tar does): writing into an existing symlink or hard link would change its target,
        // which could be outside the root or a read-only cache object.
        if (IsSymlink(path) || File.Exists(path))
        {
            File.Delete(path);
        }
        else if (Directory.Exists(path))
        {
            throw new ArtifactUnpackException(
                _display,
                $"cannot replace directory {path} with a non-directory archive entry"
            );
        }
    }

    /// <summary>True for any symlink, dangling ones included (LinkTarget reads the link itself, not its target).</summary>
    private static bool IsSymlink(string path) => new FileInfo(path).LinkTarget is not null;
}
