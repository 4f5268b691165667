using System.Diagnostics;
using System.Text.RegularExpressions;
using NomadQemu.CloudInit.Identity;
using NomadQemu.CloudInit.Network;
using NomadQemu.E2E.Tests.Lifecycle;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.CloudInit;

/// <summary>
/// Real cloud-init (Debian bookworm's) reading the seed the driver writes, through the published plugin over gRPC,
/// with the default disk mode (an overlay). One test shares the boots (each 1.5–3 min under TCG on a busy 2-core
/// machine, see BENCHMARKS.md): the first boot of an allocation runs user-data, sets the hostname and applies the
/// job's network-config; a restart of the task in the same allocation is not a first boot; a new allocation is.
/// </summary>
[Collection(VmCollection.Name)]
public sealed partial class RealCloudInitTests : IAsyncLifetime
{
    private const string Marker = "NQ-RUNCMD";
    private const string RunLog = "/var/lib/nq-runcmd.log";

    // A Debian boot to cloud-init's final stage took 100-230 s under TCG while other suites ran (BENCHMARKS.md);
    // the bound only has to catch a boot that never ends.
    private static readonly TimeSpan s_boot = TestEnvironment.Scaled(420);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly List<string> _started = [];
    private PluginSession _session = null!;

    public async ValueTask InitializeAsync() =>
        _session = await PluginSession.StartAsync(DebianGuest.PluginConfig(), cancellationToken: Ct);

