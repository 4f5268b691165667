using System.Globalization;
using System.Runtime.InteropServices;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Supervision;

/// <summary>
/// Overview. One tiny supervisor process per VM, started by the driver as <c>nomad-driver-qemu __supervise DIR</c>.
/// Constraints: VMs must outlive the plugin (Nomad restarts and upgrades it, and SIGKILLs it after a 2 s
/// grace), their console must keep flowing into Nomad's log FIFOs without the plugin, and the true exit
/// status (code, signal, OOM) must be known afterwards — but a restarted plugin cannot waitpid a process
/// that is not its child. Scheme: the supervisor leaves the plugin's session (setsid), opens the FIFOs,
/// joins the task's cgroup, creates QEMU's listening sockets, posix_spawns QEMU (jailed: through bwrap and
/// setpriv as a uid it holds for the VM's life, see <see cref="QemuLaunch"/>) with the FIFOs as its
/// stdout/stderr, records QEMU's identity, blocks in waitpid, and writes the exit record atomically before it exits. Once QEMU
/// runs it holds no sockets and talks to nobody, so there is nothing in it that a plugin crash can break.
/// </summary>
public static class Supervisor
{
    private static readonly TimeSpan s_fifoOpenTimeout = TimeSpan.FromSeconds(30);

    public static unsafe int Run(string runDirPath)
    {
        var dir = new RunDirectory(runDirPath);
        LibC.setsid();
        DetachOwnStdio(dir.SupervisorLog);

        QemuLaunch launch;
        string? cgroup;
        long oomKillsBefore;
        try
        {
            // Everything the supervisor creates (sockets, records) is root's alone, whatever umask the plugin had.
            Jail.JailNative.umask(0x3f);
            var request = dir.ReadLaunch();
            cgroup = request.CgroupPath;
            var nullFd = OpenOrThrow("/dev/null", LibC.O_RDONLY | LibC.O_CLOEXEC);
            var stdoutFd = OpenLogWriter(request.StdoutPath);
            var stderrFd = OpenLogWriter(request.StderrPath);
            if (!string.IsNullOrEmpty(cgroup))
            {
                // QEMU inherits the cgroup from us, so it is inside from its first instruction.
                File.WriteAllText(
                    Path.Combine(cgroup, "cgroup.procs"),
                    LibC.getpid().ToString(CultureInfo.InvariantCulture)
                );
            }
            oomKillsBefore = ReadOomKills(cgroup);
            Directory.SetCurrentDirectory(request.WorkingDirectory);
            try
            {
                launch = QemuLaunch.Start(request, nullFd, stdoutFd, stderrFd);
            }
            finally
            {
                LibC.close(nullFd);
                LibC.close(stdoutFd);
                LibC.close(stderrFd);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            dir.WriteExit(new ExitRecord(-1, 0, false, e.Message, DateTimeOffset.UtcNow));
            return 1;
        }

        var self = LibC.getpid();
        var qemuPid = launch.QemuPid;
        dir.WriteStarted(
            new SupervisorStarted(
                self,
                ProcessIdentity.ReadStartTicks(self) ?? 0,
                qemuPid,
                ProcessIdentity.ReadStartTicks(qemuPid) ?? 0,
                DateTimeOffset.UtcNow
            )
            {
                JailUid = launch.Uid,
            }
        );
        Console.Error.WriteLine($"supervising {launch}");

        var status = WaitForExit(launch.ChildPid);
        // The uid goes back to the pool and the files to their owners only once QEMU is gone.
        launch.Dispose();
        var oomKilled = ReadOomKills(cgroup) > oomKillsBefore;
        var record = LibC.WIFSIGNALED(status)
            ? new ExitRecord(128 + LibC.WTERMSIG(status), LibC.WTERMSIG(status), oomKilled, null, DateTimeOffset.UtcNow)
            : ExitFromCode(LibC.WEXITSTATUS(status), launch.Jailed, oomKilled);
        dir.WriteExit(record);
        Console.Error.WriteLine($"qemu exited: code {record.ExitCode} signal {record.Signal} oom {record.OomKilled}");
        return 0;
    }

    /// <summary>A jailed QEMU's code comes through bwrap, which folds a signal into 128 + n (see <see cref="Jail.JailExit"/>).</summary>
    private static ExitRecord ExitFromCode(int code, bool jailed, bool oomKilled)
    {
        var (exitCode, signal) = jailed ? Jail.JailExit.FromBwrapExitCode(code) : (code, 0);
        return new ExitRecord(exitCode, signal, oomKilled, null, DateTimeOffset.UtcNow);
    }

    private static unsafe int WaitForExit(int pid)
    {
        while (true)
        {
            int status;
            var rc = LibC.waitpid(pid, &status, 0);
            if (rc == pid)
            {
                return status;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR)
            {
                // ECHILD cannot happen for our own child; report it as an unknown outcome, not a success.
                return 0x7f00 | 0x7f;
            }
        }
    }

    /// <summary>
    /// Opens a log destination for writing the way Nomad's executor does (write-only). A FIFO with no
    /// reader yet would block forever on a plain open, so poll with O_NONBLOCK until logmon is there,
    /// then switch the descriptor back to blocking so QEMU's writes behave normally.
    /// </summary>
    private static int OpenLogWriter(string path)
    {
        var deadline = DateTime.UtcNow + s_fifoOpenTimeout;
        while (true)
        {
            var fd = LibC.open(
                path,
                LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC | LibC.O_APPEND | LibC.O_CREAT,
                0x1a4
            );
            if (fd >= 0)
            {
                var flags = LibC.fcntl(fd, LibC.F_GETFL, 0);
                LibC.fcntl(fd, LibC.F_SETFL, flags & ~LibC.O_NONBLOCK);
                return fd;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.ENXIO || DateTime.UtcNow > deadline)
            {
                throw new IOException($"cannot open log output {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
            Thread.Sleep(20);
        }
    }

    private static int OpenOrThrow(string path, int flags)
    {
        var fd = LibC.open(path, flags, 0);
        return fd >= 0
            ? fd
            : throw new IOException(
                $"cannot open {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}"
            );
    }

    /// <summary>Our own stdio must not be the plugin's pipes: they break when the plugin dies.</summary>
    private static void DetachOwnStdio(string logPath)
    {
        var nullFd = LibC.open("/dev/null", LibC.O_RDWR, 0);
        var logFd = LibC.open(logPath, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND, 0x1a4);
        if (nullFd >= 0)
        {
            LibC.dup2(nullFd, 0);
            LibC.dup2(logFd >= 0 ? logFd : nullFd, 1);
            LibC.dup2(logFd >= 0 ? logFd : nullFd, 2);
        }
    }

    /// <summary>cgroup v2 <c>memory.events</c> counts OOM kills; a rise while QEMU ran means it was one of them.</summary>
    private static long ReadOomKills(string? cgroup)
    {
        if (string.IsNullOrEmpty(cgroup))
        {
            return 0;
        }
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(cgroup, "memory.events")))
            {
                if (line.StartsWith("oom_kill ", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(9), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }
}
