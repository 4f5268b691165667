namespace NomadQemu.Artifacts;

/// <summary>How a cached plain file reaches the task directory. Archives are always unpacked into fresh files.</summary>
public enum CacheLinkMode
{
    /// <summary>
    /// Default. An independent, writable file: <see cref="File.Copy(string, string)"/> reflinks (FICLONE) on
    /// copy-on-write file systems (btrfs, XFS, bcachefs), so it is instant and space-free there, and falls back to
    /// an in-kernel copy elsewhere. Safe for VM disk images that QEMU writes to.
    /// </summary>
    Copy,

    /// <summary>
    /// Hard link to the cached object when on the same file system (else <see cref="Copy"/>). The task's file IS the
    /// cache object: it stays read-only (0444), and since root ignores permission bits a privileged writer would
    /// silently corrupt the cache for every later task. Only for content consumed read-only: kernels, initrds,
    /// ISOs, qcow2 backing files behind an overlay.
    /// </summary>
    HardLink,
}
