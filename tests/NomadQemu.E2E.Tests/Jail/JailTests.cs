using System.Globalization;
using System.Text.Json;
using NomadQemu.E2E.Tests.Lifecycle;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Jail;

/// <summary>
/// The jail judged by outcome on a driver-started QEMU: what /proc says about the process, what a job's own
/// extra QMP monitor can open, and which environment reached it. Each attack also runs with the jail off
/// (plugin config jail = false), where it must succeed: otherwise the test could not fail.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class JailTests
{
    private const string EnvMarker = "NQ_JAIL_ENV_MARKER";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 240_000)]
    public async Task JailedQemu_RunsUnprivileged_UnderSeccomp_WithoutTheTasksEnvOrHostFiles()
    {
        await using var session = await PluginSession.StartAsync(cancellationToken: Ct);
        using var task = new VmTask();
        var neighbour = Path.Combine(task.TaskDir, "local", "notes.txt");
        await File.WriteAllTextAsync(neighbour, "not for QEMU", Ct);
        var config = task.TaskConfig(VmTask.DriverConfig());
        config.Env["LD_PRELOAD"] = "/nonexistent/nq-marker.so";
        config.Env[EnvMarker] = "reached-qemu";
        await session.Driver.StartTaskAsync(new StartTaskRequest { Task = config }, cancellationToken: Ct);
        try
        {
            var pid = await QemuPidAsync(session, task);
            var status = StatusFields(pid);

            Assert.NotEqual("0", status["Uid"].Split('\t')[0]);
            Assert.All(status["Uid"].Split('\t'), uid => Assert.NotEqual("0", uid));
            Assert.All(status["Gid"].Split('\t'), gid => Assert.NotEqual("0", gid));
            Assert.Equal("", status["Groups"].Trim());
            Assert.Equal("0000000000000000", status["CapEff"]);
            Assert.Equal("0000000000000000", status["CapPrm"]);
            Assert.Equal("0000000000000000", status["CapBnd"]);
            Assert.Equal("1", status["NoNewPrivs"]);
            Assert.Equal("2", status["Seccomp"]);

            var environ = await File.ReadAllTextAsync($"/proc/{pid}/environ", Ct);
            Assert.DoesNotContain(EnvMarker, environ);
            Assert.DoesNotContain("LD_PRELOAD", environ);

            // QEMU's root as the kernel shows it (root can look through /proc/PID/root): no secrets, no task dir.
            var root = $"/proc/{pid}/root";
            Assert.True(File.Exists($"{root}/usr/bin/qemu-system-x86_64"));
            Assert.False(File.Exists($"{root}/etc/shadow"));
            Assert.False(Directory.Exists($"{root}/var"));
            Assert.False(Directory.Exists($"{root}/home"));
            Assert.False(File.Exists($"{root}{task.ImagePath}"), "job files are never bound in by path");
            Assert.False(File.Exists($"{root}{neighbour}"), "nor is the rest of the task dir");
            Assert.False(File.Exists($"{root}{task.RunDir}/launch.json"));
            // ...yet QEMU holds the image: by the descriptor the plugin opened (same inode, compared, not paths).
            var image = Inode(task.ImagePath);
            Assert.Contains(image, Directory.GetFiles($"/proc/{pid}/fd").Select(Inode));
        }
        finally
        {
            await StopAsync(session, task);
        }
    }

    // A VM whose supervisor is gone has nobody to record its exit: it must not run on untracked.
    [Fact(Timeout = 240_000)]
    public async Task JailedQemu_DiesWithItsSupervisor()
    {
        await using var session = await PluginSession.StartAsync(cancellationToken: Ct);
        using var task = new VmTask();
        await session.Driver.StartTaskAsync(
            new StartTaskRequest { Task = task.TaskConfig(VmTask.DriverConfig()) },
            cancellationToken: Ct
        );
        try
        {
            var qemu = await QemuPidAsync(session, task);
            var supervisor = await SupervisorPidAsync(session, task);
            Assert.Equal(1, StatusFields(qemu)["NSpid"].Split('\t').Length - 1);
            Assert.NotEqual("0", StatusFields(qemu)["Uid"].Split('\t')[0]);

            System.Diagnostics.Process.GetProcessById(supervisor).Kill();

            var deadline = DateTime.UtcNow + TestEnvironment.Scaled(20);
            while (IsRunning(qemu) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, Ct);
            }
            Assert.False(IsRunning(qemu), "QEMU outlived its supervisor");
        }
        finally
        {
            await StopAsync(session, task);
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            return !StatusFields(pid)["State"].StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task JailedQemu_BootsAKernelAndInitrdOnlyRootCanRead()
    {
        await using var session = await PluginSession.StartAsync(cancellationToken: Ct);
        using var task = new VmTask();
        var boot = task.DirectKernelBoot();
        var kernel = Path.Combine(task.TaskDir, "local", "vmlinuz");
        var initrd = Path.Combine(task.TaskDir, "local", "initrd.gz");
        // Root's and 0600: the jailed uid could never open these by name, nor through /proc/self/fd of our copy.
        File.SetUnixFileMode(kernel, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(initrd, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(0, Owner(kernel));
        await session.Driver.StartTaskAsync(
            new StartTaskRequest { Task = task.TaskConfig(VmTask.DriverConfig([.. boot])) },
            cancellationToken: Ct
        );
        try
        {
            var pid = await QemuPidAsync(session, task);
            Assert.NotEqual("0", StatusFields(pid)["Uid"].Split('\t')[0]);

            // The guest's web page proves it booted from exactly this kernel and initrd.
            Assert.False(string.IsNullOrEmpty(await task.WaitForPageAsync("/", TimeSpan.FromSeconds(120), Ct)));
        }
        finally
        {
            await StopAsync(session, task);
        }
    }

    private static long Owner(string path)
    {
        using var stat = System.Diagnostics.Process.Start(
            new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true }
        )!;
        var text = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return long.Parse(text, CultureInfo.InvariantCulture);
    }

    [Theory(Timeout = 300_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task QmpBlockdevAdd_OfHostFiles_FailsOnlyInTheJail(bool jail)
    {
        using var state = new ShortTempDir();
        var secret = Path.Combine(state.Path, "client", "state.db");
        Directory.CreateDirectory(Path.GetDirectoryName(secret)!);
        await File.WriteAllTextAsync(secret, "nomad client state", Ct);
        await using var session = await PluginSession.StartAsync(
            NomadMsgpack.PluginConfig(stateDir: state.Path, jail: jail),
            cancellationToken: Ct
        );
        using var victim = new VmTask("victim");
        using var attacker = new VmTask("attacker");
        await session.Driver.StartTaskAsync(
            new StartTaskRequest { Task = victim.TaskConfig(VmTask.DriverConfig()) },
            cancellationToken: Ct
        );
        var victimPid = await QemuPidAsync(session, victim);
        var attackerPid = -1;
        try
        {
            await session.Driver.StartTaskAsync(
                new StartTaskRequest { Task = attacker.TaskConfig(VmTask.DriverConfig()) },
                cancellationToken: Ct
            );
            attackerPid = await QemuPidAsync(session, attacker);
            // QEMU serves one QMP client at a time and the plugin holds that line: kill the plugin (the VMs live on,
            // as after any plugin crash) so the attacker's monitor is free for this test.
            session.Plugin.Kill();
            Assert.True(await session.Plugin.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            connect.CancelAfter(TimeSpan.FromSeconds(30));
            await using var qmp = await RawQmp.ConnectAsync(Path.Combine(attacker.RunDir, "qmp.sock"), connect.Token);
            string[] targets = ["/etc/shadow", secret, Path.Combine(victim.TaskDir, ".qemu-disks", "overlay.qcow2")];
            Assert.True(File.Exists(targets[2]), "the victim's overlay exists on the host");
            for (var i = 0; i < targets.Length; i++)
            {
                var reply = await qmp.ExecuteAsync(BlockdevAdd($"steal{i}", targets[i]), connect.Token);
                Assert.Contains(jail ? "\"error\"" : "\"return\"", reply);
            }
        }
        finally
        {
            foreach (var pid in new[] { victimPid, attackerPid }.Where(p => p > 0))
            {
                KillAndWait(pid);
            }
        }
    }

    private static void KillAndWait(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(10_000);
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
    }

    private static string BlockdevAdd(string node, string file) =>
        JsonSerializer.Serialize(
            new Dictionary<string, object>
            {
                ["execute"] = "blockdev-add",
                ["arguments"] = new Dictionary<string, object>
                {
                    ["driver"] = "file",
                    ["node-name"] = node,
                    ["filename"] = file,
                    ["read-only"] = true,
                    ["locking"] = "off",
                },
            }
        );

    private static Task<int> QemuPidAsync(PluginSession session, VmTask task) =>
        PidAttributeAsync(session, task, "qemu_pid");

    private static Task<int> SupervisorPidAsync(PluginSession session, VmTask task) =>
        PidAttributeAsync(session, task, "supervisor_pid");

    /// <summary>A pid the driver reports in InspectTask's driver attributes.</summary>
    private static async Task<int> PidAttributeAsync(PluginSession session, VmTask task, string attribute)
    {
        var inspect = await session.Driver.InspectTaskAsync(
            new InspectTaskRequest { TaskId = task.TaskId },
            cancellationToken: Ct
        );
        return int.Parse(inspect.Driver.Attributes[attribute], CultureInfo.InvariantCulture);
    }

    /// <summary>Device and inode of what <paramref name="path"/> resolves to (a /proc fd link: the open file).</summary>
    private static string Inode(string path)
    {
        var result = System.Diagnostics.Process.Start(
            new System.Diagnostics.ProcessStartInfo("stat", ["-L", "-c", "%d:%i", path])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }
        )!;
        var text = result.StandardOutput.ReadToEnd().Trim();
        result.WaitForExit();
        return text;
    }

    private static Dictionary<string, string> StatusFields(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status")
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1].Trim('\t', ' '));

    private static async Task StopAsync(PluginSession session, VmTask task)
    {
        await session.Driver.StopTaskAsync(
            new StopTaskRequest { TaskId = task.TaskId, Timeout = VmTask.Seconds(0) },
            cancellationToken: CancellationToken.None
        );
        await session.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
            cancellationToken: CancellationToken.None
        );
    }
}
