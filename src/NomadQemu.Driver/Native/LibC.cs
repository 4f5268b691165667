using System.Runtime.InteropServices;

namespace NomadQemu.Driver.Native;

/// <summary>
/// The few libc calls the supervisor needs that .NET does not expose: a new session, descriptor
/// plumbing for QEMU's stdio, posix_spawn (safe in a multithreaded runtime, unlike fork) and waitpid
/// (so the exit signal is known exactly, not folded into 128+n).
/// </summary>
internal static unsafe partial class LibC
{
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_APPEND = 0x400;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int EINTR = 4;
    public const int ENXIO = 6;

    /// <summary>glibc's POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK.</summary>
    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setsid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkfifo(string path, int mode);

    /// <summary>open(2), retried when a signal interrupts it (a FIFO open can block for long).</summary>
    public static int OpenRetryingOnInterrupt(string path, int flags, int mode)
    {
        while (true)
        {
            var fd = open(path, flags, mode);
            if (fd >= 0 || Marshal.GetLastPInvokeError() != EINTR)
            {
                return fd;
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dup2(int oldfd, int newfd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int getpid();

    /// <summary>signal(2) with SIG_DFL (0) or SIG_IGN (1); returns the previous handler.</summary>
    [LibraryImport("libc", SetLastError = true)]
    public static partial nint signal(int signum, nint handler);

    public const nint SIG_DFL = 0;
    public const nint SIG_IGN = 1;

    /// <summary>statx(2): its buffer layout is the same on every architecture, unlike struct stat.</summary>
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newfd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int sigemptyset(void* set);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int sigfillset(void* set);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int posix_spawn(
        int* pid,
        byte* path,
        void* fileActions,
        void* attr,
        byte** argv,
        byte** envp
    );

    public static int WEXITSTATUS(int status) => (status >> 8) & 0xff;

    public static bool WIFSIGNALED(int status) => ((status & 0x7f) + 1) >> 1 > 0 && (status & 0x7f) != 0x7f;

    public static int WTERMSIG(int status) => status & 0x7f;
}
