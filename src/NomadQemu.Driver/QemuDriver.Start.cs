using System.Globalization;
using NomadQemu.Driver.Native;
using NomadQemu.Driver.Supervision;
using NomadQemu.Driver.Tasks;

namespace NomadQemu.Driver;

public sealed partial class QemuDriver
{
    private static readonly TimeSpan s_supervisorStartTimeout = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan s_qmpReadyTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Validates the job, prepares the disk, starts QEMU under a supervisor and waits until QMP answers.
    /// Any failure removes everything created so far. Config mistakes are <see cref="DriverErrorKind.InvalidConfig"/>
    /// (Nomad does not restart); QEMU dying during start is <see cref="DriverErrorKind.Recoverable"/>.
    /// </summary>
    public async Task<StartedTask> StartTaskAsync(TaskRequest request, CancellationToken cancellationToken)
    {
        if (!_tasks.TryReserve(request.TaskId))
        {
            throw new DriverException(
                DriverErrorKind.AlreadyExists,
                $"task {request.TaskId} is already started or starting"
            );
        }
        try
        {
            try
            {
                return await StartReservedAsync(request, cancellationToken);
            }
            catch (WarmStart.WarmRestoreException e)
            {
                // The failed clone is gone (killed, run dir removed); the task boots cold and builds a new template.
                Emit(
                    request.TaskId,
                    request.AllocId,
                    request.TaskName,
                    $"Warm start from template {e.Key[..12]} failed, booting cold: {e.Message}",
                    ("warm_start", "fallback")
                );
                DropTemplate(Templates, e.Key);
                return await StartReservedAsync(request, cancellationToken);
            }
        }
        finally
        {
            _tasks.Release(request.TaskId);
        }
    }

