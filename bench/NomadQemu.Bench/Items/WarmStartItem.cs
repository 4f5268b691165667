using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NomadQemu.Bench.Measure;
using NomadQemu.Bench.Report;
using NomadQemu.TestKit;

namespace NomadQemu.Bench.Items;

/// <summary>
/// Item 12 (issue 13): warm starts from a memory snapshot. A clone's StartTask → HTTP 200 against our own cold boot
/// of the same task and the built-in driver's cold boot; what building a template costs (time, disk); QEMU's PSS
/// with many clones of one template against as many cold-booted VMs; and how restore time grows with guest RAM.
/// </summary>
public static partial class WarmStartItem
{
    private const long BaseMemoryMb = 256;

    public static async Task RunAsync(BenchContext context, ReportSection section)
    {
        var (session, stateDir) = await context.StartSessionAsync();
        // The session reaps every task it started and did not destroy, so a failure here leaves no VM running.
        await using var _ = session;
        using var __ = stateDir;
        var templates = Path.Combine(stateDir.Path, "templates");
        var options = context.Options;

        context.Log($"warm: building the {BaseMemoryMb} MB template");
        var baseBuild = await BuildAsync(context, session, templates, BaseMemoryMb);

        var clone = new Sample("s");
        var cold = new Sample("s");
        var builtin = new Sample("s");
        var cloneEventMs = new Sample("ms");
        for (var round = 0; round < options.WarmRounds; round++)
        {
            context.Log($"warm round {round + 1}/{options.WarmRounds}");
            builtin.Add((await BootItem.BuiltinAsync(context)).Seconds);
            // Each VM is destroyed before the next starts: each contender has the cores to itself.
            await (await ColdAsync(context, session, BaseMemoryMb, cold)).DisposeAsync();
            await (await CloneAsync(context, session, BaseMemoryMb, clone, cloneEventMs)).DisposeAsync();
        }
        section.Add("(a) clone, StartTask → HTTP 200", clone, "(c) built-in driver's cold boot → HTTP 200", builtin);
        section.Add(
            "(a) clone, StartTask → HTTP 200",
            clone,
            "(b) our cold boot of the same task, no warm_start",
            cold
        );
        section.Add("(b) our cold boot, StartTask → HTTP 200", cold, "(c) built-in driver's cold boot", builtin);
        section.Note(
            $"Part 1: {options.WarmRounds} rounds of (c), (b), (a), one VM at a time, {BaseMemoryMb} MB, TCG. Clone restore as the driver reports it (\"Started from template … in N ms\"): median {cloneEventMs.Median:0} ms, min {cloneEventMs.Min:0}, max {cloneEventMs.Max:0}. (a) and (b): guest_agent = true, direct kernel boot of the test guest, profile compat; (c) boots the same guest from its disk with the built-in driver's argv (item 3)."
        );

        section.Add(
            $"template build ({BaseMemoryMb} MB): ready after (guest agent answered)",
            Sample.Of("s", [baseBuild.ReadyAfterSeconds]),
            "(b) our cold boot → HTTP 200",
            cold
        );
        section.Add(
            $"template build ({BaseMemoryMb} MB): saved in (pause, migrate to file, digest)",
            Sample.Of("s", [baseBuild.SavedMs / 1000.0]),
            "(b) our cold boot → HTTP 200",
            cold
        );
        section.Add(
            $"template size on disk ({BaseMemoryMb} MB), du of templates/<key>",
            Sample.Of("MiB", [baseBuild.AllocatedBytes / 1048576.0]),
            "guest RAM",
            Sample.Of("MiB", [BaseMemoryMb])
        );
        section.Note(
            $"Part 2: template {baseBuild.Key[..12]}…: ready after {baseBuild.ReadyAfterSeconds:0.0} s, saved in {baseBuild.SavedMs} ms; the building task's StartTask → HTTP 200 took {baseBuild.ToHttpSeconds:0.0} s; the template dir holds {baseBuild.AllocatedBytes / 1048576.0:0.0} MiB on disk, {baseBuild.ApparentBytes / 1048576.0:0.0} MiB apparent (the RAM file is sparse)."
        );

        await MemoryAsync(context, session, section);
        await SizesAsync(context, session, templates, section, clone, cloneEventMs);
    }

