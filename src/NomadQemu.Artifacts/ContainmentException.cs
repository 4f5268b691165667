namespace NomadQemu.Artifacts;

/// <summary>A refused or failed fd-relative operation; <see cref="Errno"/> says why (EXDEV: it would leave the directory).</summary>
internal sealed class ContainmentException(int errno, string path, string operation)
    : IOException($"cannot {operation} {path}: {Explain(errno)}")
{
    public int Errno { get; } = errno;

    public string Path { get; } = path;

    public bool Escapes => Errno == LinuxCalls.Exdev;

    private static string Explain(int errno) =>
        errno switch
        {
            LinuxCalls.Exdev => "it leads outside the directory (through \"..\", an absolute path or a symlink)",
            LinuxCalls.Eloop => "too many levels of symbolic links",
            LinuxCalls.Enosys => "the kernel has no openat2 (Linux 5.6 or later is needed for artifact containment)",
            _ => LinuxCalls.Describe(errno),
        };
}