    private async Task<StartedTask> StartReservedAsync(TaskRequest request, CancellationToken cancellationToken)
    {
        var sinceStart = System.Diagnostics.Stopwatch.StartNew();
        using var plan = await PlanAsync(request, cancellationToken);
        using var warm = plan.Warm;
        var run = new RunDirectory(plan.RunDir);
        SupervisorChild? supervisor = null;
        try
        {
            // In the ledger before anything exists on disk: a plugin killed while the overlay is being created
            // must leave an entry, or the next instance's orphan sweep never removes the half-made run dir.
            Ledger?.Record(request.TaskId, plan.RunDir, LedgerPhase.Starting);
            PrepareRunDirectory(plan.RunDir);
            var diskNotes = await PrepareDiskAsync(plan, cancellationToken);
            WriteSeed(plan);
            PrepareUefiVars(plan, request.TaskDir);
            var memoryCgroup = ApplyMemoryLimit(plan, request);
            var jail = JailFor(plan);
            run.WriteLaunch(
                new LaunchRequest(
                    plan.Executable,
                    plan.Arguments,
                    QemuEnvironment.Fixed,
                    // QEMU's working directory is the private run dir, not the task dir: QEMU looks up every
                    // ROM, BIOS and keymap it loads as a relative path first, and the task dir is the job's.
                    plan.RunDir,
                    request.StdoutPath,
                    request.StderrPath,
                    NullIfEmpty(request.CgroupPath),
                    plan.Fds.Numbers,
                    request.TaskId,
                    plan.Emulator,
                    memoryCgroup?.Path,
                    memoryCgroup?.Created ?? false,
                    jail is null ? WithDeathSignal(plan.LauncherPrefix) : plan.LauncherPrefix,
                    plan.QmpSocket,
                    plan.GuestAgentSocket,
                    jail
                )
            );
            supervisor = StartSupervisor(plan);
            // The supervisor holds its own copies now; ours would only keep the job's files open in the plugin.
            plan.Dispose();
            var started = await WaitForQemuAsync(run, cancellationToken);
            await WaitForQmpAsync(plan, run, started, cancellationToken);
            var warmNote = await FinishWarmAsync(plan, started.StartedAt, sinceStart, cancellationToken);

            var state = new DriverState
            {
                TaskId = request.TaskId,
                TaskName = request.TaskName,
                AllocId = request.AllocId,
                TaskDir = request.TaskDir,
                RunDir = plan.RunDir,
                SupervisorPid = started.SupervisorPid,
                SupervisorStartTicks = started.SupervisorStartTicks,
                QemuPid = started.QemuPid,
                QemuStartTicks = started.QemuStartTicks,
                QmpSocket = plan.QmpSocket,
                OverlayPath = plan.Overlay?.Path,
                DriverConfig = request.DriverConfig,
                Accelerator = plan.Accelerator,
                StartedAt = started.StartedAt,
                GuestPorts = plan.GuestPorts,
            };
            var handle = new TaskHandle(
                state,
                new TaskStatusInfo(request.TaskName, request.AllocId, request.AllocDir),
                supervisor
            )
            {
                GracefulShutdown = plan.Config.GracefulShutdown,
                GuestAgentEnabled = plan.Config.GuestAgent,
            };
            Ledger?.Record(request.TaskId, plan.RunDir, LedgerPhase.Started);
            _tasks.TryAdd(handle);
            Watch(handle);
            Emit(
                handle,
                $"QEMU started with accelerator {plan.Accelerator} (pid {started.QemuPid})",
                ("accelerator", plan.Accelerator),
                ("pid", started.QemuPid.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("disk", plan.Overlay is null ? "in place" : "overlay")
            );
            if (warmNote is not null)
            {
                Emit(
                    handle,
                    warmNote,
                    ("warm_start", warm!.Mode.ToString().ToLowerInvariant()),
                    ("template", warm.Key)
                );
            }
            EmitMemory(handle, plan, memoryCgroup);
            foreach (var note in diskNotes)
            {
                Emit(handle, note, ("disk", "overlay recreated"));
            }
            foreach (var warning in plan.Warnings)
            {
                Emit(handle, warning, ("warning", "command line"));
            }
            return new StartedTask(state.Encode(), plan.GuestPorts);
        }
        catch (Exception e)
        {
            await AbortStartAsync(run, supervisor);
            Ledger?.Forget(request.TaskId);
            if (e is DriverException or OperationCanceledException or WarmStart.WarmRestoreException)
            {
                throw;
            }
            throw new DriverException(DriverErrorKind.Internal, $"starting the VM failed: {e.Message}", e);
        }
    }

    private static void PrepareRunDirectory(string runDir)
    {
        // A leftover from an earlier attempt in the same task dir must not be mistaken for this one. A symlink
        // planted in its place is removed as a link (never followed).
        if (LibC.LStat(runDir) is { } existing)
        {
            if ((existing.Mode & LibC.FileTypeMask) == LibC.DirectoryType)
            {
                Directory.Delete(runDir, recursive: true);
            }
            else
            {
                File.Delete(runDir);
            }
        }
        RunDirectory.CreatePrivate(runDir);
    }

    /// <summary>Overlays and blank disks, each opened once and handed to the slots the argv already names.
    /// Returns notes for task events (overlays that could not be kept).</summary>
    private async Task<IReadOnlyList<string>> PrepareDiskAsync(LaunchPlan plan, CancellationToken cancellationToken)
    {
        var notes = await PrepareOverlaysAsync(plan, cancellationToken);
        await PrepareBlankDisksAsync(plan, cancellationToken);
        return notes;
    }

    /// <summary>A plain empty qcow2 (no backing file named) of the given virtual size, mode 0600.</summary>
    private async Task CreateQcow2Async(
        string path,
        ulong virtualSize,
        string what,
        CancellationToken cancellationToken
    )
    {
        var qemuImg =
            FindOnPath("qemu-img")
            ?? throw new DriverException(
                DriverErrorKind.Internal,
                $"qemu-img not found in PATH (install qemu-utils); it creates the per-task {what}"
            );
        var result = await ProcessRunner.RunAsync(
            qemuImg,
            ["create", "-q", "-f", "qcow2", path, virtualSize.ToString(CultureInfo.InvariantCulture)],
            TimeSpan.FromSeconds(30),
            cancellationToken
        );
        if (result.ExitCode != 0)
        {
            throw new DriverException(
                DriverErrorKind.Internal,
                $"creating the {what} {path} failed: {result.Stderr.Trim()}"
            );
        }
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private SupervisorChild StartSupervisor(LaunchPlan plan)
    {
        List<string> argv = [_options.SupervisorExecutable, .. _options.SupervisorArguments, plan.RunDir];
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = (string?)entry.Value ?? "";
        }
        foreach (var (name, value) in _options.SupervisorEnvironment)
        {
            if (value is null)
            {
                environment.Remove(name);
            }
            else
            {
                environment[name] = value;
            }
        }
        try
        {
            return SupervisorChild.Start(
                _options.SupervisorExecutable,
                argv,
                [.. environment.Select(kv => $"{kv.Key}={kv.Value}")],
                plan.Fds.Handles
            );
        }
        catch (IOException e)
        {
            throw new DriverException(DriverErrorKind.Internal, $"cannot start the VM supervisor: {e.Message}", e);
        }
    }

    private static async Task<SupervisorStarted> WaitForQemuAsync(RunDirectory run, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + s_supervisorStartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (run.ReadStarted() is { } started)
            {
                return started;
            }
            if (run.ReadExit() is { } failed)
            {
                throw new DriverException(
                    DriverErrorKind.Recoverable,
                    $"QEMU could not be started: {failed.Error ?? $"exit code {failed.ExitCode}"}"
                );
            }
            await Task.Delay(15, cancellationToken);
        }
        throw new DriverException(
            DriverErrorKind.Recoverable,
            $"the VM supervisor did not start QEMU within {s_supervisorStartTimeout.TotalSeconds} s (are the task's log FIFOs being read?)"
        );
    }