    /// <summary>Part 3: QEMU PSS per VM with N clones of one template running, against N cold boots running.</summary>
    private static async Task MemoryAsync(BenchContext context, PluginSession session, ReportSection section)
    {
        var count = context.Options.WarmMemoryVms;
        var clonePss = new Sample("MiB");
        var coldPss = new Sample("MiB");
        var ignored = new Sample("s");
        var ignoredMs = new Sample("ms");
        context.Log($"warm memory: {count} clones");
        await MeasureFleetAsync(() => CloneAsync(context, session, BaseMemoryMb, ignored, ignoredMs), count, clonePss);
        context.Log($"warm memory: {count} cold boots");
        await MeasureFleetAsync(() => ColdAsync(context, session, BaseMemoryMb, ignored), count, coldPss);
        section.Add(
            $"QEMU PSS per VM, {count} clones of one template running",
            clonePss,
            $"QEMU PSS per VM, {count} cold-booted VMs of the same task running",
            coldPss
        );
        section.Note(
            $"Part 3: started one after another, each waited for its HTTP 200, then /proc/<qemu_pid>/smaps_rollup Pss read for all {count} while all ran (clones total {clonePss.Values.Sum():0} MiB, cold total {coldPss.Values.Sum():0} MiB); {BaseMemoryMb} MB guests."
        );
    }

