using System.Globalization;
using NomadQemu.Driver.Native;
using NomadQemu.Driver.Supervision;

namespace NomadQemu.Driver.Tasks;

/// <summary>
/// driver_state comes back from Nomad's state DB and is checked like any other input before Stop or Destroy
/// may act on it: the run dir must be the task's own (the task dir it names + <c>.qemu</c>), a real directory
/// this driver made (owned by us, 0700, holding our launch record for this very task id), and the pids must be
/// the ones our supervisor recorded there, with the same start ticks and the executable we launched. Anything
/// else is refused: nothing outside what the driver created is ever signalled or deleted.
/// </summary>
internal static class RecoveredStateCheck
{
    /// <exception cref="FormatException">The state does not describe a VM this driver started for this task.</exception>
    public static void Verify(string taskId, DriverState state, string runDirName, string supervisorExecutable)
    {
        var taskDir = state.TaskDir;
        if (
            !Path.IsPathFullyQualified(taskDir)
            || taskDir.Contains('\0', StringComparison.Ordinal)
            || Path.GetFullPath(taskDir) != taskDir.TrimEnd('/')
        )
        {
            throw new FormatException($"driver_state task_dir \"{taskDir}\" is not a normalised absolute path");
        }
        var runDir = Path.Combine(taskDir.TrimEnd('/'), runDirName);
        if (state.RunDir != runDir)
        {
            throw new FormatException($"driver_state run_dir \"{state.RunDir}\" is not the task's run dir {runDir}");
        }
        if (state.QmpSocket != Path.Combine(runDir, "qmp.sock"))
        {
            throw new FormatException($"driver_state qmp_socket \"{state.QmpSocket}\" is not in the task's run dir");
        }
        // Overlays live in the task's disk folder; a VM started by a release that kept it in the run dir is
        // still recovered (the path is only reported, never opened or deleted on recovery).
        if (
            state.OverlayPath is { } overlay
            && overlay != Path.Combine(taskDir.TrimEnd('/'), QemuDriver.BlankDiskDirName, QemuDriver.OverlayFileName)
            && overlay != Path.Combine(runDir, QemuDriver.OverlayFileName)
        )
        {
            throw new FormatException($"driver_state overlay_path \"{overlay}\" is not the task's disk overlay");
        }
        if (LibC.LStat(runDir) is not { } stat)
        {
            throw new FormatException($"run dir {runDir} does not exist");
        }
        if (
            (stat.Mode & LibC.FileTypeMask) != LibC.DirectoryType
            || stat.Uid != (uint)LibC.geteuid()
            || (stat.Mode & 0x1ff) != 0x1c0
        )
        {
            throw new FormatException(
                $"run dir {runDir} is not a directory this driver made (want a real directory owned by uid {LibC.geteuid()} with mode 0700; a VM started by a release before 0700 run dirs cannot be recovered)"
            );
        }
        var run = new RunDirectory(runDir);
        LaunchRequest launch;
        try
        {
            launch = run.ReadLaunch();
        }
        catch (IOException e)
        {
            throw new FormatException($"run dir {runDir} holds no launch record: {e.Message}", e);
        }
        if (launch.TaskId != taskId)
        {
            throw new FormatException($"the launch record in {runDir} is not for task {taskId}");
        }
        if (
            run.ReadStarted() is not { } started
            || started.QemuPid != state.QemuPid
            || started.QemuStartTicks != state.QemuStartTicks
            || started.SupervisorPid != state.SupervisorPid
            || started.SupervisorStartTicks != state.SupervisorStartTicks
        )
        {
            throw new FormatException(
                $"driver_state pids (QEMU {state.QemuPid}, supervisor {state.SupervisorPid}) are not the ones recorded in {runDir}"
            );
        }
        CheckExecutable(started.Qemu, launch.Emulator, "QEMU");
        CheckExecutable(started.Supervisor, supervisorExecutable, "supervisor");
    }

    /// <summary>A live process with the recorded identity must also run the binary we started (pid + ticks + exe).</summary>
    private static void CheckExecutable(ProcessIdentity identity, string? expected, string what)
    {
        if (!identity.IsAlive())
        {
            return; // gone: nothing will be signalled
        }
        var exe = ReadExe(identity.Pid);
        if (
            expected is null
            || exe is null
            || !(
                SameFile($"/proc/{identity.Pid.ToString(CultureInfo.InvariantCulture)}/exe", expected)
                || exe == expected + " (deleted)"
            )
        )
        {
            throw new FormatException(
                $"{what} pid {identity.Pid} runs {exe ?? "an unreadable executable"}, not {expected ?? "a recorded binary"}"
            );
        }
    }

    /// <summary>Same inode: /proc/PID/exe shows the real path, the recorded one may go through a linked dir (/bin).</summary>
    private static bool SameFile(string a, string b) =>
        LibC.Stat(a) is { } x
        && LibC.Stat(b) is { } y
        && x.Ino == y.Ino
        && x.DevMajor == y.DevMajor
        && x.DevMinor == y.DevMinor;

    private static string? ReadExe(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/exe").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
