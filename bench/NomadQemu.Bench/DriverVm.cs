using System.Diagnostics;
using System.Globalization;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.Bench;

/// <summary>A VM started through the plugin's StartTask, as Nomad starts it; knows its QEMU and supervisor pids.</summary>
public sealed class DriverVm : IAsyncDisposable
{
    private readonly PluginSession _session;

    private DriverVm(PluginSession session, VmTask task, int qemuPid, int supervisorPid, double startSeconds)
    {
        _session = session;
        Task = task;
        QemuPid = qemuPid;
        SupervisorPid = supervisorPid;
        StartSeconds = startSeconds;
    }

    public VmTask Task { get; }
    public int QemuPid { get; }
    public int SupervisorPid { get; }

    /// <summary>How long StartTask took to return (QEMU running, QMP answering).</summary>
    public double StartSeconds { get; }

    /// <summary>Fast profile with direct kernel boot: the recommended configuration.</summary>
    public static byte[] FastConfig(VmTask task) =>
        VmTask.DriverConfig([("profile", "fast"), .. task.DirectKernelBoot()]);

    /// <summary>StartTask; the clock runs from the call until it returns.</summary>
    public static async Task<DriverVm> StartAsync(
        PluginSession session,
        VmTask task,
        byte[] config,
        long memoryMb,
        CancellationToken cancellationToken
    )
    {
        var watch = Stopwatch.StartNew();
        await session.Driver.StartTaskAsync(
            new StartTaskRequest { Task = task.TaskConfig(config, memoryMb) },
            cancellationToken: cancellationToken
        );
        var seconds = watch.Elapsed.TotalSeconds;
        var inspect = await session.Driver.InspectTaskAsync(
            new InspectTaskRequest { TaskId = task.TaskId },
            cancellationToken: cancellationToken
        );
        return new DriverVm(
            session,
            task,
            int.Parse(inspect.Driver.Attributes["qemu_pid"], CultureInfo.InvariantCulture),
            int.Parse(inspect.Driver.Attributes["supervisor_pid"], CultureInfo.InvariantCulture),
            seconds
        );
    }

    /// <summary>Graceful stop as Nomad does it: WaitTask already pending, then StopTask; returns the seconds until WaitTask returned and the exit.</summary>
    public async Task<(double Seconds, ExitResult Result)> StopGracefullyAsync(CancellationToken cancellationToken)
    {
        using var wait = _session.Driver.WaitTaskAsync(
            new WaitTaskRequest { TaskId = Task.TaskId },
            cancellationToken: cancellationToken
        );
        var watch = Stopwatch.StartNew();
        await _session.Driver.StopTaskAsync(
            new StopTaskRequest
            {
                TaskId = Task.TaskId,
                Timeout = VmTask.Seconds(30),
                Signal = "SIGTERM",
            },
            cancellationToken: cancellationToken
        );
        var result = await wait.ResponseAsync;
        return (watch.Elapsed.TotalSeconds, result.Result);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _session.Driver.StopTaskAsync(
                new StopTaskRequest { TaskId = Task.TaskId, Timeout = VmTask.Seconds(0) }
            );
            await _session.Driver.DestroyTaskAsync(new DestroyTaskRequest { TaskId = Task.TaskId, Force = true });
        }
        finally
        {
            Task.Dispose();
        }
    }
}
