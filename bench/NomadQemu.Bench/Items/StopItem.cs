using System.Diagnostics;
using NomadQemu.Bench.Measure;
using NomadQemu.Bench.Report;
using NomadQemu.TestKit;

namespace NomadQemu.Bench.Items;

/// <summary>
/// Item 4: graceful stop of a booted guest that honours the ACPI power button: StopTask until WaitTask returns,
/// against the same QEMU command line powered down over a bare QMP socket by the suite.
/// </summary>
public static class StopItem
{
    /// <summary>
    /// Printed after the guest armed its power button. HTTP alone is not enough: the guest starts httpd before
    /// it arms the button, and a power-down pressed in between is lost.
    /// </summary>
    private const string ReadyMarker = "TEST-GUEST-READY";

    /// <summary>The button reader is a background subshell: give it a moment to open the event device.</summary>
    private static readonly TimeSpan s_armSettle = TimeSpan.FromMilliseconds(500);

    public static async Task RunAsync(BenchContext context, ReportSection section)
    {
        var (session, stateDir) = await context.StartSessionAsync();
        await using var _ = session;
        using var __ = stateDir;
        var ours = new Sample("s");
        var baseline = new Sample("s");
        var exits = new List<string>();
        string[]? template = null;
        var templateTaskDir = "";
        var templatePort = 0;
        for (var round = 0; round < context.Options.StopRounds; round++)
        {
            context.Log($"stop round {round + 1}/{context.Options.StopRounds}");
            var task = new VmTask();
            await using (
                var vm = await DriverVm.StartAsync(
                    session,
                    task,
                    DriverVm.FastConfig(task),
                    BootItem.MemoryMb,
                    context.Cancellation
                )
            )
            {
                await HttpProbe.WaitFor200Async(
                    task.HostPort,
                    context.BootTimeout,
                    () => task.Stdout.Text,
                    context.Cancellation
                );
                await task.Stdout.WaitForAsync(ReadyMarker, context.BootTimeout, context.Cancellation);
                await Task.Delay(s_armSettle, context.Cancellation);
                if (template is null)
                {
                    template = QemuArgv.Capture(vm.QemuPid, task.RunDir);
                    templateTaskDir = task.TaskDir;
                    templatePort = task.HostPort;
                    // The raw runs reuse this task's kernel and initrd paths, retargeted to their own task dirs.
                }
                var (seconds, result) = await vm.StopGracefullyAsync(context.Cancellation);
                ours.Add(seconds);
                exits.Add($"exit {result.ExitCode} signal {result.Signal}");
                if (
                    result.ExitCode != 0
                    || result.Signal != 0
                    || !task.Stdout.Text.Contains("TEST-GUEST-POWERDOWN", StringComparison.Ordinal)
                )
                {
                    section.Note(
                        $"round {round + 1}: our stop did not end in a guest power-down (exit {result.ExitCode}, signal {result.Signal})."
                    );
                }
            }
            baseline.Add(await RawStopAsync(context, template, templateTaskDir, templatePort));
        }
        section.Add(
            "graceful stop: StopTask → WaitTask returns",
            ours,
            "bare QMP system_powerdown → QEMU exits",
            baseline
        );
        section.Note(
            $"Guest: the test guest, fast profile with direct kernel boot, {BootItem.MemoryMb} MB, stopped once it answers HTTP and printed TEST-GUEST-READY (+0.5 s, untimed): the guest starts httpd before it arms its power button, so HTTP alone is too early. Our exits: {string.Join(", ", exits.Distinct())}."
        );
        section.Note(
            "Baseline: the same QEMU command line the driver used (from /proc), started by the suite; the clock runs from connecting to the QMP socket until QEMU has exited."
        );
    }

    private static async Task<double> RawStopAsync(
        BenchContext context,
        string[] template,
        string templateTaskDir,
        int templatePort
    )
    {
        using var task = new VmTask();
        task.DirectKernelBoot();
        var argv = QemuArgv.Retarget(template, templateTaskDir, task.TaskDir, templatePort, task.HostPort);
        await TestImages.CreateOverlayAsync(task, context.Cancellation);
        await using var vm = RawVm.Start(argv, task.TaskDir);
        await HttpProbe.WaitFor200Async(task.HostPort, context.BootTimeout, () => vm.Output, context.Cancellation);
        await vm.WaitForOutputAsync(ReadyMarker, context.BootTimeout, context.Cancellation);
        await Task.Delay(s_armSettle, context.Cancellation);
        var watch = Stopwatch.StartNew();
        await RawQmp.SystemPowerdownAsync(StartTaskItem.QmpSocket(argv), context.Cancellation);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await vm.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!context.Cancellation.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"QEMU did not exit within 30 s of system_powerdown; argv: {string.Join(' ', argv)}; console:\n{vm.Output}"
            );
        }
        return watch.Elapsed.TotalSeconds;
    }
}
