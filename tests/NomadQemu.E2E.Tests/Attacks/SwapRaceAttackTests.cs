using System.Globalization;
using NomadQemu.E2E.Tests.Lifecycle;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Attacks;

/// <summary>
/// Another task of the group swaps the checked image for a symlink to a host file the instant the driver's first
/// file appears in the task's run dir. QEMU must end up holding the original inode, never the host file.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class SwapRaceAttackTests : IAsyncLifetime
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
    public async Task ImageSwappedForSymlinkWhenRunDirAppears_QemuHoldsTheOriginal(string diskMode)
    {
        // The host file is a bootable image too, so an attack that works leaves a running VM on it.
        var hostImage = Path.Combine(_host.Path, "host.qcow2");
        File.Copy(Path.Combine(TestEnvironment.GuestDir, "disk.qcow2"), hostImage);
        using var task = new VmTask();
        var original = HostFiles.Identity(task.ImagePath);
        var hostId = HostFiles.Identity(hostImage);
        var before = HostFiles.Fingerprint(hostImage);

        using var stop = new CancellationTokenSource();
        var swapped = false;
        var swapper = new Thread(() =>
        {
            // Tight polling: the swap lands within microseconds of the run dir's first entry.
            while (!stop.IsCancellationRequested)
            {
                if (Directory.Exists(task.RunDir) && Directory.EnumerateFileSystemEntries(task.RunDir).Any())
                {
                    File.Move(task.ImagePath, task.ImagePath + ".moved");
                    File.CreateSymbolicLink(task.ImagePath, hostImage);
                    swapped = true;
                    return;
                }
            }
        })
        {
            IsBackground = true,
        };
        swapper.Start();
        try
        {
            await _session.Driver.StartTaskAsync(
                new StartTaskRequest
                {
                    Task = task.TaskConfig(VmTask.DriverConfig(("disk_mode", diskMode), ("image_format", "qcow2"))),
                },
                cancellationToken: Ct
            );
            Assert.True(swapped, "the swap never happened: the test did not race the driver");
            var inspect = await _session.Driver.InspectTaskAsync(
                new InspectTaskRequest { TaskId = task.TaskId },
                cancellationToken: Ct
            );
            var held = HostFiles.HeldBy(int.Parse(inspect.Driver.Attributes["qemu_pid"], CultureInfo.InvariantCulture));
            Assert.DoesNotContain(hostId, held);
            Assert.Contains(original, held);
            await _session.Driver.DestroyTaskAsync(
                new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
                cancellationToken: Ct
            );
        }
        finally
        {
            await stop.CancelAsync();
            swapper.Join();
        }
        Assert.Equal(before, HostFiles.Fingerprint(hostImage));
    }
}
