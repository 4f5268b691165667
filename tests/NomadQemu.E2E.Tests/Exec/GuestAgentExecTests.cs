using System.Diagnostics;
using System.Text;
using Grpc.Core;
using NomadQemu.E2E.Tests.Lifecycle;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Exec;

/// <summary>
/// Exec, readiness and addresses through the real qemu-ga inside the test guest, driven over the plugin's
/// gRPC API exactly as Nomad's client drives it (script checks: ExecTask; `nomad alloc exec`: ExecTaskStreaming).
/// </summary>
[Collection(VmCollection.Name)]
public sealed class GuestAgentExecTests : IAsyncLifetime
{
    private PluginSession _session = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan s_boot = TestEnvironment.Scaled(90);

    public async ValueTask InitializeAsync() => _session = await PluginSession.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _session.DisposeAsync();

    private async Task<StartTaskResponse> StartAsync(VmTask task, bool agent = true, string kernelArgs = "") =>
        await _session.Driver.StartTaskAsync(
            new StartTaskRequest
            {
                Task = task.TaskConfig(
                    // The group port gives the VM its NIC (user networking): the addresses come from it.
                    VmTask.DriverConfig([("guest_agent", agent), .. task.DirectKernelBoot(kernelArgs)])
                ),
            },
            cancellationToken: Ct
        );

    private async Task<ExecTaskResponse> ExecAsync(string taskId, double timeoutSeconds, params string[] command) =>
        await _session.Driver.ExecTaskAsync(
            new ExecTaskRequest
            {
                TaskId = taskId,
                Command = { command },
                Timeout = VmTask.Seconds(timeoutSeconds),
            },
            cancellationToken: Ct
        );

