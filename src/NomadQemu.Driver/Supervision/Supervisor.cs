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
/// joins the task's cgroup, posix_spawns QEMU with the FIFOs as its stdout/stderr, records QEMU's
/// identity, blocks in waitpid, and writes the exit record atomically before it exits. It holds no
/// sockets and talks to nobody, so there is nothing in it that a plugin crash can break.
/// </summary>
public static class Supervisor
{
    private static readonly TimeSpan s_fifoOpenTimeout = TimeSpan.FromSeconds(30);

    public static unsafe int Run(string runDirPath)
    {
        var dir = new RunDirectory(runDirPath);
        LibC.setsid();
        // Everything created from here on (our log, QEMU's sockets) is owner-only whatever umask we inherited.
        LibC.umask(0x3f);
        DetachOwnStdio(dir.SupervisorLog);
        var self = LibC.getpid();
        try
        {
            // Before anything else: an orphan sweep that runs from now on sees us (and kills our process
            // group, QEMU included). A sweep that ran before moved the run dir away, so this write fails.
            dir.WriteSupervisor(new SupervisorSelf(self, ProcessIdentity.ReadStartTicks(self) ?? 0));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"run dir gone before the VM started ({e.Message}); not starting QEMU");
            return 1;
        }

        int qemuPid;
        string? cgroup;
        string? memoryCgroup;
        string? removeMemoryCgroup;
        long oomKillsBefore;
        try
        {
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
            memoryCgroup = request.MemoryCgroupPath ?? cgroup;
            if (request.MemoryCgroupPath is { } own && own != cgroup)
            {
                // cgroup v1: the task's memory limit lives in its own hierarchy; QEMU inherits both.
                File.WriteAllText(
                    Path.Combine(own, "cgroup.procs"),
                    LibC.getpid().ToString(CultureInfo.InvariantCulture)
                );
            }
            removeMemoryCgroup = request.MemoryCgroupCreated ? request.MemoryCgroupPath : null;
            oomKillsBefore = TaskMemoryCgroup.OomKills(memoryCgroup);
            Directory.SetCurrentDirectory(request.WorkingDirectory);
            var argv = new List<string>(request.Arguments.Count + 1) { request.Executable };
            argv.AddRange(request.Arguments);
            // The job's opened files arrive at these numbers (the driver spawned us so) and go on at the same ones.
            var passFds = request.PassFds ?? [];
            qemuPid = PosixSpawn.Spawn(
                request.Executable,
                argv,
                request.Environment,
                [(nullFd, 0), (stdoutFd, 1), (stderrFd, 2), .. passFds.Select(fd => (fd, fd))]
            );
            foreach (var fd in passFds)
            {
                LibC.close(fd);
            }
            LibC.close(nullFd);
            LibC.close(stdoutFd);
            LibC.close(stderrFd);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            dir.WriteExit(new ExitRecord(-1, 0, false, e.Message, DateTimeOffset.UtcNow));
            return 1;
        }

        try
        {
            dir.WriteStarted(
                new SupervisorStarted(
                    self,
                    ProcessIdentity.ReadStartTicks(self) ?? 0,
                    qemuPid,
                    ProcessIdentity.ReadStartTicks(qemuPid) ?? 0,
                    DateTimeOffset.UtcNow
                )
            );
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An orphan sweep took the run dir while we spawned: nobody can ever own this VM.
            Console.Error.WriteLine($"run dir gone while starting ({e.Message}); killing qemu pid {qemuPid}");
            LibC.kill(qemuPid, Signals.SIGKILL);
            WaitForExit(qemuPid);
            return 1;
        }
        Console.Error.WriteLine($"supervising qemu pid {qemuPid}");

        var record = ToExitRecord(WaitForExit(qemuPid), TaskMemoryCgroup.OomKills(memoryCgroup) > oomKillsBefore);
        if (removeMemoryCgroup is not null)
        {
            TaskMemoryCgroup.RemoveCreated(removeMemoryCgroup);
        }
        dir.WriteExit(record);
        Console.Error.WriteLine($"qemu exited: code {record.ExitCode} signal {record.Signal} oom {record.OomKilled}");
        return 0;
    }

    /// <summary>The wait status, or the errno text when waitpid failed (the status is then lost for good).</summary>
    private static unsafe (int Status, string? Error) WaitForExit(int pid)
    {
        while (true)
        {
            int status;
            var rc = LibC.waitpid(pid, &status, 0);
            if (rc == pid)
            {
                return (status, null);
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR)
            {
                // ECHILD: something else reaped QEMU (e.g. SIGCHLD inherited as ignored makes the kernel do it).
                return (0, $"waitpid({pid}) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
        }
    }

    /// <summary>An explicit unknown outcome when the status was lost: never a made-up exit code.</summary>
    internal static ExitRecord ToExitRecord((int Status, string? Error) wait, bool oomKilled)
    {
        var (status, error) = wait;
        if (error is not null)
        {
            return new ExitRecord(-1, 0, oomKilled, $"QEMU's exit status is unknown: {error}", DateTimeOffset.UtcNow);
        }
        return LibC.WIFSIGNALED(status)
            ? new ExitRecord(128 + LibC.WTERMSIG(status), LibC.WTERMSIG(status), oomKilled, null, DateTimeOffset.UtcNow)
            : new ExitRecord(LibC.WEXITSTATUS(status), 0, oomKilled, null, DateTimeOffset.UtcNow);
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
                0x180
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
        var logFd = LibC.open(logPath, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND | LibC.O_CLOEXEC, 0x180);
        if (nullFd >= 0)
        {
            LibC.dup2(nullFd, 0);
            LibC.dup2(logFd >= 0 ? logFd : nullFd, 1);
            LibC.dup2(logFd >= 0 ? logFd : nullFd, 2);
        }
    }
}
