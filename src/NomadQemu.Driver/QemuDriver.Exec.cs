using System.Diagnostics;
using System.Globalization;
using System.Text;
using NomadQemu.Driver.GuestAgent;
using NomadQemu.Driver.Logging;
using NomadQemu.Driver.Tasks;
using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Driver;

public sealed partial class QemuDriver
{
    /// <summary>How long exec waits for an agent the watcher has not (yet) seen answer.</summary>
    private static readonly TimeSpan s_agentAnswerBound = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Why an interactive terminal is refused, and what works instead. One text for every front.
    /// </summary>
    public const string TtyRefusal =
        "exec with a terminal (tty = true) is not possible in a qemu task: the guest agent runs commands with "
        + "pipes and hands their output back when they exit, so there is no terminal to attach to. Run "
        + "non-interactive commands instead: `nomad alloc exec -t=false -i=false <alloc> <command>`, or pipe input "
        + "in with `-t=false` (stdin is collected until it closes, at most 1 MiB). For an interactive shell, log "
        + "in over the network (e.g. ssh through a port in port_map).";

    /// <summary>
    /// Fails with a clear error unless the task can take an exec now: it runs, it was started with
    /// <c>guest_agent = true</c>, and its agent answers within a few seconds. Called before stdin is
    /// collected, so a user learns this before typing anything.
    /// </summary>
    public async Task EnsureExecReadyAsync(string taskId, CancellationToken cancellationToken) =>
        await RequireAgentAsync(Get(taskId), cancellationToken);

    /// <summary>
    /// Runs a command in the guest through the guest agent (guest-exec, then guest-exec-status until it
    /// exits). Cancelling (the client went away) or passing <see cref="ExecCommand.Timeout"/> kills the
    /// command and its descendants in the guest.
    /// </summary>
    public async Task<ExecOutcome> ExecAsync(string taskId, ExecCommand command, CancellationToken cancellationToken)
    {
        var handle = Get(taskId);
        GuestCommandGuard.Check(command.Argv, command.Stdin.Length);
        var link = await RequireAgentAsync(handle, cancellationToken);
        var program = command.Argv[0];
        var request = new GuestExecRequest(program, [.. command.Argv.Skip(1)])
        {
            Input = command.Stdin.IsEmpty ? null : command.Stdin,
        };
        GuestAgentLog.ExecStarted(_log, taskId, program, command.Stdin.Length);
        var clock = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (command.Timeout is { } timeout)
        {
            deadline.CancelAfter(timeout);
        }
        try
        {
            var status = await link.Client.RunAsync(request, deadline.Token);
            var exit = ToExit(status);
            GuestAgentLog.ExecFinished(
                _log,
                taskId,
                program,
                exit.ExitCode,
                exit.Signal,
                clock.Elapsed.TotalMilliseconds
            );
            return new ExecOutcome(status.StandardOutput, status.StandardError, exit, TimedOut: false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && command.Timeout is { } t)
        {
            // RunAsync has killed and reaped the command in the guest before giving up.
            GuestAgentLog.ExecTimedOut(_log, taskId, program, t.TotalSeconds);
            var note = string.Create(
                CultureInfo.InvariantCulture,
                $"nomad-qemu: \"{program}\" did not finish within {t.TotalSeconds:0.###} s and was killed in the guest\n"
            );
            return new ExecOutcome([], Encoding.UTF8.GetBytes(note), new TaskExit(128 + 9, 9, false, null), true);
        }
        catch (OperationCanceledException)
        {
            GuestAgentLog.ExecAbandoned(_log, taskId, program);
            throw;
        }
        catch (GuestAgentCommandException e)
        {
            GuestAgentLog.ExecFailed(_log, taskId, program, e.Message);
            throw new DriverException(
                DriverErrorKind.InvalidConfig,
                $"exec: the guest could not start \"{program}\": {e.Description}",
                e
            );
        }
        catch (GuestAgentUnavailableException e)
        {
            GuestAgentLog.ExecFailed(_log, taskId, program, e.Message);
            throw new DriverException(
                DriverErrorKind.FailedPrecondition,
                $"exec: the guest agent stopped answering while \"{program}\" ran (guest rebooting or hung?): {e.Message}",
                e
            );
        }
        catch (Exception e) when (e is GuestAgentException or NotSupportedException or ArgumentException)
        {
            GuestAgentLog.ExecFailed(_log, taskId, program, e.Message);
            throw new DriverException(DriverErrorKind.Internal, $"exec: {e.Message}", e);
        }
    }

    private static async Task<GuestAgentLink> RequireAgentAsync(TaskHandle handle, CancellationToken cancellationToken)
    {
        if (!handle.IsRunning)
        {
            throw new DriverException(DriverErrorKind.FailedPrecondition, "exec: the task has exited; no VM to run in");
        }
        var link =
            handle.Agent
            ?? throw new DriverException(
                DriverErrorKind.FailedPrecondition,
                "exec needs the QEMU guest agent, and this task was started without it: set guest_agent = true in "
                    + "the task's config {} (that adds the virtio-serial port org.qemu.guest_agent.0) and run "
                    + "qemu-guest-agent in the guest (most cloud images ship it)"
            );
        if (!await link.AnswersAsync(s_agentAnswerBound, cancellationToken))
        {
            throw new DriverException(
                DriverErrorKind.FailedPrecondition,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"exec: the guest agent did not answer within {s_agentAnswerBound.TotalSeconds:0} s ("
                )
                    + (
                        link.State == GuestAgentState.Waiting
                            ? "it has not answered since the VM started"
                            : "it answered before and stopped; is the guest rebooting?"
                    )
                    + "). exec needs qemu-guest-agent running in the guest on the virtio-serial port "
                    + "org.qemu.guest_agent.0 (Debian/Ubuntu: apt install qemu-guest-agent). If the guest is still "
                    + "booting, try again in a moment."
            );
        }
        return link;
    }

    private static TaskExit ToExit(GuestExecStatus status) =>
        status.Signal is { } signal and > 0
            ? new TaskExit(128 + signal, signal, false, null)
            : new TaskExit(status.ExitCode ?? -1, 0, false, null);
}
