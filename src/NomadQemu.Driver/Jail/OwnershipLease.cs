namespace NomadQemu.Driver.Jail;

/// <summary>
/// Gives the files a jailed QEMU must write (its overlay, an in-place image) to the VM's uid for the VM's life
/// and gives them back to their owner afterwards: the jailed uid has no capabilities, so file permissions are
/// what lets it write them. Files it only reads are never touched.
/// </summary>
internal sealed class OwnershipLease : IDisposable
{
    private readonly List<(string Path, uint Uid, uint Gid)> _original = [];

    /// <exception cref="IOException">A file's owner could not be read or changed.</exception>
    public OwnershipLease(IEnumerable<string> files, int uid)
    {
        try
        {
            foreach (var file in files)
            {
                var owner =
                    JailNative.Owner(file)
                    ?? throw new IOException($"cannot read the owner of {file}: {JailNative.LastError()}");
                if (JailNative.chown(file, (uint)uid, (uint)uid) != 0)
                {
                    throw new IOException($"cannot give {file} to the VM's uid {uid}: {JailNative.LastError()}");
                }
                _original.Add((file, owner.Uid, owner.Gid));
            }
        }
        catch (IOException)
        {
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var (path, uid, gid) in _original)
        {
            // The overlay is usually gone by now (removed with the run dir); only a file that is still there matters.
            JailNative.chown(path, uid, gid);
        }
        _original.Clear();
    }
}
