using NomadQemu.Bench.Measure;
using NomadQemu.Bench.Report;
using NomadQemu.TestKit;

namespace NomadQemu.Bench.Items;

/// <summary>
/// Item 2c: what the jail costs. StartTask through a plugin with the jail on (the default) against one with
/// <c>jail = false</c>, interleaved in the same run; and the memory of the jail's own process (bwrap's
/// monitor, QEMU's parent; setpriv exec'd into QEMU and is gone).
/// </summary>
public static class JailItem
{
    public static async Task RunAsync(BenchContext context, ReportSection section)
    {
        using var jailedState = new ShortTempDir();
        using var openState = new ShortTempDir();
        await using var jailed = await PluginSession.StartAsync(
            NomadMsgpack.PluginConfig(stateDir: jailedState.Path),
            cancellationToken: context.Cancellation
        );
        await using var open = await PluginSession.StartAsync(
            NomadMsgpack.PluginConfig(stateDir: openState.Path, jail: false),
            cancellationToken: context.Cancellation
        );
        var on = new Sample("ms");
        var off = new Sample("ms");
        var monitorRss = new Sample("KiB");
        var monitorPss = new Sample("KiB");
        // One uncounted warm-up of each, then interleaved pairs.
        for (var i = -1; i < context.Options.StartTasks; i++)
        {
            using (var task = new VmTask())
            await using (
                var vm = await DriverVm.StartAsync(jailed, task, VmTask.DriverConfig(), 256, context.Cancellation)
            )
            {
                if (i >= 0)
                {
                    on.Add(vm.StartSeconds * 1000);
                    var bwrap = ProcFs.ParentPid(vm.QemuPid);
                    monitorRss.Add(ProcFs.RssBytes(bwrap) / 1024.0);
                    monitorPss.Add(ProcFs.PssBytes(bwrap) / 1024.0);
                }
            }
            using (var task = new VmTask())
            await using (
                var vm = await DriverVm.StartAsync(open, task, VmTask.DriverConfig(), 256, context.Cancellation)
            )
            {
                if (i >= 0)
                {
                    off.Add(vm.StartSeconds * 1000);
                }
            }
        }
        section.Add("StartTask → returns, jail on (default)", on, "same, plugin config jail = false", off);
        section.Note(
            $"Jail machinery per VM: bwrap's monitor process (QEMU's parent) RSS median {monitorRss.Median:0} KiB, PSS median {monitorPss.Median:0} KiB (n = {monitorRss.Count}); nothing else stays resident (setpriv exec's into QEMU, the mount namespace's tmpfs dirs are a few KiB)."
        );
    }
}
