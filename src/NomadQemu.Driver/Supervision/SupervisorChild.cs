using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Supervision;

/// <summary>
/// A supervisor this plugin process spawned. posix_spawn (not Process.Start) so it receives the task's opened
/// files at exact descriptor numbers and nothing else: its stdio is /dev/null, never Nomad's handshake pipes.
/// .NET does not reap children it did not start, so one blocked waitpid per child does (and tells us the exit).
/// </summary>
internal sealed class SupervisorChild
{
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SupervisorChild(int pid)
    {
        Pid = pid;
        var reaper = new Thread(Reap) { IsBackground = true, Name = $"reap supervisor {pid}" };
        reaper.Start();
    }

    public int Pid { get; }

    public Task Exited => _exited.Task;

    /// <summary>Starts the supervisor with <paramref name="passed"/> at <see cref="Files.PassedFds.First"/> and up.</summary>
    public static SupervisorChild Start(
        string executable,
        IReadOnlyList<string> argv,
        IReadOnlyList<string> environment,
        IReadOnlyList<SafeFileHandle> passed
    )
    {
        // Copies above every target number first, so no dup2 in the child overwrites a source it still needs.
        var floor = Files.PassedFds.First + passed.Count;
        List<int> copies = [];
        try
        {
            using var devNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite);
            var nullCopy = Copy(devNull, floor, copies);
            List<(int, int)> map = [(nullCopy, 0), (nullCopy, 1), (nullCopy, 2)];
            for (var i = 0; i < passed.Count; i++)
            {
                map.Add((Copy(passed[i], floor, copies), Files.PassedFds.First + i));
            }
            return new SupervisorChild(PosixSpawn.Spawn(executable, argv, environment, map));
        }
        finally
        {
            foreach (var fd in copies)
            {
                LibC.close(fd);
            }
        }
    }

    private static int Copy(SafeFileHandle handle, int floor, List<int> copies)
    {
        var fd = LibC.fcntl((int)handle.DangerousGetHandle(), LibC.F_DUPFD_CLOEXEC, floor);
        if (fd < 0)
        {
            throw new IOException($"cannot duplicate a descriptor for the supervisor: {LibC.LastError()}");
        }
        copies.Add(fd);
        return fd;
    }

    public void Kill()
    {
        if (!Exited.IsCompleted)
        {
            LibC.kill(Pid, Signals.SIGKILL);
        }
    }

    private unsafe void Reap()
    {
        while (true)
        {
            int status;
            var rc = LibC.waitpid(Pid, &status, 0);
            if (rc == Pid || Marshal.GetLastPInvokeError() != LibC.EINTR)
            {
                _exited.TrySetResult();
                return;
            }
        }
    }
}