    private async Task DestroyAsync(VmTask task) =>
        await _session.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
            cancellationToken: Ct
        );

    [Fact]
    public async Task Capabilities_AdvertiseExec()
    {
        var capabilities = await _session.Driver.CapabilitiesAsync(new CapabilitiesRequest(), cancellationToken: Ct);
        Assert.True(capabilities.Capabilities.Exec);
        Assert.Equal(DriverCapabilities.Types.FSIsolation.None, capabilities.Capabilities.FsIsolation);
    }

    [Fact(Timeout = 420_000)]
    public async Task AgentUp_Addresses_ExecTask_Streaming_Deadline_Disconnect_Tty_Reboot_Resume()
    {
        using var task = new VmTask("agent");
        await StartAsync(task);

        var up = await _session.WaitForEventAsync(task.TaskId, "Guest agent up after", s_boot, Ct);
        Assert.Equal("up", up.Annotations["guest_agent"]);
        Assert.True(double.Parse(up.Annotations["seconds"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        var addresses = await _session.WaitForEventAsync(task.TaskId, "10.0.2.15/24", s_boot, Ct);
        Assert.Equal("10.0.2.15", addresses.Annotations["ipv4"]);
        Assert.DoesNotContain("127.0.0.1", addresses.Message);
        var inspect = await _session.Driver.InspectTaskAsync(
            new InspectTaskRequest { TaskId = task.TaskId },
            cancellationToken: Ct
        );
        Assert.Equal("up", inspect.Driver.Attributes["guest_agent"]);
        Assert.Contains("eth0 10.0.2.15/24", inspect.Driver.Attributes["guest_addresses"]);

        // ExecTask (script checks): stdout, stderr and a non-zero exit code.
        var exec = await ExecAsync(task.TaskId, 30, "/bin/sh", "-c", "echo out; echo err >&2; exit 3");
        Assert.Equal("out\n", exec.Stdout.ToStringUtf8());
        Assert.Equal("err\n", exec.Stderr.ToStringUtf8());
        Assert.Equal(3, exec.Result.ExitCode);
        Assert.Equal(0, exec.Result.Signal);

        // Deadline: the command is killed in the guest and the call returns soon after the timeout.
        var watch = Stopwatch.StartNew();
        var late = await ExecAsync(task.TaskId, 1, "sleep", "307");
        watch.Stop();
        Assert.Equal(9, late.Result.Signal);
        Assert.Equal(137, late.Result.ExitCode);
        Assert.Contains("did not finish within 1 s", late.Stderr.ToStringUtf8());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"deadline of 1 s returned after {watch.Elapsed}");
        Assert.DoesNotContain("sleep 307", (await ExecAsync(task.TaskId, 30, "ps")).Stdout.ToStringUtf8());

        // Streaming with stdin in chunks: output, close markers in order, the exit code last.
        var cat = await StreamingExec.RunAsync(
            _session.Driver,
            task.TaskId,
            ["/bin/sh", "-c", "cat; echo done >&2; exit 5"],
            [Encoding.UTF8.GetBytes("hello "), Encoding.UTF8.GetBytes("guest\n")],
            Ct
        );
        Assert.Equal("hello guest\n", Encoding.UTF8.GetString(cat.Stdout));
        Assert.Equal("done\n", Encoding.UTF8.GetString(cat.Stderr));
        var last = cat.Responses[^1];
        Assert.True(last.Exited);
        Assert.Equal(5, last.Result.ExitCode);
        Assert.Single(cat.Responses, r => r.Stdout is { Close: true });
        Assert.Single(cat.Responses, r => r.Stderr is { Close: true });
        var stdoutClose = cat.Responses.FindIndex(r => r.Stdout is { Close: true });
        Assert.True(cat.Responses.FindLastIndex(r => r.Stdout is { Data.Length: > 0 }) < stdoutClose);

        // Large output: 1 MiB arrives whole, in chunks gRPC carries.
        var big = await StreamingExec.RunAsync(
            _session.Driver,
            task.TaskId,
            ["/bin/sh", "-c", "dd if=/dev/zero bs=1024 count=1024 2>/dev/null"],
            [],
            Ct
        );
        Assert.Equal(1024 * 1024, big.Stdout.Length);
        Assert.All(big.Stdout, b => Assert.Equal(0, b));
        Assert.Equal(0, big.Responses[^1].Result.ExitCode);

        // The client goes away mid-command: the command is killed in the guest.
        using (var gone = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            var running = StreamingExec.RunAsync(_session.Driver, task.TaskId, ["sleep", "301"], [], gone.Token);
            await Task.Delay(TimeSpan.FromSeconds(2), Ct);
            Assert.Contains("sleep 301", (await ExecAsync(task.TaskId, 30, "ps")).Stdout.ToStringUtf8());
            await gone.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(async () => await running);
        }
        await EventuallyAsync(
            async () => !(await ExecAsync(task.TaskId, 30, "ps")).Stdout.ToStringUtf8().Contains("sleep 301"),
            "the guest process of a disconnected exec is still running"
        );

        // tty: refused with what works instead.
        var tty = await Assert.ThrowsAsync<RpcException>(async () =>
            await StreamingExec.RunAsync(_session.Driver, task.TaskId, ["/bin/sh"], [], Ct, tty: true)
        );
        Assert.Equal(StatusCode.FailedPrecondition, tty.StatusCode);
        Assert.Contains("-t=false", tty.Status.Detail);

        // Pause and resume: the guest clock is set through the agent.
        await Signal(task, "SIGSTOP");
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        await Signal(task, "SIGCONT");
        await _session.WaitForEventAsync(task.TaskId, "guest clock set", TimeSpan.FromSeconds(10), Ct);
        Assert.DoesNotContain(_session.Events, e => e.TaskId == task.TaskId && e.Message.Contains("agent gone"));

        // Reboot (SIGHUP = reset): the agent goes away and comes back; exec works again.
        await Signal(task, "SIGHUP");
        await _session.WaitForEventAsync(task.TaskId, "Guest agent gone", TimeSpan.FromSeconds(10), Ct);
        await _session.WaitForEventAsync(task.TaskId, "Guest agent back", s_boot, Ct);
        Assert.Equal("again\n", (await ExecAsync(task.TaskId, 30, "echo", "again")).Stdout.ToStringUtf8());

        await DestroyAsync(task);
    }

    [Fact(Timeout = 300_000)]
    public async Task NoAgent_ClearErrors_BothWithoutTheKeyAndWithASilentGuest()
    {
        using var plain = new VmTask("plain");
        await StartAsync(plain, agent: false);
        var unary = await Assert.ThrowsAsync<RpcException>(async () => await ExecAsync(plain.TaskId, 5, "true"));
        Assert.Equal(StatusCode.FailedPrecondition, unary.StatusCode);
        Assert.Contains("guest_agent = true", unary.Status.Detail);
        var streaming = await Assert.ThrowsAsync<RpcException>(async () =>
            await StreamingExec.RunAsync(_session.Driver, plain.TaskId, ["true"], [], Ct)
        );
        Assert.Contains("guest_agent = true", streaming.Status.Detail);
        await DestroyAsync(plain);

        using var silent = new VmTask("silent");
        await StartAsync(silent, kernelArgs: "testguest.noagent");
        await silent.Stdout.WaitForAsync("TEST-GUEST-READY", s_boot, Ct);
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(async () => await ExecAsync(silent.TaskId, 30, "true"));
        watch.Stop();
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("did not answer within 5 s", error.Status.Detail);
        Assert.Contains("qemu-guest-agent", error.Status.Detail);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"the bound took {watch.Elapsed}");
        await DestroyAsync(silent);
    }

    [Fact(Timeout = 300_000)]
    public async Task GuestIgnoresAcpi_AgentShutsItDownCleanly()
    {
        using var task = new VmTask("deaf");
        await StartAsync(task, kernelArgs: "testguest.ignore_powerdown");
        await _session.WaitForEventAsync(task.TaskId, "Guest agent up after", s_boot, Ct);
        await task.Stdout.WaitForAsync("TEST-GUEST-POWER-BUTTON ignored", s_boot, Ct);

        await _session.Driver.StopTaskAsync(
            new StopTaskRequest
            {
                TaskId = task.TaskId,
                Timeout = VmTask.Seconds(20),
                Signal = "SIGTERM",
            },
            cancellationToken: Ct
        );
        var result = await _session.Driver.WaitTaskAsync(
            new WaitTaskRequest { TaskId = task.TaskId },
            cancellationToken: Ct
        );

        Assert.Equal(0, result.Result.Signal);
        Assert.Equal(0, result.Result.ExitCode);
        await _session.WaitForEventAsync(task.TaskId, "guest-shutdown", TimeSpan.FromSeconds(5), Ct);
        await task.Stdout.WaitForAsync("TEST-GUEST-AGENT-SHUTDOWN poweroff", TimeSpan.FromSeconds(5), Ct);
        Assert.DoesNotContain(_session.Events, e => e.TaskId == task.TaskId && e.Message.Contains("was killed"));
        await DestroyAsync(task);
    }

    [Fact(Timeout = 300_000)]
    public async Task ExecWorksAfterPluginSigkillAndRecoverTask()
    {
        using var task = new VmTask("survivor");
        var started = await StartAsync(task);
        await _session.WaitForEventAsync(task.TaskId, "Guest agent up after", s_boot, Ct);
        Assert.Equal("before\n", (await ExecAsync(task.TaskId, 30, "echo", "before")).Stdout.ToStringUtf8());

        _session.Plugin.Kill(); // SIGKILL: no cleanup; the VM lives on under its supervisor
        await _session.Plugin.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await _session.DisposeAsync();
        _session = await PluginSession.StartAsync(cancellationToken: Ct);
        // Nomad's client sends the stored handle with an empty driver config and no task_id.
        var handle = started.Handle.Clone();
        handle.Config.MsgpackDriverConfig = Google.Protobuf.ByteString.Empty;
        await _session.Driver.RecoverTaskAsync(new RecoverTaskRequest { Handle = handle }, cancellationToken: Ct);

        var after = await ExecAsync(task.TaskId, 30, "/bin/sh", "-c", "echo after; exit 4");
        Assert.Equal("after\n", after.Stdout.ToStringUtf8());
        Assert.Equal(4, after.Result.ExitCode);
        await _session.WaitForEventAsync(task.TaskId, "Guest agent up after", TimeSpan.FromSeconds(30), Ct);
        await DestroyAsync(task);
    }

    private async Task Signal(VmTask task, string signal) =>
        await _session.Driver.SignalTaskAsync(
            new SignalTaskRequest { TaskId = task.TaskId, Signal = signal },
            cancellationToken: Ct
        );

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(500, Ct);
        }
        Assert.Fail(failure);
    }
}
