using Google.Protobuf;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.Chaos.Tests.Support;

/// <summary>
/// One simulated Nomad client node: a private state_dir (so the orphan ledger never mixes with other suites),
/// the current plugin instance, and every task a test created. Disposing it is the safety net: whatever a
/// failed test left running under its alloc dirs is SIGKILLed, so one failure cannot poison the next test.
/// </summary>
public sealed class ChaosNode : IAsyncDisposable
{
    private readonly ShortTempDir _stateDir = new();
    private readonly List<VmTask> _tasks = [];

    public string StateDir => _stateDir.Path;
    public string LedgerDir => Path.Combine(StateDir, "tasks");
    public byte[] PluginConfig => NomadMsgpack.PluginConfig(stateDir: StateDir);
    private PluginSession? _session;

    public PluginSession Session =>
        _session ?? throw new InvalidOperationException("no plugin is running on this node");
    public Driver.DriverClient Driver => Session.Driver;
    public IReadOnlyList<VmTask> Tasks => _tasks;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A new plugin instance as Nomad launches one: handshake, SetConfig, first Fingerprint (runs the orphan sweep).</summary>
    public async Task<PluginSession> StartPluginAsync(IDictionary<string, string>? environment = null)
    {
        _session = await PluginSession.StartAsync(PluginConfig, environment, cancellationToken: Ct);
        return _session;
    }

    /// <summary>SIGKILL, as a crashing agent or an OOM kill would; waits until the process is really gone.</summary>
    public async Task KillPluginAsync()
    {
        var plugin = Session.Plugin;
        plugin.Kill();
        Assert.True(await plugin.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the plugin did not die on SIGKILL");
        await Session.DisposeAsync();
        _session = null;
    }

    /// <summary>Forgets the current instance without touching its process (a test that ended it itself).</summary>
    public async Task DetachPluginAsync()
    {
        await Session.DisposeAsync();
        _session = null;
    }

    public VmTask NewTask(string name = "web")
    {
        var task = new VmTask(name);
        _tasks.Add(task);
        return task;
    }

    /// <summary>
    /// A small, fast VM: direct kernel boot, 128 MB. <c>no_timer_check</c>: under TCG on a loaded 2-core host the
    /// guest kernel's IO-APIC timer check can fail and panic the boot ("IO-APIC + timer doesn't work!").
    /// </summary>
    public static byte[] FastConfig(VmTask task, string extraKernelArgs = "") =>
        VmTask.DriverConfig([.. task.DirectKernelBoot(("no_timer_check " + extraKernelArgs).Trim())]);

    public async Task<StartTaskResponse> StartVmAsync(VmTask task, byte[]? config = null, long memoryMb = 128) =>
        await Driver.StartTaskAsync(
            new StartTaskRequest { Task = task.TaskConfig(config ?? FastConfig(task), memoryMb) },
            cancellationToken: Ct
        );

    /// <summary>The handle exactly as Nomad persists and returns it on RecoverTask: the driver config is EMPTY.</summary>
    public static TaskHandle AsNomadStoresIt(TaskHandle handle)
    {
        var stored = handle.Clone();
        stored.Config.MsgpackDriverConfig = ByteString.Empty;
        return stored;
    }

    public async Task RecoverAsync(TaskHandle handle) =>
        await Driver.RecoverTaskAsync(
            new RecoverTaskRequest { Handle = AsNomadStoresIt(handle) },
            cancellationToken: Ct
        );

    public async Task<int> QemuPidAsync(string taskId)
    {
        var inspect = await Driver.InspectTaskAsync(new InspectTaskRequest { TaskId = taskId }, cancellationToken: Ct);
        return int.Parse(inspect.Driver.Attributes["qemu_pid"], System.Globalization.CultureInfo.InvariantCulture);
    }

    public string[] LedgerEntries() => Directory.Exists(LedgerDir) ? Directory.GetFiles(LedgerDir) : [];

    /// <summary>What must hold once a task is destroyed: no process under its alloc dir, no run dir.</summary>
    public static async Task AssertNothingLeftAsync(VmTask task)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (HostProcesses.Mentioning(task.AllocDir).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        var left = HostProcesses.Mentioning(task.AllocDir);
        Assert.True(
            left.Count == 0,
            $"processes survive for {task.TaskId}: {string.Join("; ", left.Select(p => $"{p.Pid} {p.CommandLine}"))}"
        );
        Assert.False(
            Directory.Exists(task.RunDir),
            $"run dir {task.RunDir} survives: {string.Join(", ", SafeList(task.RunDir))}"
        );
    }

    private static string[] SafeList(string dir) => Directory.Exists(dir) ? Directory.GetFileSystemEntries(dir) : [];

    /// <summary>Waits for the supervisor's exit record: how a test knows the VM has ended while no plugin ran.</summary>
    public static async Task WaitForExitRecordAsync(VmTask task, TimeSpan timeout)
    {
        var exitFile = Path.Combine(task.RunDir, "exit.json");
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(exitFile))
        {
            Assert.True(
                DateTime.UtcNow < deadline,
                $"no exit record in {task.RunDir} within {timeout.TotalSeconds} s; console:\n{task.Stdout.Text}"
            );
            await Task.Delay(50, Ct);
        }
    }

    public static int LastTick(string console)
    {
        var last = -1;
        foreach (var line in console.Split('\n'))
        {
            var at = line.IndexOf("TEST-GUEST-TICK ", StringComparison.Ordinal);
            if (at >= 0 && int.TryParse(line[(at + 16)..].Trim(), out var n))
            {
                last = Math.Max(last, n);
            }
        }
        return last;
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }
        foreach (var task in _tasks)
        {
            HostProcesses.KillMentioning(task.AllocDir);
            task.Dispose();
        }
        _stateDir.Dispose();
    }
}
