using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using NomadQemu.Qmp.GuestAgent.Wire;

namespace NomadQemu.Qmp.GuestAgent;

// Running programs in the guest: guest-exec, guest-exec-status, and the helpers built on them.
public sealed partial class GuestAgentClient
{
    // Cached guest-info, for deciding how to spell capture-output; refreshed after each resynchronisation
    // because a rebooted guest may run another agent version. A reference, so concurrent calls swap it atomically.
    private InfoCacheEntry? _infoCache;

    /// <summary>
    /// <c>guest-exec</c>: starts a program in the guest and returns its pid at once. Poll it with
    /// <see cref="GetExecStatusAsync"/> or <see cref="WaitForExitAsync"/>; the agent keeps its output (at most
    /// 16 MiB per stream) until then. Each started process must be polled until it exits, or the agent keeps its
    /// record and output for as long as it runs. Cancelling after the command was written may leave the process
    /// running without its pid reaching you; <see cref="RunAsync"/> takes care of that case.
    /// </summary>
    /// <exception cref="ArgumentException">A value the agent would mangle: a NUL character, an environment entry without '=', too much input.</exception>
    /// <exception cref="NotSupportedException">A capture mode the guest's agent does not have (before qemu-ga 8.1).</exception>
    /// <exception cref="GuestAgentCommandException">The program could not be started (the description says why, e.g. not found).</exception>
    public async Task<long> ExecAsync(GuestExecRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);
        var capture = await EncodeCaptureAsync(request.Capture, cancellationToken).ConfigureAwait(false);
        const string command = "guest-exec";
        var encoded = GuestAgentWire.EncodeCommand(
            command,
            new ExecArguments(
                request.Path,
                request.Arguments.Count == 0 ? null : request.Arguments,
                request.Environment,
                request.Input,
                capture
            ),
            GuestAgentJsonContext.Default.ExecArguments
        );
        return await CallAsync(
                command,
                encoded,
                value => GuestAgentWire.Deserialize(value, GuestAgentJsonContext.Default.ExecReply, command).Pid,
                cancellationToken
            )
            .ConfigureAwait(false);
    }

    /// <summary>
    /// <c>guest-exec-status</c>: whether the process has exited and, once it has, its exit code or signal and
    /// output. The reply that reports the exit is the last: the agent forgets the pid then.
    /// </summary>
    /// <exception cref="GuestAgentCommandException">The agent does not know the pid (never started, or its exit was already reported).</exception>
    public Task<GuestExecStatus> GetExecStatusAsync(long pid, CancellationToken cancellationToken = default)
    {
        const string command = "guest-exec-status";
        var encoded = GuestAgentWire.EncodeCommand(
            command,
            new PidArguments(pid),
            GuestAgentJsonContext.Default.PidArguments
        );
        return CallAsync(
            command,
            encoded,
            value =>
            {
                var reply = GuestAgentWire.Deserialize(value, GuestAgentJsonContext.Default.ExecStatusReply, command);
                return new GuestExecStatus(
                    reply.Exited,
                    reply.Exitcode,
                    reply.Signal,
                    reply.OutData ?? [],
                    reply.ErrData ?? [],
                    reply.OutTruncated ?? false,
                    reply.ErrTruncated ?? false
                );
            },
            cancellationToken
        );
    }

    /// <summary>
    /// Polls <see cref="GetExecStatusAsync"/> until the process exits (pausing <see cref="GuestAgentOptions.ExecPollInitialInterval"/>,
    /// doubling up to <see cref="GuestAgentOptions.ExecPollMaxInterval"/>) and returns the final status with its output.
    /// Bounded only by <paramref name="cancellationToken"/> (each poll by <see cref="GuestAgentOptions.CommandTimeout"/>);
    /// cancelling leaves the process running.
    /// </summary>
    public async Task<GuestExecStatus> WaitForExitAsync(long pid, CancellationToken cancellationToken = default)
    {
        var pause = _options.ExecPollInitialInterval;
        while (true)
        {
            var status = await GetExecStatusAsync(pid, cancellationToken).ConfigureAwait(false);
            if (status.Exited)
            {
                return status;
            }

            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, _options.ExecPollMaxInterval.Ticks));
        }
    }

    /// <summary>
    /// Runs a program to completion: <see cref="ExecAsync"/>, then <see cref="WaitForExitAsync"/>. If the wait ends
    /// early (the token fires, the agent stops answering), the process and its descendants are killed
    /// (<see cref="KillProcessTreeAsync"/>) and reaped within <see cref="GuestAgentOptions.KillTimeout"/>, best
    /// effort, before the original exception is rethrown: an abandoned command does not keep running in the guest.
    /// </summary>
    public async Task<GuestExecStatus> RunAsync(GuestExecRequest request, CancellationToken cancellationToken = default)
    {
        // The start is not cancelled with the caller: once guest-exec is written the process may run even if we
        // stop waiting for its pid, and then nobody could kill it. So the caller stops waiting at once, and the
        // start finishes in the background (bounded by CommandTimeout) and kills whatever it started.
        var start = ExecAsync(request, CancellationToken.None);
        long pid;
        try
        {
            pid = await start.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _ = KillWhatAnAbandonedStartStartedAsync(start);
            throw;
        }

        try
        {
            return await WaitForExitAsync(pid, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
            when (ex is OperationCanceledException or GuestAgentUnavailableException or GuestAgentProtocolException)
        {
            await KillAndReapQuietlyAsync(pid).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Kills (SIGKILL) a process this agent started and every process descending from it. The agent has no kill
    /// command (not in 7.2, nor later), so this runs a small POSIX shell script through <c>guest-exec</c>
    /// (<c>/bin/sh</c>, any Linux guest including busybox): it checks that the pid's parent is the agent (so a
    /// recycled pid is never hit), stops the tree top-down with SIGSTOP so nothing forks away, then SIGKILLs it all.
    /// The killed process must still be reaped with <see cref="GetExecStatusAsync"/> (its status shows signal 9).
    /// </summary>
    /// <returns>True when the process was found and killed; false when it is not (or no longer) a child of the agent.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The pid is not a plausible process id (at least 2).</exception>
    /// <exception cref="GuestAgentException">The helper could not run or failed unexpectedly.</exception>
    public async Task<bool> KillProcessTreeAsync(long pid, CancellationToken cancellationToken = default)
    {
        // kill(0) and kill(-1) mean "my process group" and "everything": never let them through.
        ArgumentOutOfRangeException.ThrowIfLessThan(pid, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pid, int.MaxValue);
        var helper = await ExecAsync(
                new GuestExecRequest(
                    "/bin/sh",
                    "-c",
                    KillTreeScript,
                    "qga-kill-tree",
                    pid.ToString(CultureInfo.InvariantCulture)
                ),
                cancellationToken
            )
            .ConfigureAwait(false);
        var status = await WaitForExitAsync(helper, cancellationToken).ConfigureAwait(false);
        return status.ExitCode switch
        {
            0 => true,
            1 => false,
            _ => throw new GuestAgentException(
                $"Killing process {pid} in the guest failed: the helper exited with "
                    + $"{(status.Signal is { } signal ? $"signal {signal}" : $"code {status.ExitCode}")}: "
                    + Encoding.UTF8.GetString(status.StandardError).Trim()
            ),
        };
    }

    private async Task KillWhatAnAbandonedStartStartedAsync(Task<long> start)
    {
        long pid;
        try
        {
            pid = await start.ConfigureAwait(false);
        }
        catch (Exception ex)
            when (ex
                    is GuestAgentException
                        or OperationCanceledException
                        or ObjectDisposedException
                        or ArgumentException
                        or NotSupportedException
            )
        {
            return; // It did not start, or we cannot know: nothing to kill.
        }

        await KillAndReapQuietlyAsync(pid).ConfigureAwait(false);
    }

    private async Task KillAndReapQuietlyAsync(long pid)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        timeout.CancelAfter(_options.KillTimeout);
        try
        {
            await KillProcessTreeAsync(pid, timeout.Token).ConfigureAwait(false);
            await WaitForExitAsync(pid, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is GuestAgentException or OperationCanceledException or ObjectDisposedException)
        {
            // Best effort: the caller is told about the failure that made us abandon the process.
        }
    }

    private async Task<JsonNode?> EncodeCaptureAsync(GuestExecCapture capture, CancellationToken cancellationToken)
    {
        // The boolean form works on every agent: true = separate stdout and stderr, absent = none.
        var mode = capture switch
        {
            GuestExecCapture.Separated => null,
            GuestExecCapture.None => null,
            GuestExecCapture.Merged => "merged",
            GuestExecCapture.StandardOutputOnly => "stdout",
            GuestExecCapture.StandardErrorOnly => "stderr",
            _ => throw new ArgumentOutOfRangeException(nameof(capture), capture, "Unknown capture mode."),
        };
        if (mode is null)
        {
            return capture == GuestExecCapture.Separated ? JsonValue.Create(true) : null;
        }

        // The enum form arrived in qemu-ga 8.1; older agents reject it. An unparsable version gets the enum
        // and the agent's own verdict.
        var info = await GetInfoCachedAsync(cancellationToken).ConfigureAwait(false);
        if (GuestAgentInfo.TryParseVersion(info.Version, out _, out _) && !info.IsAtLeast(8, 1))
        {
            throw new NotSupportedException(
                $"Capture mode {capture} needs qemu-ga 8.1 or later; the guest runs qemu-ga {info.Version}. "
                    + "Use GuestExecCapture.Separated (or run the command through 'sh -c \"... 2>&1\"' to merge)."
            );
        }

        return JsonValue.Create(mode);
    }

    private async Task<GuestAgentInfo> GetInfoCachedAsync(CancellationToken cancellationToken)
    {
        if (
            Volatile.Read(ref _infoCache) is { } cached
            && cached.Synchronization == SynchronizationCount
            && IsSynchronized
        )
        {
            return cached.Info;
        }

        var info = await GetInfoAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _infoCache, new InfoCacheEntry(SynchronizationCount, info));
        return info;
    }

    private sealed record InfoCacheEntry(long Synchronization, GuestAgentInfo Info);

    private static void Validate(GuestExecRequest request)
    {
        ArgumentException.ThrowIfNullOrEmpty(request.Path, "request.Path");
        RequireNoNul(request.Path, "request.Path");
        ArgumentNullException.ThrowIfNull(request.Arguments, "request.Arguments");
        for (var i = 0; i < request.Arguments.Count; i++)
        {
            RequireNoNul(request.Arguments[i], $"request.Arguments[{i}]");
        }

        if (request.Environment is { } environment)
        {
            for (var i = 0; i < environment.Count; i++)
            {
                var name = $"request.Environment[{i}]";
                RequireNoNul(environment[i], name);
                if (environment[i].IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    throw new ArgumentException($"{name} must look like NAME=value.", name);
                }
            }
        }

        if (request.Input is { Length: > GuestExecRequest.MaxInputBytes } input)
        {
            throw new ArgumentException(
                $"request.Input is {input.Length} bytes; the guest agent accepts at most {GuestExecRequest.MaxInputBytes}.",
                "request.Input"
            );
        }
    }
}
