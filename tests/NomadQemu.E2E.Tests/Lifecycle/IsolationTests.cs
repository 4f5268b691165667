using System.Diagnostics;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Lifecycle;

/// <summary>
/// What Nomad's client prepares around a task — a cgroup, a group network namespace — is honoured by the VM,
/// and the guest's own actions show up as task events.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class IsolationTests : IAsyncLifetime
{
    private PluginSession _session = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan s_boot = TestEnvironment.Scaled(60);

    public async ValueTask InitializeAsync() => _session = await PluginSession.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _session.DisposeAsync();

    private static async Task<string> Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        var error = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} failed: {error}");
        return output;
    }

    [Fact(Timeout = 240_000)]
    public async Task GroupNetwork_QemuRunsInTheAllocNamespace_PortReachableOnlyThere()
    {
        var netns = "nq" + Guid.NewGuid().ToString("N")[..8];
        await Run("ip", "netns", "add", netns);
        try
        {
            await Run("ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up");
            using var task = new VmTask();
            var config = task.TaskConfig(VmTask.DriverConfig());
            config.NetworkIsolationSpec = new NetworkIsolationSpec
            {
                Mode = NetworkIsolationSpec.Types.NetworkIsolationMode.Group,
                Path = $"/var/run/netns/{netns}",
            };

            await _session.Driver.StartTaskAsync(new StartTaskRequest { Task = config }, cancellationToken: Ct);

            var deadline = DateTime.UtcNow + s_boot;
            var page = "";
            while (DateTime.UtcNow < deadline && !page.Contains("nomad-qemu test guest", StringComparison.Ordinal))
            {
                var curl = new ProcessStartInfo(
                    "ip",
                    ["netns", "exec", netns, "curl", "-s", "-m", "2", $"http://127.0.0.1:{task.HostPort}/"]
                )
                {
                    RedirectStandardOutput = true,
                };
                using var p = Process.Start(curl)!;
                page = await p.StandardOutput.ReadToEndAsync(Ct);
                await p.WaitForExitAsync(Ct);
                await Task.Delay(300, Ct);
            }
            Assert.Contains("nomad-qemu test guest", page);
            // The host namespace has no such listener: the forward lives inside the allocation's namespace.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            await Assert.ThrowsAnyAsync<Exception>(() => http.GetStringAsync(task.Url, Ct));

            await _session.Driver.StopTaskAsync(
                new StopTaskRequest { TaskId = task.TaskId, Timeout = VmTask.Seconds(30) },
                cancellationToken: Ct
            );
            await _session.Driver.DestroyTaskAsync(
                new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
                cancellationToken: Ct
            );
        }
        finally
        {
            await Run("ip", "netns", "delete", netns);
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task NomadCgroup_QemuIsPlacedInIt()
    {
        var root = Directory.Exists("/sys/fs/cgroup/cpuset") ? "/sys/fs/cgroup/cpuset" : "/sys/fs/cgroup";
        var cgroup = Path.Combine(root, "nq-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(cgroup);
        try
        {
            if (File.Exists(Path.Combine(cgroup, "cpuset.cpus")))
            {
                await File.WriteAllTextAsync(Path.Combine(cgroup, "cpuset.cpus"), "0", Ct);
                await File.WriteAllTextAsync(Path.Combine(cgroup, "cpuset.mems"), "0", Ct);
            }
            using var task = new VmTask();
            var config = task.TaskConfig(VmTask.DriverConfig());
            config.Resources.LinuxResources = new LinuxResources { CpusetCgroup = cgroup, CpusetCpus = "0" };

            await _session.Driver.StartTaskAsync(new StartTaskRequest { Task = config }, cancellationToken: Ct);
            var inspect = await _session.Driver.InspectTaskAsync(
                new InspectTaskRequest { TaskId = task.TaskId },
                cancellationToken: Ct
            );
            var pid = inspect.Driver.Attributes["qemu_pid"];

            var members = (await File.ReadAllTextAsync(Path.Combine(cgroup, "cgroup.procs"), Ct)).Split(
                '\n',
                StringSplitOptions.RemoveEmptyEntries
            );
            Assert.Contains(pid, members);

            await _session.Driver.StopTaskAsync(
                new StopTaskRequest { TaskId = task.TaskId, Timeout = VmTask.Seconds(0) },
                cancellationToken: Ct
            );
            await _session.Driver.DestroyTaskAsync(
                new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
                cancellationToken: Ct
            );
        }
        finally
        {
            for (var i = 0; i < 50 && Directory.Exists(cgroup); i++)
            {
                try
                {
                    Directory.Delete(cgroup);
                }
                catch (IOException)
                {
                    await Task.Delay(100, Ct);
                }
            }
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task SigtermSignal_GuestPowersItselfOff_ExitZeroAndEvent()
    {
        using var task = new VmTask();
        await _session.Driver.StartTaskAsync(
            new StartTaskRequest { Task = task.TaskConfig(VmTask.DriverConfig()) },
            cancellationToken: Ct
        );
        await task.WaitForPageAsync("/", s_boot, Ct);
        // httpd answers a moment before the guest arms its power button; a single press before that is
        // dropped (as by a real OS still booting). The first tick comes after both.
        await task.Stdout.WaitForAsync("TEST-GUEST-TICK 1", s_boot, Ct);

        await _session.Driver.SignalTaskAsync(
            new SignalTaskRequest { TaskId = task.TaskId, Signal = "SIGTERM" },
            cancellationToken: Ct
        );
        var result = await _session.Driver.WaitTaskAsync(
            new WaitTaskRequest { TaskId = task.TaskId },
            cancellationToken: Ct
        );

        Assert.Equal(0, result.Result.ExitCode);
        Assert.Equal(0, result.Result.Signal);
        await _session.WaitForEventAsync(task.TaskId, "Guest powered itself off", TimeSpan.FromSeconds(5), Ct);
        await task.Stdout.WaitForAsync("TEST-GUEST-POWERDOWN", TimeSpan.FromSeconds(5), Ct);
        await _session.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
            cancellationToken: Ct
        );
    }
}
