using System.Globalization;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Lifecycle;

/// <summary>
/// nomad#27392 reproduced: a guest that fills its RAM. With the driver's limit (guest RAM plus QEMU's overhead) it
/// survives; with the built-in driver's rule (limit = guest RAM, set here on QEMU's cgroup by hand) QEMU is
/// OOM-killed and Nomad is told so.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class MemoryLimitTests : IAsyncLifetime
{
    private const long GuestMb = 256;

    // tmpfs pages cannot be reclaimed or swapped by the guest: every one of them stays resident in QEMU.
    private const string FillGuestRam =
        "mkdir -p /fill && mount -t tmpfs -o size=85% tmpfs /fill && dd if=/dev/zero of=/fill/x bs=1M 2>/dev/null; echo filled $(du -m /fill/x)";

    private PluginSession _session = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan s_boot = TestEnvironment.Scaled(90);

    public async ValueTask InitializeAsync() => _session = await PluginSession.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _session.DisposeAsync();

    /// <summary>The cgroup Nomad's client would hand the task (<c>cpuset_cgroup</c>), v1 or v2 as the host has.</summary>
    private static string MakeTaskCgroup()
    {
        var v2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        var cgroup = Path.Combine(
            v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/cpuset",
            "nq-" + Guid.NewGuid().ToString("N")[..8]
        );
        Directory.CreateDirectory(cgroup);
        if (File.Exists(Path.Combine(cgroup, "cpuset.cpus")) && !v2)
        {
            File.WriteAllText(
                Path.Combine(cgroup, "cpuset.cpus"),
                File.ReadAllText("/sys/fs/cgroup/cpuset/cpuset.cpus")
            );
            File.WriteAllText(
                Path.Combine(cgroup, "cpuset.mems"),
                File.ReadAllText("/sys/fs/cgroup/cpuset/cpuset.mems")
            );
        }
        return cgroup;
    }

    private static async Task RemoveCgroupAsync(string cgroup)
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

    /// <summary>The memory cgroup a process is in, read from /proc (the outcome, not what the driver says).</summary>
    private static string MemoryCgroupOf(string pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts[1].Split(',').Contains("memory"))
            {
                return "/sys/fs/cgroup/memory" + parts[2];
            }
            if (parts[0] == "0" && File.Exists("/sys/fs/cgroup/cgroup.controllers"))
            {
                return "/sys/fs/cgroup" + parts[2];
            }
        }
        throw new InvalidOperationException($"pid {pid} is in no memory cgroup");
    }

    private static string LimitFile(string memoryCgroup) =>
        File.Exists(Path.Combine(memoryCgroup, "memory.max"))
            ? Path.Combine(memoryCgroup, "memory.max")
            : Path.Combine(memoryCgroup, "memory.limit_in_bytes");

    private static long PeakMb(string memoryCgroup)
    {
        var file = File.Exists(Path.Combine(memoryCgroup, "memory.peak"))
            ? Path.Combine(memoryCgroup, "memory.peak")
            : Path.Combine(memoryCgroup, "memory.max_usage_in_bytes");
        return File.Exists(file) ? long.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture) >> 20 : -1;
    }

    private async Task<(VmTask Task, string Cgroup, string QemuPid)> StartAsync()
    {
        var task = new VmTask();
        var cgroup = MakeTaskCgroup();
        var config = task.TaskConfig(
            VmTask.DriverConfig([("guest_agent", true), ("profile", "fast"), .. task.DirectKernelBoot()]),
            memoryMb: GuestMb
        );
        config.Resources.LinuxResources = new LinuxResources { CpusetCgroup = cgroup };
        await _session.Driver.StartTaskAsync(new StartTaskRequest { Task = config }, cancellationToken: Ct);
        var inspect = await _session.Driver.InspectTaskAsync(
            new InspectTaskRequest { TaskId = task.TaskId },
            cancellationToken: Ct
        );
        return (task, cgroup, inspect.Driver.Attributes["qemu_pid"]);
    }

    private async Task<ExecTaskResponse> FillAsync(string taskId) =>
        await _session.Driver.ExecTaskAsync(
            new ExecTaskRequest
            {
                TaskId = taskId,
                Command = { "sh", "-c", FillGuestRam },
                Timeout = VmTask.Seconds(TestEnvironment.Scaled(120).TotalSeconds),
            },
            cancellationToken: Ct
        );

    private async Task DestroyAsync(string taskId) =>
        await _session.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = taskId, Force = true },
            cancellationToken: Ct
        );

    [Fact(Timeout = 400_000)]
    public async Task GuestFillsItsRam_LimitHoldsQemuOverheadToo_VmSurvives()
    {
        var (task, cgroup, pid) = await StartAsync();
        try
        {
            var memoryCgroup = MemoryCgroupOf(pid);
            var limitMb =
                long.Parse(File.ReadAllText(LimitFile(memoryCgroup)).Trim(), CultureInfo.InvariantCulture) >> 20;
            var started = await _session.WaitForEventAsync(
                task.TaskId,
                "task memory limit",
                TimeSpan.FromSeconds(5),
                Ct
            );
            Assert.Equal(limitMb.ToString(CultureInfo.InvariantCulture), started.Annotations["memory_limit_mb"]);
            Assert.Equal("256", started.Annotations["guest_memory_mb"]);
            Assert.True(
                limitMb > GuestMb + 100,
                $"limit {limitMb} MiB leaves QEMU no room above the guest's {GuestMb}"
            );
            await _session.WaitForEventAsync(task.TaskId, "Guest agent up after", s_boot, Ct);

            var fill = await FillAsync(task.TaskId);

            Assert.Equal(0, fill.Result.ExitCode);
            var filled = System.Text.Encoding.UTF8.GetString(fill.Stdout.ToByteArray());
            var filledMb = int.Parse(filled.Split(' ')[1], CultureInfo.InvariantCulture);
            Assert.True(filledMb >= GuestMb * 3 / 4, $"the guest filled only {filledMb} MiB: {filled}");
            var inspect = await _session.Driver.InspectTaskAsync(
                new InspectTaskRequest { TaskId = task.TaskId },
                cancellationToken: Ct
            );
            Assert.Equal(TaskState.Running, inspect.Task.State);
            var peak = PeakMb(memoryCgroup);
            Assert.True(
                peak > GuestMb * 3 / 4,
                $"QEMU's cgroup peaked at {peak} MiB: the guest's RAM was not resident"
            );
            TestContext.Current.SendDiagnosticMessage(
                $"guest {GuestMb} MiB filled {filledMb} MiB; cgroup peak {peak} MiB under limit {limitMb} MiB"
            );
        }
        finally
        {
            await DestroyAsync(task.TaskId);
            task.Dispose();
            await RemoveCgroupAsync(cgroup);
        }
    }

    [Fact(Timeout = 400_000)]
    public async Task GuestFillsItsRam_WithTheBuiltInRuleLimitEqualsGuestRam_QemuIsOomKilled()
    {
        var (task, cgroup, pid) = await StartAsync();
        try
        {
            // The built-in driver's rule: the task's limit is resources.memory, the guest's own RAM.
            var memoryCgroup = MemoryCgroupOf(pid);
            await File.WriteAllTextAsync(
                LimitFile(memoryCgroup),
                (GuestMb << 20).ToString(CultureInfo.InvariantCulture),
                Ct
            );
            await _session.WaitForEventAsync(task.TaskId, "Guest agent up after", s_boot, Ct);
            var wait = _session.Driver.WaitTaskAsync(
                new WaitTaskRequest { TaskId = task.TaskId },
                cancellationToken: Ct
            );

            try
            {
                await FillAsync(task.TaskId);
            }
            catch (Grpc.Core.RpcException)
            {
                // The agent's channel dies with QEMU; the exit result below is the outcome.
            }
            var result = await wait.ResponseAsync.WaitAsync(TestEnvironment.Scaled(120), Ct);

            Assert.True(
                result.Result.OomKilled,
                $"exit {result.Result.ExitCode} signal {result.Result.Signal}, not OOM"
            );
            Assert.Equal(9, result.Result.Signal);
        }
        finally
        {
            await DestroyAsync(task.TaskId);
            task.Dispose();
            await RemoveCgroupAsync(cgroup);
        }
    }
}