    /// <summary>QMP answering means QEMU parsed its command line and built the machine: the VM is running.</summary>
    private static async Task WaitForQmpAsync(
        LaunchPlan plan,
        RunDirectory run,
        SupervisorStarted started,
        CancellationToken cancellationToken
    )
    {
        var qemu = started.Qemu;
        var deadline = DateTime.UtcNow + s_qmpReadyTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (run.ReadExit() is not null || !qemu.IsAlive())
            {
                var record = await ExitRecordAsync(run, started, cancellationToken);
                throw new DriverException(
                    DriverErrorKind.Recoverable,
                    $"QEMU exited during start (exit code {record?.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}); its own error is in the task's stderr log (nomad alloc logs -stderr)"
                );
            }
            if (File.Exists(plan.QmpSocket))
            {
                // Each attempt is bounded: ConnectAsync retries a refused socket until its token fires, and a
                // QEMU that died after creating its socket leaves a file that refuses forever.
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(1));
                try
                {
                    await using var probe = await Qmp.QmpClient.ConnectAsync(plan.QmpSocket, attempt.Token);
                    await probe.QueryStatusAsync(attempt.Token);
                    return;
                }
                catch (Exception e)
                    when (e is IOException or Qmp.QmpException or System.Net.Sockets.SocketException or TimeoutException
                        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                    )
                {
                    // Not ready yet; QEMU creates the socket before it accepts on it.
                }
            }
            await Task.Delay(20, cancellationToken);
        }
        throw new DriverException(
            DriverErrorKind.Recoverable,
            $"QEMU did not answer on its QMP socket within {s_qmpReadyTimeout.TotalSeconds} s"
        );
    }

    /// <summary>
    /// The supervisor writes QEMU's exit record just after reaping it; on a loaded node it can take a while to be
    /// scheduled, and without the wait the job author got "exit code unknown" instead of QEMU's own code.
    /// </summary>
    private static async Task<ExitRecord?> ExitRecordAsync(
        RunDirectory run,
        SupervisorStarted started,
        CancellationToken cancellationToken
    )
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (run.ReadExit() is null && started.Supervisor.IsAlive() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, cancellationToken);
        }
        return run.ReadExit();
    }

    private async Task AbortStartAsync(RunDirectory run, SupervisorChild? supervisor)
    {
        run.ReadStarted()?.Qemu.TrySignal(Signals.SIGKILL);
        if (supervisor is not null)
        {
            try
            {
                await supervisor.Exited.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
                supervisor.Kill();
            }
        }
        RemoveTaskFiles(run.Path);
    }

    private string? FindOnPath(string name) => PathSearch.Find(_options.PathVariable(), name);

    private static string? NullIfEmpty(string value) => string.IsNullOrEmpty(value) ? null : value;
}
