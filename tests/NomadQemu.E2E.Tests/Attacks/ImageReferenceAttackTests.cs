using System.Globalization;
using Grpc.Core;
using NomadQemu.E2E.Tests.Lifecycle;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Attacks;

/// <summary>
/// A job ships a qcow2 whose header names a host file (as backing file or external data file). The start must be
/// refused naming the image and the reference, or QEMU must hold no descriptor on the host file; either way the
/// host file's content and mtime are unchanged. The image never needs <c>args</c>.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class ImageReferenceAttackTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ShortTempDir _host = new();
    private PluginSession _session = null!;

    public async ValueTask InitializeAsync() => _session = await PluginSession.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        _host.Dispose();
    }

    public static TheoryData<string> DiskModes => ["overlay", "in_place"];

    [Theory(Timeout = 180_000)]
    [MemberData(nameof(DiskModes))]
    public async Task BackingFileNamingAHostFile_IsRefusedOrNeverOpened(string diskMode)
    {
        var target = Path.Combine(_host.Path, "host-secret");
        await File.WriteAllBytesAsync(target, new byte[1 << 20], Ct);
        using var task = new VmTask(copyImage: false);
        HostFiles.Run("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", target, "-u", task.ImagePath, "1M");

        await AssertRefusedOrTargetUntouched(task, target, diskMode, "backing file");
    }

    [Theory(Timeout = 180_000)]
    [MemberData(nameof(DiskModes))]
    public async Task ExternalDataFileNamingAHostFile_IsRefusedOrNeverOpened(string diskMode)
    {
        var target = Path.Combine(_host.Path, "host-data");
        using var task = new VmTask(copyImage: false);
        // qemu-img creates the data file itself; the "host file" gets its content afterwards.
        HostFiles.Run(
            "qemu-img",
            "create",
            "-q",
            "-f",
            "qcow2",
            "-o",
            $"data_file={target},data_file_raw=on",
            task.ImagePath,
            "1M"
        );
        await File.WriteAllBytesAsync(target, Enumerable.Repeat((byte)0x5a, 1 << 20).ToArray(), Ct);
        File.SetLastWriteTimeUtc(target, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        await AssertRefusedOrTargetUntouched(task, target, diskMode, "external data file");
    }

    private async Task AssertRefusedOrTargetUntouched(VmTask task, string target, string diskMode, string what)
    {
        var before = HostFiles.Fingerprint(target);
        var targetId = HostFiles.Identity(target);
        var config = VmTask.DriverConfig(("disk_mode", diskMode), ("image_format", "qcow2"));
        try
        {
            await _session.Driver.StartTaskAsync(
                new StartTaskRequest { Task = task.TaskConfig(config) },
                cancellationToken: Ct
            );
            // Started: then QEMU must not hold the host file.
            var inspect = await _session.Driver.InspectTaskAsync(
                new InspectTaskRequest { TaskId = task.TaskId },
                cancellationToken: Ct
            );
            var pid = int.Parse(inspect.Driver.Attributes["qemu_pid"], CultureInfo.InvariantCulture);
            Assert.DoesNotContain(targetId, HostFiles.HeldBy(pid));
            await _session.Driver.DestroyTaskAsync(
                new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
                cancellationToken: Ct
            );
        }
        catch (RpcException e)
        {
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.Contains("local/disk.qcow2", e.Status.Detail);
            Assert.Contains(what, e.Status.Detail);
            Assert.Contains(target, e.Status.Detail);
        }
        Assert.Equal(before, HostFiles.Fingerprint(target));
    }
}
