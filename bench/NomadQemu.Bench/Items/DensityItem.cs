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
    public async Task<LiveFleet> RunAsync(ReportSection section)
    {
        LiveFleet? last = null;
        var rounds = _context.Options.DensityRounds;
        for (var round = 0; round < rounds; round++)
        {
            // Alternate which side goes first, but always end on ours so item 7 gets a running fleet.
            var oursFirst = round % 2 == 0 && round != rounds - 1;
            if (!oursFirst && _template is not null)
            {
                await RawRoundAsync(round);
            }
            if (last is not null)
            {
                await last.DisposeAsync();
            }
            last = await OursRoundAsync(round);
            if (oursFirst || round == 0 && rounds == 1)
            {
                await RawRoundAsync(round);
            }
        }
        if (_allRaw.Count == 0)
        {
            await RawRoundAsync(rounds);
        }

        section.Add($"{_vms} VMs started at once → all answer HTTP", _allOurs, $"{_vms} × the same QEMU command line by hand (qemu-img + spawn)", _allRaw);
        section.Add($"plugin RSS with {_vms} VMs running", _pluginAfter, "same plugin before the VMs (configured, idle)", _pluginBefore);
        section.Add("plugin RSS per VM (RSS / N)", _pluginRssPerVm, "QEMU RSS per VM", _qemuRss);
        section.Add("supervisor RSS per VM", _supervisorRss, "QEMU RSS per VM", _qemuRss);
        section.Add("supervisor PSS per VM (shared pages split)", _supervisorPss, "QEMU PSS per VM", _qemuPss);
        section.Add("plugin CPU per VM over the whole start", _pluginCpuPerVm, "QEMU CPU per VM over the same start (guest boot)", _qemuCpu);
        section.Add("supervisor CPU per VM over the whole start", _supervisorCpu, "QEMU CPU per VM over the same start (guest boot)", _qemuCpu);
        section.Note($"{_vms} guests of {MemoryMb} MB, fast profile with direct kernel boot, TCG, on {Environment.ProcessorCount} shared cores; a fresh plugin per round; {rounds} round(s) of each side, alternating which goes first. Memory read 2 s after the last guest answered; per-VM figures have one value per VM and round.");
        section.Note("RSS counts the pages of the shared executable in every supervisor; PSS divides them among the processes that map them (the supervisor is the plugin's own binary re-executed).");
        return last!;
    }

    private async Task<LiveFleet> OursRoundAsync(int round)
    {
        _context.Log($"density round {round + 1}: {_vms} VMs through the plugin");
        var (session, stateDir) = await _context.StartSessionAsync();
        var pluginPid = session.Plugin.Pid;
        var tasks = Enumerable.Range(0, _vms).Select(i => new VmTask($"vm{i}")).ToList();
        var configs = tasks.Select(DriverVm.FastConfig).ToList();
        await Task.Delay(1000, _context.Cancellation);
        _pluginBefore.Add(ProcFs.RssBytes(pluginPid) / 1048576.0);
        var cpuBefore = ProcFs.CpuSeconds(pluginPid);
        var watch = Stopwatch.StartNew();
        var vms = await Task.WhenAll(tasks.Select(async (task, i) =>
        {
            var vm = await DriverVm.StartAsync(session, task, configs[i], MemoryMb, _context.Cancellation);
            await HttpProbe.WaitFor200Async(task.HostPort, _context.BootTimeout, () => task.Stdout.Text + task.Stderr.Text, _context.Cancellation);
            return vm;
        }));
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
        if (_template is null)
        {
            _template = QemuArgv.Capture(vms[0].QemuPid);
            _templateTaskDir = vms[0].Task.TaskDir;
            _templatePort = vms[0].Task.HostPort;
        }
        return new LiveFleet(session, stateDir, vms);
    }

    private async Task RawRoundAsync(int round)
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
            await Task.WhenAll(tasks.Select(async task =>
            {
                await Command.RunAsync("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", task.ImagePath, Path.Combine(task.RunDir, "overlay.qcow2")], _context.Cancellation);
                var vm = RawVm.Start(QemuArgv.Retarget(_template!, _templateTaskDir, task.TaskDir, _templatePort, task.HostPort), task.TaskDir);
                lock (raws)
                {
                    raws.Add(vm);
                }
                await HttpProbe.WaitFor200Async(task.HostPort, _context.BootTimeout, null, _context.Cancellation);
            }));
            _allRaw.Add(watch.Elapsed.TotalSeconds);
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
public sealed class LiveFleet(PluginSession session, ShortTempDir stateDir, IReadOnlyList<DriverVm> vms) : IAsyncDisposable
{
    public PluginSession Session { get; } = session;
    public IReadOnlyList<DriverVm> Vms { get; } = vms;

    public async ValueTask DisposeAsync()
    {
        foreach (var vm in Vms)
        {
            await vm.DisposeAsync();
        }
        await Session.DisposeAsync();
        stateDir.Dispose();
    }
}
