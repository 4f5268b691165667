namespace NomadQemu.Artifacts;

/// <summary>
/// Moves an unpacked staging tree into the destination by renames inside one file system. Directories that
/// exist on both sides are merged, files replace files, and nothing ever goes through a symlink already in
/// the destination: the tree lands exactly as it was checked in staging. <see cref="Check"/> walks first
/// without changing anything, so a conflict refuses the artifact before a single entry has moved.
/// </summary>
internal sealed class StagingMerger(BeneathDirectory staging, BeneathDirectory destination, string display)
{
    public void Check() => Walk(staging, destination, string.Empty, apply: false);

    public void Apply() => Walk(staging, destination, string.Empty, apply: true);

    private void Walk(BeneathDirectory from, BeneathDirectory to, string relative, bool apply)
    {
        foreach (var name in from.EntryNames().ToList())
        {
            var path = RelativePath.Join(relative, name);
            var sourceType = BeneathDirectory.TypeOfEntry(from.Handle, name, from.Display(name));
            var targetType = BeneathDirectory.TypeOfEntry(to.Handle, name, to.Display(name));
            if (targetType is null)
            {
                if (apply)
                {
                    Rename(from, to, name, LinuxCalls.RenameNoReplace);
                }
            }
            else if (sourceType == LinuxCalls.TypeDirectory)
            {
                MergeDirectory(from, to, name, path, targetType.Value, apply);
            }
            else if (targetType == LinuxCalls.TypeDirectory)
            {
                throw Conflict(path, to.Display(name), "is a directory and the archive has a non-directory there");
            }
            else if (apply)
            {
                // rename(2) replaces a file or a symlink itself, never what a symlink points to.
                Rename(from, to, name, 0);
            }
        }
    }

    private void MergeDirectory(
        BeneathDirectory from,
        BeneathDirectory to,
        string name,
        string path,
        ushort targetType,
        bool apply
    )
    {
        if (targetType == LinuxCalls.TypeDirectory)
        {
            using var childFrom = from.OpenRealDirectory(name);
            using var childTo = to.OpenRealDirectory(name);
            Walk(childFrom, childTo, path, apply);
            return;
        }

        if (targetType == LinuxCalls.TypeSymlink)
        {
            throw Conflict(path, to.Display(name), "is a symlink; an archive is never merged through a link");
        }

        if (apply)
        {
            to.RemoveFileIfPresent(name);
            Rename(from, to, name, LinuxCalls.RenameNoReplace);
        }
    }

    private static void Rename(BeneathDirectory from, BeneathDirectory to, string name, uint flags)
    {
        if (LinuxCalls.RenameAt2(from.Handle, name, to.Handle, name, flags) != 0)
        {
            throw new ContainmentException(LinuxCalls.LastError, to.Display(name), "move into place");
        }
    }

    private ArtifactUnpackException Conflict(string path, string where, string problem) =>
        new(display, $"archive entry \"{path}\" cannot be placed: {where} {problem}");
}
