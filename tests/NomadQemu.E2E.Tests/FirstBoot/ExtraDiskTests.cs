using NomadQemu.E2E.Tests.Attacks;
using NomadQemu.E2E.Tests.Lifecycle;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.FirstBoot;

/// <summary>
/// Repeatable <c>disk</c> blocks through the plugin's gRPC API: the guest sees each extra disk with its size,
/// read-only flag and serial; a read-only image stays untouched on the host; a blank disk is a sparse qcow2 in the
/// task dir that the next start of the same task reuses.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class ExtraDiskTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan s_boot = TestEnvironment.Scaled(90);
    private PluginSession _session = null!;

    public async ValueTask InitializeAsync() => _session = await PluginSession.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _session.DisposeAsync();

    private static Dictionary<string, object?> Disk(params (string Key, object? Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    [Fact(Timeout = 300_000)]
    public async Task Disks_SeenWithSizeReadOnlyAndSerial_BlankDiskSparseAndKeptAcrossRestart()
    {
        using var task = new VmTask("disks");
        var raw = Path.Combine(task.TaskDir, "local", "data.raw");
        await File.WriteAllBytesAsync(raw, new byte[4 << 20], Ct);
        var rawBefore = HostFiles.Fingerprint(raw);
        HostFiles.Run(
            "qemu-img",
            "create",
            "-q",
            "-f",
            "qcow2",
            Path.Combine(task.TaskDir, "local", "extra.qcow2"),
            "8M"
        );
        var config = VmTask.DriverConfig([
            ("profile", "fast"),
            (
                "disk",
                new object[]
                {
                    Disk(("source", "local/data.raw"), ("format", "raw"), ("read_only", true), ("serial", "ro-data")),
                    Disk(("size", "64MiB"), ("serial", "blank"), ("discard", "unmap")),
                    Disk(("source", "local/extra.qcow2"), ("format", "qcow2"), ("serial", "overlaid")),
                }
            ),
            .. task.DirectKernelBoot(),
        ]);
        var blank = Path.Combine(task.TaskDir, ".qemu-disks", "disk1.qcow2");

        var disks = await BootAndReadDisksAsync(task, config, task.TaskId);
        Assert.Equal(("8192", "1"), (disks["ro-data"]["size"], disks["ro-data"]["ro"]));
        Assert.Equal(("131072", "0"), (disks["blank"]["size"], disks["blank"]["ro"]));
        Assert.Equal(("16384", "0"), (disks["overlaid"]["size"], disks["overlaid"]["ro"]));
        Assert.Equal(rawBefore, HostFiles.Fingerprint(raw));
        Assert.Equal(Convert.ToInt32("600", 8), HostFiles.Mode(blank));
        Assert.Equal(Convert.ToInt32("700", 8), HostFiles.Mode(Path.GetDirectoryName(blank)!));
        var allocatedBytes =
            long.Parse(
                HostFiles.Run("stat", "--format=%b", blank).Trim(),
                System.Globalization.CultureInfo.InvariantCulture
            ) * 512;
        Assert.True(allocatedBytes < 1 << 20, $"the 64 MiB blank disk allocates {allocatedBytes} bytes on the host");
        var identity = HostFiles.Identity(blank);

        // A restart of the task in the same alloc (a new task id, the same task dir) keeps the blank disk.
        var restartId = task.TaskId + "-restart";
        await _session.Driver.StopTaskAsync(
            new StopTaskRequest { TaskId = task.TaskId, Timeout = VmTask.Seconds(10) },
            cancellationToken: Ct
        );
        await Destroy(task.TaskId);
        var again = await BootAndReadDisksAsync(task, config, restartId, skipConsole: task.Stdout.Text.Length);
        Assert.Equal("131072", again["blank"]["size"]);
        Assert.Equal(identity, HostFiles.Identity(blank));
        await Destroy(restartId);
    }

    private async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> BootAndReadDisksAsync(
        VmTask task,
        byte[] config,
        string taskId,
        int skipConsole = 0
    )
    {
        var request = task.TaskConfig(config);
        request.Id = taskId;
        await _session.Driver.StartTaskAsync(new StartTaskRequest { Task = request }, cancellationToken: Ct);
        var deadline = DateTime.UtcNow + s_boot;
        while (!task.Stdout.Text[skipConsole..].Contains("TEST-GUEST-POWER-BUTTON", StringComparison.Ordinal))
        {
            Assert.True(
                DateTime.UtcNow < deadline,
                $"the guest did not report its disks; console:\n{task.Stdout.Text}"
            );
            await Task.Delay(100, Ct);
        }
        return GuestConsole
            .Disks(task.Stdout.Text[skipConsole..])
            .Values.Where(d => d["serial"] != "-")
            .ToDictionary(d => d["serial"], d => d);
    }

    private async Task Destroy(string taskId) =>
        await _session.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = taskId, Force = true },
            cancellationToken: Ct
        );
}
