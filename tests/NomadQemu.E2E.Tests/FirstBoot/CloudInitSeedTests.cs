using System.Security.Cryptography;
using System.Text;
using NomadQemu.CloudInit.Identity;
using NomadQemu.CloudInit.Network;
using NomadQemu.E2E.Tests.Attacks;
using NomadQemu.E2E.Tests.Lifecycle;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.FirstBoot;

/// <summary>
/// A <c>cloud_init</c> block, through the plugin's gRPC API as Nomad sends it: the guest finds the seed the way
/// cloud-init's NoCloud does (filesystem label CIDATA), reads the user-data the job rendered into a task-dir file,
/// and the meta-data's per-allocation instance-id; on the host the seed is private to the task and the secret in
/// the user-data appears in no log and no argv.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class CloudInitSeedTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan s_boot = TestEnvironment.Scaled(90);
    private PluginSession _session = null!;

    public async ValueTask InitializeAsync() => _session = await PluginSession.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _session.DisposeAsync();

    [Theory(Timeout = 240_000)]
    [InlineData("compat", "sr0")] // pc machine, IDE: the seed is a CD-ROM
    [InlineData("fast", "vdb")] // q35, virtio: the seed is a read-only virtio disk next to the boot disk
    public async Task Seed_FoundByLabel_HoldsTheUserDataFile_AndStaysPrivate(string profile, string device)
    {
        using var task = new VmTask("seed");
        var secret = "S3CRET-" + Guid.NewGuid().ToString("N");
        var userData = Encoding.UTF8.GetBytes($"#cloud-config\n# {secret}\nruncmd:\n  - [echo, hello]\n");
        await File.WriteAllBytesAsync(Path.Combine(task.TaskDir, "local", "user-data"), userData, Ct);
        var cloudInit = new Dictionary<string, object?>
        {
            ["user_data"] = null,
            ["user_data_file"] = "local/user-data",
            ["meta_data"] = new Dictionary<string, object?> { ["zone"] = "z1" },
            ["vendor_data"] = null,
            ["vendor_data_file"] = null,
            ["network_config"] = null,
            ["network_config_file"] = null,
        };
        await _session.Driver.StartTaskAsync(
            new StartTaskRequest
            {
                Task = task.TaskConfig(
                    VmTask.DriverConfig([("profile", profile), ("cloud_init", cloudInit), .. task.DirectKernelBoot()])
                ),
            },
            cancellationToken: Ct
        );
        try
        {
            var console = await GuestConsole.WaitForReportAsync(task, s_boot, Ct);

            var seed = GuestConsole.Seed(console);
            Assert.Equal(device, seed.GetValueOrDefault("dev"));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(userData)), seed["user-data-sha256"]);
            Assert.Equal(SeedIdentity.InstanceId(task.AllocId, task.TaskName), seed["instance-id"]);
            Assert.Equal("1", GuestConsole.Disks(console)[device]["ro"]);

            var seedFile = Path.Combine(task.RunDir, "cidata.iso");
            Assert.Equal(Convert.ToInt32("600", 8), HostFiles.Mode(seedFile));
            var qemu = await QemuCommandLineAsync(task);
            Assert.Contains($"mac={MacAddress.ForTask(task.AllocId, task.TaskName)}", qemu, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, qemu, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, string.Join("\n", _session.Plugin.StderrLines), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, task.Stderr.Text, StringComparison.Ordinal);
        }
        finally
        {
            await _session.Driver.DestroyTaskAsync(
                new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
                cancellationToken: Ct
            );
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task UserDataFileOutsideTheAllocDir_IsRefusedByKey()
    {
        using var task = new VmTask("seedbad");
        var cloudInit = new Dictionary<string, object?> { ["user_data_file"] = "../../../../etc/shadow" };

        var e = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await _session.Driver.StartTaskAsync(
                new StartTaskRequest
                {
                    Task = task.TaskConfig(
                        VmTask.DriverConfig([("cloud_init", cloudInit), .. task.DirectKernelBoot()])
                    ),
                },
                cancellationToken: Ct
            )
        );

        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("cloud_init.user_data_file", e.Status.Detail, StringComparison.Ordinal);
        Assert.False(Directory.Exists(task.RunDir));
    }

    /// <summary>The argv of the task's QEMU, found by the pid the driver reports (a jailed QEMU's argv names no host path).</summary>
    private async Task<string> QemuCommandLineAsync(VmTask task)
    {
        var inspect = await _session.Driver.InspectTaskAsync(
            new InspectTaskRequest { TaskId = task.TaskId },
            cancellationToken: Ct
        );
        var pid = inspect.Driver.Attributes["qemu_pid"];
        return (await File.ReadAllTextAsync($"/proc/{pid}/cmdline", Ct)).Replace('\0', ' ');
    }
}