    private static async Task MeasureFleetAsync(Func<Task<DriverVm>> start, int count, Sample pss)
    {
        var fleet = new List<DriverVm>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                fleet.Add(await start());
            }
            await Task.Delay(TimeSpan.FromSeconds(2));
            foreach (var vm in fleet)
            {
                pss.Add(ProcFs.PssBytes(vm.QemuPid) / 1048576.0);
            }
        }
        finally
        {
            foreach (var vm in fleet)
            {
                await vm.DisposeAsync();
            }
        }
    }

    /// <summary>Part 4: restore time as guest RAM grows; one template built per size.</summary>
    private static async Task SizesAsync(
        BenchContext context,
        PluginSession session,
        string templates,
        ReportSection section,
        Sample baseToHttp,
        Sample baseEventMs
    )
    {
        var notes = new List<string>();
        foreach (var mb in context.Options.WarmSizesMb)
        {
            if (mb == BaseMemoryMb)
            {
                continue;
            }
            context.Log($"warm size {mb} MB: building");
            var build = await BuildAsync(context, session, templates, mb);
            var toHttp = new Sample("s");
            var eventMs = new Sample("ms");
            for (var round = 0; round < context.Options.WarmSizeRounds; round++)
            {
                await (await CloneAsync(context, session, mb, toHttp, eventMs)).DisposeAsync();
            }
            section.Add(
                $"clone of a {mb} MB guest: restore (\"Started from template … in N ms\")",
                eventMs,
                $"the same for {BaseMemoryMb} MB",
                baseEventMs
            );
            section.Add(
                $"clone of a {mb} MB guest: StartTask → HTTP 200",
                toHttp,
                $"the same for {BaseMemoryMb} MB",
                baseToHttp
            );
            notes.Add(
                $"{mb} MB: saved in {build.SavedMs} ms, ready after {build.ReadyAfterSeconds:0.0} s, {build.AllocatedBytes / 1048576.0:0.0} MiB on disk ({build.ApparentBytes / 1048576.0:0} MiB apparent)"
            );
        }
        if (notes.Count > 0)
        {
            section.Note($"Part 4 templates: {string.Join("; ", notes)}.");
        }
    }

    private sealed record Build(
        string Key,
        double ReadyAfterSeconds,
        long SavedMs,
        double ToHttpSeconds,
        long AllocatedBytes,
        long ApparentBytes
    );

    /// <summary>The first warm start of a task: boots cold, builds the template, serves; destroyed once it served.</summary>
    private static async Task<Build> BuildAsync(BenchContext context, PluginSession session, string templates, long mb)
    {
        var task = new VmTask($"tmpl{mb}");
        var watch = Stopwatch.StartNew();
        await using var vm = await DriverVm.StartAsync(session, task, WarmConfig(task), mb, context.Cancellation);
        var built = await session.WaitForEventAsync(
            task.TaskId,
            "Template ",
            context.BootTimeout,
            context.Cancellation
        );
        var match = BuiltPattern().Match(built.Message);
        if (!match.Success || built.Annotations["warm_start"] != "build")
        {
            throw new InvalidOperationException($"template for {mb} MB not built: {built.Message}");
        }
        await HttpProbe.WaitFor200Async(task.HostPort, context.BootTimeout, null, context.Cancellation);
        var toHttp = watch.Elapsed.TotalSeconds;
        var key = built.Annotations["template"];
        var (allocated, apparent) = await DiskUsage.OfAsync(Path.Combine(templates, key), context.Cancellation);
        return new Build(
            key,
            double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
            toHttp,
            allocated,
            apparent
        );
    }

    /// <summary>A later warm start: must restore (a fallback to a cold boot fails the item); adds its times.</summary>
    private static async Task<DriverVm> CloneAsync(
        BenchContext context,
        PluginSession session,
        long mb,
        Sample toHttp,
        Sample eventMs
    )
    {
        var task = new VmTask("clone");
        var config = WarmConfig(task);
        var watch = Stopwatch.StartNew();
        var vm = await DriverVm.StartAsync(session, task, config, mb, context.Cancellation);
        try
        {
            var restored = await WaitForWarmOutcomeAsync(context, session, task.TaskId);
            await HttpProbe.WaitFor200Async(task.HostPort, context.BootTimeout, null, context.Cancellation);
            toHttp.Add(watch.Elapsed.TotalSeconds);
            eventMs.Add(double.Parse(RestoredPattern().Match(restored).Groups[1].Value, CultureInfo.InvariantCulture));
            return vm;
        }
        catch
        {
            await vm.DisposeAsync();
            throw;
        }
    }

    /// <summary>The clone's "Started from template" message; any sign of a cold boot instead throws at once.</summary>
    private static async Task<string> WaitForWarmOutcomeAsync(
        BenchContext context,
        PluginSession session,
        string taskId
    )
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < context.BootTimeout)
        {
            foreach (var e in session.Events.Where(e => e.TaskId == taskId))
            {
                if (RestoredPattern().IsMatch(e.Message) && e.Annotations["warm_start"] == "clone")
                {
                    return e.Message;
                }
                if (e.Annotations.TryGetValue("warm_start", out var kind) && kind != "clone")
                {
                    throw new InvalidOperationException($"expected a clone, got warm_start={kind}: {e.Message}");
                }
            }
            await Task.Delay(20, context.Cancellation);
        }
        throw new TimeoutException($"no \"Started from template\" event for {taskId}");
    }

    private static async Task<DriverVm> ColdAsync(BenchContext context, PluginSession session, long mb, Sample toHttp)
    {
        var task = new VmTask("cold");
        var config = VmTask.DriverConfig([("guest_agent", true), .. task.DirectKernelBoot()]);
        var watch = Stopwatch.StartNew();
        var vm = await DriverVm.StartAsync(session, task, config, mb, context.Cancellation);
        try
        {
            await HttpProbe.WaitFor200Async(task.HostPort, context.BootTimeout, null, context.Cancellation);
            toHttp.Add(watch.Elapsed.TotalSeconds);
            return vm;
        }
        catch
        {
            await vm.DisposeAsync();
            throw;
        }
    }

    /// <summary>The E2E tests' warm task: ready once the guest agent answers, the test guest booted from its kernel.</summary>
    private static byte[] WarmConfig(VmTask task) =>
        VmTask.DriverConfig([
            ("guest_agent", true),
            (
                "warm_start",
                new Dictionary<string, object?>
                {
                    ["ready"] = new Dictionary<string, object?> { ["guest_agent"] = true },
                    ["timeout"] = "10m",
                }
            ),
            .. task.DirectKernelBoot(),
        ]);

    [GeneratedRegex(@"ready after ([0-9.]+) s, saved in ([0-9]+) ms")]
    private static partial Regex BuiltPattern();

    [GeneratedRegex(@"Started from template \S+ in ([0-9]+) ms")]
    private static partial Regex RestoredPattern();
}
