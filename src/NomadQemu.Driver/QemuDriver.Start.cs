using System.Diagnostics;
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
        if (_tasks.Contains(request.TaskId))
        {
            throw new DriverException(DriverErrorKind.FailedPrecondition, $"task {request.TaskId} is already started");
        }
        var plan = await PlanAsync(request, cancellationToken);
        var run = new RunDirectory(plan.RunDir);
        Process? supervisor = null;
        try
        {
            // In the ledger before anything exists on disk: a plugin killed while the overlay is being created
            // must leave an entry, or the next instance's orphan sweep never removes the half-made run dir.
            Ledger?.Record(request.TaskId, plan.RunDir, LedgerPhase.Starting);
            PrepareRunDirectory(plan.RunDir);
            await PrepareDiskAsync(plan, cancellationToken);
            run.WriteLaunch(
                new LaunchRequest(
                    plan.Executable,
                    plan.Arguments,
                    QemuEnvironment.Fixed,
                    request.TaskDir,
                    request.StdoutPath,
                    request.StderrPath,
                    NullIfEmpty(request.CgroupPath),
                    plan.LauncherPrefix,
                    plan.QmpSocket,
                    plan.GuestAgentSocket,
                    JailFor(plan)
                )
            );
            supervisor = StartSupervisor(plan.RunDir);
            var started = await WaitForQemuAsync(run, cancellationToken);
            await WaitForQmpAsync(plan, run, started, cancellationToken);

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
                OverlayPath = plan.OverlayPath,
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
            };
            Ledger?.Record(request.TaskId, plan.RunDir, LedgerPhase.Started);
            _tasks.TryAdd(handle);
            Watch(handle);
            Emit(
                handle,
                $"QEMU started with accelerator {plan.Accelerator} (pid {started.QemuPid})",
                ("accelerator", plan.Accelerator),
                ("pid", started.QemuPid.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("disk", plan.OverlayPath is null ? "in place" : "overlay")
            );
            return new StartedTask(state.Encode(), plan.GuestPorts);
        }
        catch (Exception e)
        {
            await AbortStartAsync(run, supervisor);
            Ledger?.Forget(request.TaskId);
            if (e is DriverException or OperationCanceledException)
            {
                throw;
            }
            throw new DriverException(DriverErrorKind.Internal, $"starting the VM failed: {e.Message}", e);
        }
    }

    private static void PrepareRunDirectory(string runDir)
    {
        // A leftover from an earlier attempt in the same task dir must not be mistaken for this one.
        if (Directory.Exists(runDir))
        {
            Directory.Delete(runDir, recursive: true);
        }
        Directory.CreateDirectory(runDir);
    }

    private async Task PrepareDiskAsync(LaunchPlan plan, CancellationToken cancellationToken)
    {
        if (plan.OverlayPath is null)
        {
            return;
        }
        var qemuImg =
            FindOnPath("qemu-img")
            ?? throw new DriverException(
                DriverErrorKind.Internal,
                "qemu-img not found in PATH (install qemu-utils); it creates the per-task disk overlay"
            );
        // Explicit formats on both sides: nothing is probed, and the overlay never writes its backing file.
        var result = await ProcessRunner.RunAsync(
            qemuImg,
            [
                "create",
                "-q",
                "-f",
                "qcow2",
                "-F",
                ImageFormatDetector.QemuFormat(plan.ImageKind),
                "-b",
                plan.ImagePath,
                plan.OverlayPath,
            ],
            TimeSpan.FromSeconds(30),
            cancellationToken
        );
        if (result.ExitCode != 0)
        {
            throw new DriverException(
                DriverErrorKind.InvalidConfig,
                $"creating the disk overlay over {plan.ImagePath} failed: {result.Stderr.Trim()}"
            );
        }
    }

    private Process StartSupervisor(string runDir)
    {
        var start = new ProcessStartInfo(_options.SupervisorExecutable)
        {
            // Pipes, not our stdio: the supervisor must never hold Nomad's handshake pipe open. It swaps
            // them for /dev/null and its own log file at once.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in _options.SupervisorArguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.ArgumentList.Add(runDir);
        foreach (var (name, value) in _options.SupervisorEnvironment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }
        var process =
            Process.Start(start)
            ?? throw new DriverException(DriverErrorKind.Internal, "cannot start the VM supervisor");
        // Our ends of its stdio pipes are never used (it swaps them for /dev/null and its log first thing).
        // Holding them leaked three descriptors per task until a GC happened to finalize them.
        process.StandardInput.Dispose();
        process.StandardOutput.Dispose();
        process.StandardError.Dispose();
        return process;
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
            if (run.ReadExit() is { } exit || !qemu.IsAlive())
            {
                await Task.Delay(50, cancellationToken);
                var record = run.ReadExit();
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

    private async Task AbortStartAsync(RunDirectory run, Process? supervisor)
    {
        run.ReadStarted()?.Qemu.TrySignal(Signals.SIGKILL);
        if (supervisor is not null)
        {
            try
            {
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await supervisor.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                supervisor.Kill();
            }
            supervisor.Dispose();
        }
        RemoveTaskFiles(run.Path);
    }

    private string? FindOnPath(string name) => PathSearch.Find(_options.PathVariable(), name);

    private static string? NullIfEmpty(string value) => string.IsNullOrEmpty(value) ? null : value;
}
