using System.Diagnostics;
using NomadQemu.Bench.Measure;
using NomadQemu.Bench.Report;
using NomadQemu.TestKit;

namespace NomadQemu.Bench.Items;

/// <summary>
/// Item 6: N fast-profile VMs started at once through one plugin, against the same N QEMU command lines started
/// at once by hand; memory and CPU of the supervision design per VM. The last round's VMs are handed to item 7.
/// </summary>
public sealed class DensityItem
{
    public const long MemoryMb = 128;

    /// <summary>All N boot in well under a minute here; a guest still silent after this has hung.</summary>
    private static readonly TimeSpan s_roundTimeout = TimeSpan.FromSeconds(120);

    private static string Tail(string console) => console.Length > 400 ? console[^400..] : console;

    private readonly BenchContext _context;
    private readonly int _vms;
    private readonly Sample _allOurs = new("s");
    private readonly Sample _allRaw = new("s");
    private readonly Sample _pluginBefore = new("MiB");
    private readonly Sample _pluginAfter = new("MiB");
    private readonly Sample _pluginRssPerVm = new("MiB");
    private readonly Sample _supervisorRss = new("MiB");
    private readonly Sample _supervisorPss = new("MiB");
    private readonly Sample _qemuRss = new("MiB");
    private readonly Sample _qemuPss = new("MiB");
    private readonly Sample _pluginCpuPerVm = new("CPU s");
    private readonly Sample _supervisorCpu = new("CPU s");
    private readonly Sample _qemuCpu = new("CPU s");
    private string[]? _template;
    private string _templateTaskDir = "";
    private int _templatePort;

    public DensityItem(BenchContext context)
    {
        _context = context;
        _vms = context.Options.DensityVms;
    }

    /// <summary>Runs the rounds; returns the last round's live VMs and their plugin session (the caller disposes them).</summary>
    public async Task<LiveFleet?> RunAsync(ReportSection section)
    {
        await CaptureTemplateAsync();
        LiveFleet? last = null;
        var rounds = _context.Options.DensityRounds;
        for (var round = 0; round < rounds; round++)
        {
            // Alternate which side goes first, but end on ours so item 7 gets a running fleet; only one side's
            // VMs ever run at a time.
            var final = round == rounds - 1;
            if (round % 2 == 0 && !final)
            {
                await DisposeAsync(await OursRoundAsync(round, section));
                await RawRoundAsync(round, section);
            }
            else
            {
                await RawRoundAsync(round, section);
                var fleet = await OursRoundAsync(round, section);
                if (final)
                {
                    last = fleet;
                }
                else
                {
                    await DisposeAsync(fleet);
                }
            }
        }
        if (_allOurs.Count == 0 || _allRaw.Count == 0)
        {
            throw new InvalidOperationException(
                $"no complete round on one side (ours {_allOurs.Count}, by hand {_allRaw.Count}); see the notes"
            );
        }

        section.Add(
            $"{_vms} VMs started at once → all answer HTTP",
            _allOurs,
            $"{_vms} × the same QEMU command line by hand (qemu-img + spawn)",
            _allRaw
        );
        section.Add(
            $"plugin RSS with {_vms} VMs running",
            _pluginAfter,
            "same plugin before the VMs (configured, idle)",
            _pluginBefore
        );
        section.Add("plugin RSS per VM (RSS / N)", _pluginRssPerVm, "QEMU RSS per VM", _qemuRss);
        section.Add("supervisor RSS per VM", _supervisorRss, "QEMU RSS per VM", _qemuRss);
        section.Add("supervisor PSS per VM (shared pages split)", _supervisorPss, "QEMU PSS per VM", _qemuPss);
        section.Add(
            "plugin CPU per VM over the whole start",
            _pluginCpuPerVm,
            "QEMU CPU per VM over the same start (guest boot)",
            _qemuCpu
        );
        section.Add(
            "supervisor CPU per VM over the whole start",
            _supervisorCpu,
            "QEMU CPU per VM over the same start (guest boot)",
            _qemuCpu
        );
        section.Note(
            $"{_vms} guests of {MemoryMb} MB, fast profile with direct kernel boot, TCG, on {Environment.ProcessorCount} shared cores; a fresh plugin per round; {rounds} round(s) of each side, alternating which goes first. Memory read 2 s after the last guest answered; per-VM figures have one value per VM and round."
        );
        section.Note(
            "RSS counts the pages of the shared executable in every supervisor; PSS divides them among the processes that map them (the supervisor is the plugin's own binary re-executed)."
        );
        return last;
    }

    private static async Task DisposeAsync(LiveFleet? fleet)
    {
        if (fleet is not null)
        {
            await fleet.DisposeAsync();
        }
    }

    /// <summary>The driver's fast-profile command line, captured from a started (not booted) VM: the by-hand side reuses it verbatim.</summary>
    private async Task CaptureTemplateAsync()
    {
        var (session, stateDir) = await _context.StartSessionAsync();
        await using var _ = session;
        using var __ = stateDir;
        var task = new VmTask("vm0");
        await using var vm = await DriverVm.StartAsync(
            session,
            task,
            DriverVm.FastConfig(task),
            MemoryMb,
            _context.Cancellation
        );
        _template = QemuArgv.Capture(vm.QemuPid, task.RunDir);
        _templateTaskDir = task.TaskDir;
        _templatePort = task.HostPort;
    }

    /// <summary>A guest that never answers (it happens under TCG on an overloaded host) voids its round, with its console in the notes.</summary>
    private static void NoteHungRound(ReportSection section, string side, int round, TimeoutException e) =>
        section.Note(
            $"round {round + 1}, {side}: a guest did not answer, round not counted: {e.Message[..Math.Min(e.Message.Length, 600)].ReplaceLineEndings(" / ")}"
        );

