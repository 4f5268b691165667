using Microsoft.Win32.SafeHandles;

namespace NomadQemu.Artifacts;

/// <summary>
/// Where an archive is unpacked, and the only way extractors touch the disk. Entries go first into a fresh
/// staging directory inside the destination, every path resolved by the kernel beneath it
/// (<see cref="BeneathDirectory"/>); only when the whole archive is in, within the limits, and every symlink
/// resolves (by the kernel, not by its text) to something inside, is the staging tree merged into the
/// destination. Any failure removes the staging tree and the directories this unpack created: nothing is left.
/// </summary>
internal sealed class ExtractionTarget : IDisposable
{
    private const uint PermissionBits = 0x1FF; // rwxrwxrwx: setuid, setgid and sticky are always dropped
    private const uint DefaultFileMode = 0x1A4; // 0644
    private const uint DefaultDirectoryMode = 0x1ED; // 0755
    private const uint WorkingDirectoryMode = 0x1C0; // 0700 until the archive's own mode is applied at the end

    private readonly BeneathDirectory _taskDirectory;
    private readonly string _display;
    private readonly List<string> _createdDestination = [];
    private readonly BeneathDirectory _destination;
    private readonly string _stagingName = $".nq-unpack-{Guid.NewGuid():N}";
    private readonly BeneathDirectory _staging;
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal) { string.Empty };
    private readonly List<(string Path, uint Mode)> _directoryModes = [];
    private readonly List<(string Path, string EntryName, string Target)> _links = [];

    /// <summary>Non-directories made so far: only these can already exist in the fresh staging tree.</summary>
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    public ExtractionTarget(
        BeneathDirectory taskDirectory,
        string destination,
        string display,
        DecompressionLimits limits
    )
    {
        _taskDirectory = taskDirectory;
        _display = display;
        Budget = new DecompressionBudget(limits, display);
        try
        {
            _destination = taskDirectory.CreateDirectories(destination, _createdDestination);
        }
        catch
        {
            RemoveCreatedDestination();
            throw;
        }

        try
        {
            _destination.TryMakeDirectory(_stagingName, WorkingDirectoryMode);
            _staging = _destination.OpenDirectory(_stagingName);
        }
        catch
        {
            RemoveCreatedDestination();
            _destination.Dispose();
            throw;
        }
    }

    public DecompressionBudget Budget { get; }

    /// <summary>Maps an entry name to its normalised relative path, or null for the root itself ("./").</summary>
    public string? Resolve(string entryName)
    {
        // Archives made on Windows use '\'; tar strips a leading '/' and so do we, rather than write to "/etc".
        var relative = RelativePath.Normalize(entryName) ?? throw Refused(entryName, "its path climbs out with \"..\"");
        return relative.Length == 0 ? null : relative;
    }

    public Stream CreateFile(string path, string entryName, UnixFileMode? mode)
    {
        Budget.AddEntry(entryName);
        var handle = CreateRegularFile(path, entryName, mode is { } m ? (uint)m & PermissionBits : DefaultFileMode);
        return new BudgetedStream(new FileStream(handle, FileAccess.Write, 0), Budget);
    }

    public void CreateDirectory(string path, string entryName, UnixFileMode? mode)
    {
        Budget.AddEntry(entryName);
        Guard(entryName, () => EnsureDirectory(path));
        _directoryModes.Add((path, mode is { } m ? (uint)m & PermissionBits : DefaultDirectoryMode));
    }

    public void CreateSymlink(string path, string linkTarget, string entryName)
    {
        Budget.AddEntry(entryName);
        if (linkTarget.Length == 0 || linkTarget.Contains('\0', StringComparison.Ordinal))
        {
            throw Refused(entryName, "its symlink target is empty or not a path");
        }

        Guard(
            entryName,
            () =>
            {
                EnsureDirectory(RelativePath.Parent(path));
                ReplaceIfWritten(path);
                _staging.CreateSymlink(path, linkTarget);
            }
        );
        _links.Add((path, entryName, linkTarget));
    }

    /// <summary>A tar hard link becomes a copy of an already extracted file: no aliasing between task files.</summary>
    public async Task CopyHardLinkAsync(
        string path,
        string linkTargetEntryName,
        string entryName,
        CancellationToken cancellationToken
    )
    {
        var source = Resolve(linkTargetEntryName) ?? throw Refused(entryName, "its hard link target is the root");
        SafeFileHandle input;
        try
        {
            input = _staging.OpenRead(source);
        }
        catch (ContainmentException ex)
        {
            throw Refused(entryName, $"its hard link target \"{linkTargetEntryName}\" cannot be used: {ex.Message}");
        }

        using (input)
        {
            var mode = BeneathDirectory.ModeOfHandle(input, _staging.Display(source));
            if ((mode & LinuxCalls.TypeMask) != LinuxCalls.TypeRegular)
            {
                throw Refused(entryName, $"its hard link target \"{linkTargetEntryName}\" is not a regular file");
            }

            await using var reader = new FileStream(input, FileAccess.Read, 0);
            await using var output = CreateFile(path, entryName, (UnixFileMode)(mode & PermissionBits));
            await ArchiveCopy.CopyAsync(reader, output, () => { }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Device nodes, fifos and other special files never reach a task directory.</summary>
    public ArtifactUnpackException RefuseSpecial(string entryName, string kind) =>
        Refused(entryName, $"it is a {kind}; special files are refused");

    /// <summary>Checks every link, merges the staging tree into the destination, then applies directory modes.</summary>
    public void Complete()
    {
        foreach ((var path, var entryName, var target) in _links)
        {
            var errno = _staging.TryResolve(path);
            if (errno != 0)
            {
                throw Refused(entryName, $"its symlink target \"{target}\" {LinkProblem(errno)}");
            }
        }

        var merger = new StagingMerger(_staging, _destination, _display);
        merger.Check();
        merger.Apply();
        RemoveStaging();
        // Innermost first, so a read-only parent does not stop a child's chmod (root would not care; others do).
        for (var i = _directoryModes.Count - 1; i >= 0; i--)
        {
            (var path, var mode) = _directoryModes[i];
            using var directory = _destination.OpenDirectory(path);
            if (LinuxCalls.Fchmod(directory.Handle, mode) != 0)
            {
                throw new ContainmentException(LinuxCalls.LastError, directory.DisplayPath, "set mode");
            }
        }
    }

    /// <summary>Removes everything this unpack made: the staging tree and destination directories it created.</summary>
    public void Rollback()
    {
        RemoveStaging();
        RemoveCreatedDestination();
    }

    public void Dispose()
    {
        _staging.Dispose();
        _destination.Dispose();
    }

    private SafeFileHandle CreateRegularFile(string path, string entryName, uint mode) =>
        Guard(
            entryName,
            () =>
            {
                EnsureDirectory(RelativePath.Parent(path));
                ReplaceIfWritten(path);
                return _staging.CreateFile(path, mode);
            }
        );

    /// <summary>
    /// A later entry with the same name replaces the earlier one, as tar does; a directory is never replaced.
    /// Anything else already there is not ours, and O_EXCL / symlinkat refuse to touch it.
    /// </summary>
    private void ReplaceIfWritten(string path)
    {
        if (_directories.Contains(path))
        {
            throw new ContainmentException(LinuxCalls.Eisdir, _staging.Display(path), "replace directory");
        }

        if (!_written.Add(path))
        {
            _staging.RemoveFileIfPresent(path);
        }
    }

    /// <summary>mkdir -p inside staging, remembering what exists: staging is ours alone, so the memo stays true.</summary>
    private void EnsureDirectory(string path)
    {
        if (_directories.Contains(path))
        {
            return;
        }

        EnsureDirectory(RelativePath.Parent(path));
        _staging.TryMakeDirectory(path, DefaultDirectoryMode);
        if (_staging.TypeOf(path) is not LinuxCalls.TypeDirectory)
        {
            // A symlink (even one pointing inside) or a file already has this name: replacing it silently would
            // change what earlier entries meant, and writing through it is what archive escapes are made of.
            throw new ContainmentException(LinuxCalls.Enotdir, _staging.Display(path), "use as a directory");
        }

        _directories.Add(path);
    }

    private T Guard<T>(string entryName, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (ContainmentException ex)
        {
            throw Refused(entryName, ex.Escapes ? "its path leads outside the destination" : ex.Message);
        }
    }

    private void Guard(string entryName, Action action) =>
        Guard(
            entryName,
            () =>
            {
                action();
                return true;
            }
        );

    private static string LinkProblem(int errno) =>
        errno switch
        {
            LinuxCalls.Exdev => "leads outside the destination",
            LinuxCalls.Enoent or LinuxCalls.Enotdir =>
                "points to nothing in the archive (a dangling link cannot be judged, so it is refused)",
            LinuxCalls.Eloop => "is a loop of links",
            _ => $"cannot be resolved: {LinuxCalls.Describe(errno)}",
        };

    private ArtifactUnpackException Refused(string entryName, string why) =>
        new(_display, $"archive entry \"{entryName}\" rejected: {why} ({_destination.DisplayPath})");

    private void RemoveStaging()
    {
        try
        {
            // Directory.Delete unlinks symlinks instead of following them; the /proc path is the staging
            // directory itself, whatever path strings would say.
            Directory.Delete($"{_destination.ProcPath}/{_stagingName}", recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Already gone, or not removable: nothing more can be done from here.
        }
    }

    private void RemoveCreatedDestination() => _taskDirectory.RemoveEmptyDirectories(_createdDestination);
}
