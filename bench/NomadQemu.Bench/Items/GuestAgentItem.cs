using System.Diagnostics;
using NomadQemu.Bench.Measure;
using NomadQemu.Bench.Report;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.Bench.Items;

/// <summary>
/// Item 9: the guest agent. Exec round trips through the plugin (ExecTask of `true`, and of a command writing
/// 1 MiB) against the same commands run on the host; StartTask until "Guest agent up" against StartTask until
/// the same guest's first HTTP 200; plugin CPU with N idle agent-connected tasks against N tasks without agent.
/// </summary>
public static class GuestAgentItem
{
    private static readonly string[] s_oneMiB = ["/bin/sh", "-c", "dd if=/dev/zero bs=1024 count=1024 2>/dev/null"];

    public static async Task RunAsync(BenchContext context, ReportSection section)
    {
        var quick = context.Options.Quick;
        var ct = context.Cancellation;
        var (session, stateDir) = await context.StartSessionAsync();
        await using (session)
        using (stateDir)
        {
            var agentUp = new Sample("s");
            var http = new Sample("s");
            for (var round = 0; round < (quick ? 1 : 3); round++)
            {
                context.Log($"agent boot round {round + 1}");
                var task = new VmTask();
                var watch = Stopwatch.StartNew();
                await using var vm = await DriverVm.StartAsync(session, task, AgentConfig(task), 256, ct);
                var probe = HttpProbe.WaitFor200Async(task.HostPort, context.BootTimeout, () => task.Stdout.Text, ct);
                var up = session.WaitForEventAsync(task.TaskId, "Guest agent up after", context.BootTimeout, ct);
                await Task.WhenAll(
                    probe.ContinueWith(_ => http.Add(watch.Elapsed.TotalSeconds), ct),
                    up.ContinueWith(_ => agentUp.Add(watch.Elapsed.TotalSeconds), ct)
                );
                await probe;
                await up;
                if (round == 0)
                {
                    await MeasureExecAsync(context, section, session, task.TaskId);
                }
            }
            section.Add("StartTask → \"Guest agent up\" event", agentUp, "StartTask → first HTTP 200, same boot", http);
        }
        await MeasureIdleCpuAsync(context, section, quick ? 2 : 5);
    }

    private static async Task MeasureExecAsync(
        BenchContext context,
        ReportSection section,
        PluginSession session,
        string taskId
    )
    {
        var ct = context.Cancellation;
        var count = context.Options.Quick ? 10 : 50;
        var ours = new Sample("ms");
        var host = new Sample("ms");
        await ExecAsync(session, taskId, ["true"], ct); // first call pays the capture-mode probe
        for (var i = 0; i < count; i++)
        {
            ours.Add(await TimedMsAsync(() => ExecAsync(session, taskId, ["true"], ct)));
            host.Add(await TimedMsAsync(() => HostAsync("true", [], ct)));
        }
        var row = section.Add("ExecTask `true` round trip", ours, "`true` started on the host (Process)", host);
        section.Note(
            $"ExecTask `true`: p50 {ours.Median:0.0} ms, p95 {ours.P95:0.0} ms over {count}; host p50 {host.Median:0.0} ms, p95 {host.P95:0.0} ms (ratio {row.Ratio:0.0})."
        );

        var big = new Sample("ms");
        var hostBig = new Sample("ms");
        for (var i = 0; i < (context.Options.Quick ? 2 : 10); i++)
        {
            big.Add(
                await TimedMsAsync(async () =>
                {
                    var r = await ExecAsync(session, taskId, s_oneMiB, ct);
                    if (r.Stdout.Length != 1024 * 1024)
                    {
                        throw new InvalidOperationException($"expected 1 MiB, got {r.Stdout.Length} bytes");
                    }
                })
            );
            hostBig.Add(await TimedMsAsync(() => HostAsync(s_oneMiB[0], s_oneMiB[1..], ct)));
        }
        section.Add("ExecTask writing 1 MiB to stdout", big, "the same command on the host (Process)", hostBig);
    }

    private static async Task MeasureIdleCpuAsync(BenchContext context, ReportSection section, int count)
    {
        var window = context.Options.SteadyWindow;
        var without = await IdleCpuAsync(context, count, agent: false, window);
        var with = await IdleCpuAsync(context, count, agent: true, window);
        section.Add(
            $"plugin CPU, {count} idle tasks with agent connected",
            with,
            $"{count} tasks without agent",
            without
        );
        section.Note(
            $"Idle CPU: windows of {window.TotalSeconds:0} s after every guest booted (and every agent answered); CPU = utime + stime of the plugin from /proc. The agent watcher pings every 2 s per task."
        );
    }

    private static async Task<Sample> IdleCpuAsync(BenchContext context, int count, bool agent, TimeSpan window)
    {
        var ct = context.Cancellation;
        var (session, stateDir) = await context.StartSessionAsync();
        await using (session)
        using (stateDir)
        {
            var vms = new List<DriverVm>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var task = new VmTask($"idle{i}");
                    var config = agent ? AgentConfig(task) : DriverVm.FastConfig(task);
                    vms.Add(await DriverVm.StartAsync(session, task, config, 256, ct));
                }
                foreach (var vm in vms)
                {
                    await HttpProbe.WaitFor200Async(
                        vm.Task.HostPort,
                        context.BootTimeout,
                        () => vm.Task.Stdout.Text,
                        ct
                    );
                    if (agent)
                    {
                        await session.WaitForEventAsync(vm.Task.TaskId, "Guest agent up", context.BootTimeout, ct);
                    }
                }
                var sample = new Sample("CPU s/s");
                for (var w = 0; w < context.Options.SteadyWindows; w++)
                {
                    var before = ProcFs.CpuSeconds(session.Plugin.Pid);
                    var watch = Stopwatch.StartNew();
                    await Task.Delay(window, ct);
                    sample.Add((ProcFs.CpuSeconds(session.Plugin.Pid) - before) / watch.Elapsed.TotalSeconds);
                }
                return sample;
            }
            finally
            {
                foreach (var vm in vms)
                {
                    await vm.DisposeAsync();
                }
            }
        }
    }

    private static byte[] AgentConfig(VmTask task) =>
        VmTask.DriverConfig([("profile", "fast"), ("guest_agent", true), .. task.DirectKernelBoot()]);

    private static async Task<ExecTaskResponse> ExecAsync(
        PluginSession session,
        string taskId,
        string[] command,
        CancellationToken ct
    ) =>
        await session.Driver.ExecTaskAsync(
            new ExecTaskRequest
            {
                TaskId = taskId,
                Command = { command },
                Timeout = VmTask.Seconds(60),
            },
            cancellationToken: ct
        );

    private static async Task HostAsync(string program, string[] arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        using var sink = new MemoryStream();
        await process.StandardOutput.BaseStream.CopyToAsync(sink, ct);
        await process.WaitForExitAsync(ct);
    }

    private static async Task<double> TimedMsAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed.TotalMilliseconds;
    }
}