    private async Task<LiveFleet?> OursRoundAsync(int round, ReportSection section)
    {
        _context.Log($"density round {round + 1}: {_vms} VMs through the plugin");
        var (session, stateDir) = await _context.StartSessionAsync();
        var tasks = Enumerable.Range(0, _vms).Select(i => new VmTask($"vm{i}")).ToList();
        var started = new List<DriverVm>();
        LiveFleet? fleet = null;
        try
        {
            fleet = await BootFleetAsync(session, stateDir, tasks, started, round, section);
            return fleet;
        }
        finally
        {
            if (fleet is null)
            {
                // A hung round or any failure: the VMs and their plugin go now, not when the machine is needed
                // for the next measurement. The session's reaper also takes tasks whose StartTask never returned.
                await new LiveFleet(session, stateDir, [.. started]).DisposeAsync();
                foreach (var task in tasks)
                {
                    task.Dispose();
                }
            }
        }
    }

    private async Task<LiveFleet?> BootFleetAsync(
        PluginSession session,
        ShortTempDir stateDir,
        List<VmTask> tasks,
        List<DriverVm> started,
        int round,
        ReportSection section
    )
    {
        var pluginPid = session.Plugin.Pid;
        var configs = tasks.Select(DriverVm.FastConfig).ToList();
        await Task.Delay(1000, _context.Cancellation);
        _pluginBefore.Add(ProcFs.RssBytes(pluginPid) / 1048576.0);
        var cpuBefore = ProcFs.CpuSeconds(pluginPid);
        var watch = Stopwatch.StartNew();
        var booting = tasks
            .Select(
                async (task, i) =>
                {
                    var vm = await DriverVm.StartAsync(session, task, configs[i], MemoryMb, _context.Cancellation);
                    lock (started)
                    {
                        started.Add(vm);
                    }
                    await HttpProbe.WaitFor200Async(
                        task.HostPort,
                        s_roundTimeout,
                        () => Tail(task.Stdout.Text + task.Stderr.Text),
                        _context.Cancellation
                    );
                    return vm;
                }
            )
            .ToList();
        DriverVm[] vms;
        try
        {
            vms = await Task.WhenAll(booting);
        }
        catch (TimeoutException e)
        {
            NoteHungRound(section, "ours", round, e);
            return null;
        }
        _allOurs.Add(watch.Elapsed.TotalSeconds);
        var cpuAfter = ProcFs.CpuSeconds(pluginPid);
        _pluginCpuPerVm.Add((cpuAfter - cpuBefore) / _vms);
        foreach (var vm in vms)
        {
            _supervisorCpu.Add(ProcFs.CpuSeconds(vm.SupervisorPid));
            _qemuCpu.Add(ProcFs.CpuSeconds(vm.QemuPid));
        }
        await Task.Delay(2000, _context.Cancellation);
        var pluginRss = ProcFs.RssBytes(pluginPid) / 1048576.0;
        _pluginAfter.Add(pluginRss);
        foreach (var vm in vms)
        {
            _pluginRssPerVm.Add(pluginRss / _vms);
            _supervisorRss.Add(ProcFs.RssBytes(vm.SupervisorPid) / 1048576.0);
            _supervisorPss.Add(ProcFs.PssBytes(vm.SupervisorPid) / 1048576.0);
            _qemuRss.Add(ProcFs.RssBytes(vm.QemuPid) / 1048576.0);
            _qemuPss.Add(ProcFs.PssBytes(vm.QemuPid) / 1048576.0);
        }
        return new LiveFleet(session, stateDir, vms);
    }

    private async Task RawRoundAsync(int round, ReportSection section)
    {
        _context.Log($"density round {round + 1}: {_vms} VMs by hand");
        var tasks = Enumerable.Range(0, _vms).Select(i => new VmTask($"vm{i}")).ToList();
        var raws = new List<RawVm>();
        try
        {
            foreach (var task in tasks)
            {
                task.DirectKernelBoot();
                Directory.CreateDirectory(task.RunDir);
            }
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(
                tasks.Select(async task =>
                {
                    await TestImages.CreateOverlayAsync(task, _context.Cancellation);
                    var vm = RawVm.Start(
                        QemuArgv.Retarget(_template!, _templateTaskDir, task.TaskDir, _templatePort, task.HostPort),
                        task.TaskDir
                    );
                    lock (raws)
                    {
                        raws.Add(vm);
                    }
                    await HttpProbe.WaitFor200Async(
                        task.HostPort,
                        s_roundTimeout,
                        () => Tail(vm.Output),
                        _context.Cancellation
                    );
                })
            );
            _allRaw.Add(watch.Elapsed.TotalSeconds);
        }
        catch (TimeoutException e)
        {
            NoteHungRound(section, "by hand", round, e);
        }
        finally
        {
            foreach (var vm in raws)
            {
                await vm.DisposeAsync();
            }
            foreach (var task in tasks)
            {
                task.Dispose();
            }
        }
    }
}

/// <summary>Running VMs and the plugin that owns them.</summary>
public sealed class LiveFleet(PluginSession session, ShortTempDir stateDir, IReadOnlyList<DriverVm> vms)
    : IAsyncDisposable
{
    public PluginSession Session { get; } = session;
    public IReadOnlyList<DriverVm> Vms { get; } = vms;

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var vm in Vms)
            {
                await vm.DisposeAsync();
            }
        }
        finally
        {
            // Even after a failed destroy: disposing the session reaps whatever is still running.
            await Session.DisposeAsync();
            stateDir.Dispose();
        }
    }
}