    /// <summary>VMs outlive the plugin by design: a failed test force-destroys what it started.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var taskId in _started)
        {
            try
            {
                await _session.Driver.DestroyTaskAsync(
                    new DestroyTaskRequest { TaskId = taskId, Force = true },
                    cancellationToken: CancellationToken.None
                );
            }
            catch (Grpc.Core.RpcException)
            {
                // Already destroyed by the test.
            }
        }
        await _session.DisposeAsync();
    }

    /// <summary>runcmd runs once per instance: it writes the instance-id and hostname it saw to a file and the console.</summary>
    private const string UserData = $$"""
        #cloud-config
        runcmd:
          - [sh, -c, 'echo "{{Marker}} instance=$(cat /var/lib/cloud/data/instance-id) host=$(hostname)" | tee -a {{RunLog}} > /dev/console']
        """;

    /// <summary>The NIC matched by the MAC the driver gives the task, renamed, a smaller MTU, a static address next
    /// to DHCP (QEMU's user network answers DHCP with 10.0.2.15).</summary>
    private static string NetworkConfig(VmTask task) =>
        $$"""
            version: 2
            ethernets:
              lan0:
                match:
                  macaddress: "{{MacAddress.ForTask(task.AllocId, task.TaskName)}}"
                set-name: lan0
                mtu: 1400
                dhcp4: true
                addresses: [10.99.0.7/24]
            """;

    private static Dictionary<string, object?> CloudInit(VmTask task) =>
        new()
        {
            ["user_data"] = UserData,
            ["user_data_file"] = null,
            ["meta_data"] = null,
            ["vendor_data"] = null,
            ["vendor_data_file"] = null,
            ["network_config"] = NetworkConfig(task),
            ["network_config_file"] = null,
        };

    [Fact(Timeout = 1_800_000)]
    public async Task FirstBootRunsUserData_RestartIsNotAFirstBoot_NewAllocationIs()
    {
        using var task = new VmTask("web", copyImage: false);
        var instanceId = SeedIdentity.InstanceId(task.AllocId, task.TaskName);
        var hostname = SeedIdentity.Hostname(task.AllocId, task.TaskName);
        var mac = MacAddress.ForTask(task.AllocId, task.TaskName).ToString();

        // First boot of the allocation.
        var watch = Stopwatch.StartNew();
        await StartAsync(task, task.TaskId);
        await task.Stdout.WaitForAsync($"{Marker} instance=", s_boot, Ct);
        var toRuncmd = watch.Elapsed;
        await _session.WaitForEventAsync(task.TaskId, "Guest agent up after", s_boot, Ct);
        Assert.Equal("status: done", await CloudInitStatusAsync(task.TaskId));
        var toDone = watch.Elapsed;

        Assert.Equal(
            [$"{Marker} instance={instanceId} host={hostname}"],
            RunLines(await CatAsync(task.TaskId, RunLog))
        );
        Assert.Equal(hostname, (await ExecAsync(task.TaskId, "hostname")).Trim());
        var link = await ExecAsync(task.TaskId, "ip", "-o", "link", "show", "dev", "lan0");
        Assert.Contains("mtu 1400", link, StringComparison.Ordinal);
        Assert.Contains($"link/ether {mac}", link, StringComparison.Ordinal);
        var addresses = await ExecAsync(task.TaskId, "ip", "-o", "-4", "addr", "show", "dev", "lan0");
        Assert.Contains("inet 10.99.0.7/24", addresses, StringComparison.Ordinal);
        Assert.Contains("inet 10.0.2.15/24", addresses, StringComparison.Ordinal);
        // cloud-init validates the cloud-config it was given (user-data, vendor-data, the image's own files).
        var log = await CatAsync(task.TaskId, "/var/log/cloud-init.log");
        Assert.DoesNotContain("Invalid cloud-config", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Traceback", log, StringComparison.Ordinal);
        await StopAsync(task.TaskId);

        // A restart in the same allocation (same task dir, new task id, as Nomad restarts a failed task), and at
        // the same time a new allocation of the same job.
        using var next = new VmTask("web", copyImage: false);
        var restartId = task.TaskId + "-restart";
        watch.Restart();
        await StartAsync(task, restartId);
        await StartAsync(next, next.TaskId);
        await _session.WaitForEventAsync(restartId, "Guest agent up after", s_boot, Ct);
        Assert.Equal("status: done", await CloudInitStatusAsync(restartId));
        var restartToDone = watch.Elapsed;

        // The overlay kept the first boot's writes, and cloud-init saw the same instance: runcmd did not run again.
        Assert.DoesNotContain(
            _session.Events,
            e => e.TaskId == restartId && e.Message.Contains("not reused", StringComparison.Ordinal)
        );
        Assert.Equal([$"{Marker} instance={instanceId} host={hostname}"], RunLines(await CatAsync(restartId, RunLog)));
        Assert.Equal(instanceId, (await CatAsync(restartId, "/var/lib/cloud/data/instance-id")).Trim());
        Assert.Equal(hostname, (await ExecAsync(restartId, "hostname")).Trim());
        Assert.Contains("mtu 1400", await ExecAsync(restartId, "ip", "-o", "link", "show", "dev", "lan0"));
        Assert.Single(MarkerLines().Matches(task.Stdout.Text));

        // The new allocation is a first boot, with its own instance-id and hostname (waiting for the whole line:
        // the console may deliver it in pieces).
        var nextInstance = SeedIdentity.InstanceId(next.AllocId, next.TaskName);
        Assert.NotEqual(instanceId, nextInstance);
        var nextLine = $"{Marker} instance={nextInstance} host={SeedIdentity.Hostname(next.AllocId, next.TaskName)}";
        await next.Stdout.WaitForAsync(nextLine, s_boot, Ct);
        Assert.Equal([nextLine], MarkerLines().Matches(next.Stdout.Text).Select(m => m.Value));

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Debian guest, real cloud-init: first boot StartTask→runcmd {toRuncmd.TotalSeconds:F1} s, "
                + $"→status done {toDone.TotalSeconds:F1} s; restart StartTask→status done {restartToDone.TotalSeconds:F1} s "
                + "(a second VM booting alongside)"
        );
        await Task.WhenAll(StopAsync(restartId), StopAsync(next.TaskId));
    }

    private async Task StartAsync(VmTask task, string taskId)
    {
        var request = task.TaskConfig(DebianGuest.DriverConfig(CloudInit(task)), memoryMb: 768);
        request.Id = taskId;
        _started.Add(taskId);
        await _session.Driver.StartTaskAsync(new StartTaskRequest { Task = request }, cancellationToken: Ct);
    }

    /// <summary>Flushes the guest's file systems (the next boot reads the overlay), stops and destroys the task.</summary>
    private async Task StopAsync(string taskId)
    {
        await ExecAsync(taskId, "sync");
        await _session.Driver.StopTaskAsync(
            new StopTaskRequest { TaskId = taskId, Timeout = VmTask.Seconds(60) },
            cancellationToken: Ct
        );
        await _session.Driver.WaitTaskAsync(new WaitTaskRequest { TaskId = taskId }, cancellationToken: Ct);
        await _session.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = taskId, Force = true },
            cancellationToken: Ct
        );
    }

    /// <summary>Waits for cloud-init to finish; its status line, with the details when it is not "done".</summary>
    private async Task<string> CloudInitStatusAsync(string taskId)
    {
        var response = await _session.Driver.ExecTaskAsync(
            new ExecTaskRequest
            {
                TaskId = taskId,
                Command = { "cloud-init", "status", "--wait", "--long" },
                Timeout = VmTask.Seconds(TestEnvironment.Scaled(120).TotalSeconds),
            },
            cancellationToken: Ct
        );
        var output = response.Stdout.ToStringUtf8() + response.Stderr.ToStringUtf8();
        var status = output.Split('\n').FirstOrDefault(l => l.StartsWith("status:", StringComparison.Ordinal));
        return status == "status: done" ? status : output;
    }

    private async Task<string> CatAsync(string taskId, string path) => await ExecAsync(taskId, "cat", path);

    /// <summary>Runs a command in the guest through qemu-ga (ExecTask, as a script check would); it must succeed.</summary>
    private async Task<string> ExecAsync(string taskId, params string[] command)
    {
        var response = await _session.Driver.ExecTaskAsync(
            new ExecTaskRequest
            {
                TaskId = taskId,
                Command = { command },
                Timeout = VmTask.Seconds(TestEnvironment.Scaled(120).TotalSeconds),
            },
            cancellationToken: Ct
        );
        var stdout = response.Stdout.ToStringUtf8();
        Assert.True(
            response.Result.ExitCode == 0,
            $"{string.Join(' ', command)} exited {response.Result.ExitCode}: {stdout}{response.Stderr.ToStringUtf8()}"
        );
        return stdout;
    }

    private static string[] RunLines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex(@"NQ-RUNCMD instance=\S+ host=\S+")]
    private static partial Regex MarkerLines();
}
