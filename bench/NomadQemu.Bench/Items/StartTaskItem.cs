using System.Diagnostics;
using NomadQemu.Bench.Measure;
using NomadQemu.Bench.Report;
using NomadQemu.TestKit;

namespace NomadQemu.Bench.Items;

/// <summary>Item 2a: StartTask until QEMU runs (no boot wait), against doing the same steps by hand.</summary>
public static class StartTaskItem
{
    public static async Task RunAsync(BenchContext context, ReportSection section)
    {
        var (session, stateDir) = await context.StartSessionAsync();
        await using var _ = session;
        using var __ = stateDir;
        var ours = new Sample("ms");
        var baseline = new Sample("ms");
        string[]? template = null;
        var templateTaskDir = "";
        var templatePort = 0;
        // One uncounted warm-up of each path (first QEMU exec, page cache), then interleaved pairs.
        for (var i = -1; i < context.Options.StartTasks; i++)
        {
            var task = new VmTask();
            await using (
                var vm = await DriverVm.StartAsync(session, task, VmTask.DriverConfig(), 256, context.Cancellation)
            )
            {
                if (i >= 0)
                {
                    ours.Add(vm.StartSeconds * 1000);
                }
                template ??= QemuArgv.Capture(vm.QemuPid, task.RunDir);
                if (templateTaskDir.Length == 0)
                {
                    templateTaskDir = task.TaskDir;
                    templatePort = task.HostPort;
                }
            }
            var seconds = await RawStartAsync(context, template, templateTaskDir, templatePort);
            if (i >= 0)
            {
                baseline.Add(seconds * 1000);
            }
        }
        section.Add(
            "StartTask → returns (QEMU running, QMP answering)",
            ours,
            "by hand: qemu-img create + spawn QEMU + poll QMP",
            baseline
        );
        section.Note(
            $"Both use the driver's own QEMU command line for a compat-profile job (captured from /proc/<qemu>/cmdline): `{string.Join(' ', template!.Skip(1))}`."
        );
    }

    private static async Task<double> RawStartAsync(
        BenchContext context,
        string[] template,
        string templateTaskDir,
        int templatePort
    )
    {
        using var task = new VmTask();
        var argv = QemuArgv.Retarget(template, templateTaskDir, task.TaskDir, templatePort, task.HostPort);
        var qmp = QmpSocket(argv);
        var watch = Stopwatch.StartNew();
        await TestImages.CreateOverlayAsync(task, context.Cancellation);
        await using var vm = RawVm.Start(argv, task.TaskDir);
        while (!await RawQmp.AnswersAsync(qmp, context.Cancellation))
        {
            if (vm.HasExited)
            {
                throw new InvalidOperationException($"QEMU exited during start: {string.Join(' ', argv)}");
            }
            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("QEMU did not answer QMP within 30 s");
            }
            await Task.Delay(20, context.Cancellation);
        }
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>The path in <c>-qmp unix:PATH,server=on,...</c>.</summary>
    public static string QmpSocket(IReadOnlyList<string> argv)
    {
        var value =
            QemuArgv.ValueOf(argv, "-qmp")
            ?? throw new InvalidOperationException("the driver's command line has no -qmp");
        return value["unix:".Length..value.IndexOf(",server", StringComparison.Ordinal)];
    }
}
