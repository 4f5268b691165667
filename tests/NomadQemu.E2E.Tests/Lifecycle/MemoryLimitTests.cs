using System.Globalization;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Lifecycle;

/// <summary>
/// nomad#27392 reproduced: a guest that fills its RAM (at boot, from its initramfs). With the driver's limit (guest RAM plus QEMU's overhead) it
/// survives; with the built-in driver's rule (limit = guest RAM, set here on QEMU's cgroup by hand) QEMU is
/// OOM-killed and Nomad is told so.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class MemoryLimitTests : IAsyncLifetime
{
    private const long GuestMb = 256;

    /// <summary>
    /// What the guest fills: an uncompressed cpio archive holding one file of this size, appended to the test
    /// guest's initramfs. The kernel copies the initrd into guest RAM and unpacks the file into its RAM-only root
    /// filesystem, so every page of both stays resident in QEMU (the prebuilt guest has no other way to be told to
    /// use memory: its init reads no such switch and it has no guest agent).
    /// </summary>
    private const int FillMb = 80;

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
        WriteFillingInitrd(task);
        var cgroup = MakeTaskCgroup();
        var config = task.TaskConfig(
            VmTask.DriverConfig([.. task.DirectKernelBoot(), ("initrd", "local/initrd-fill.gz")]),
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

    /// <summary>The test guest's initrd followed by a newc cpio archive with one zero-filled file of <see cref="FillMb"/> MiB.</summary>
    private static void WriteFillingInitrd(VmTask task)
    {
        task.DirectKernelBoot();
        using var output = File.Create(Path.Combine(task.TaskDir, "local", "initrd-fill.gz"));
        using (var initrd = File.OpenRead(Path.Combine(task.TaskDir, "local", "initrd.gz")))
        {
            initrd.CopyTo(output);
        }
        Pad(output);
        WriteCpioEntry(output, "fill", 0x81A4, FillMb << 20);
        output.Write(new byte[FillMb << 20]);
        Pad(output);
        WriteCpioEntry(output, "TRAILER!!!", 0, 0);
        Pad(output);
    }

    private static void WriteCpioEntry(Stream output, string name, int mode, int size)
    {
        var fields = new[] { 1, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, name.Length + 1, 0 };
        var header = "070701" + string.Concat(fields.Select(f => f.ToString("X8", CultureInfo.InvariantCulture)));
        output.Write(System.Text.Encoding.ASCII.GetBytes(header + name + "\0"));
        Pad(output);
    }

    private static void Pad(Stream output)
    {
        while (output.Position % 4 != 0)
        {
            output.WriteByte(0);
        }
    }

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
            await task.WaitForPageAsync("/", s_boot, Ct);
            await task.Stdout.WaitForAsync("TEST-GUEST-READY", s_boot, Ct);

            var inspect = await _session.Driver.InspectTaskAsync(
                new InspectTaskRequest { TaskId = task.TaskId },
                cancellationToken: Ct
            );
            Assert.Equal(TaskState.Running, inspect.Task.State);
            var peak = PeakMb(memoryCgroup);
            // Above the guest's RAM: the built-in rule's limit would have been crossed (the other test shows the kill).
            Assert.True(peak > GuestMb, $"QEMU's cgroup peaked at {peak} MiB, not above the guest's {GuestMb} MiB");
            Assert.True(peak <= limitMb, $"peak {peak} MiB above the limit {limitMb} MiB");
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"guest {GuestMb} MiB, initramfs fill {FillMb} MiB; cgroup peak {peak} MiB under limit {limitMb} MiB"
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
            var wait = _session.Driver.WaitTaskAsync(
                new WaitTaskRequest { TaskId = task.TaskId },
                cancellationToken: Ct
            );

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

    [Fact(Timeout = 300_000)]
    public async Task SupervisorKilled_DestroyTask_RemovesTheMemoryCgroupTheDriverMade()
    {
        var task = new VmTask();
        var cgroup = MakeTaskCgroup();
        var config = task.TaskConfig(VmTask.DriverConfig([.. task.DirectKernelBoot()]), memoryMb: GuestMb);
        config.Resources.LinuxResources = new LinuxResources { CpusetCgroup = cgroup };
        string? memoryCgroup = null;
        try
        {
            await _session.Driver.StartTaskAsync(new StartTaskRequest { Task = config }, cancellationToken: Ct);
            var inspect = await _session.Driver.InspectTaskAsync(
                new InspectTaskRequest { TaskId = task.TaskId },
                cancellationToken: Ct
            );
            var qemu = inspect.Driver.Attributes["qemu_pid"];
            var supervisor = int.Parse(inspect.Driver.Attributes["supervisor_pid"], CultureInfo.InvariantCulture);
            memoryCgroup = MemoryCgroupOf(qemu);
            var wait = _session.Driver.WaitTaskAsync(
                new WaitTaskRequest { TaskId = task.TaskId },
                cancellationToken: Ct
            );

            // SIGKILL: the supervisor never reaches its own removal of the cgroup; the jailed QEMU dies with it.
            System.Diagnostics.Process.GetProcessById(supervisor).Kill();
            await wait.ResponseAsync.WaitAsync(TestEnvironment.Scaled(60), Ct);
            Assert.True(Directory.Exists(memoryCgroup), $"{memoryCgroup} went before DestroyTask");
            await DestroyAsync(task.TaskId);

            if (File.Exists("/sys/fs/cgroup/cgroup.controllers"))
            {
                // v2: the memory cgroup is the task's own, made by Nomad (here the test): never the driver's to remove.
                Assert.Equal(cgroup, memoryCgroup.TrimEnd('/'));
                Assert.True(Directory.Exists(memoryCgroup));
            }
            else
            {
                Assert.StartsWith("nomad-qemu-", Path.GetFileName(memoryCgroup.TrimEnd('/')), StringComparison.Ordinal);
                Assert.False(Directory.Exists(memoryCgroup), $"DestroyTask left the driver's {memoryCgroup}");
            }
        }
        finally
        {
            task.Dispose();
            await RemoveCgroupAsync(cgroup);
            if (memoryCgroup is not null && memoryCgroup != cgroup)
            {
                await RemoveCgroupAsync(memoryCgroup);
            }
        }
    }
}
