using System.Diagnostics;
using System.Security.Cryptography;
using Grpc.Core;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Lifecycle;

/// <summary>
/// <c>firmware = "uefi"</c> with the host's OVMF: the guest really runs under UEFI, and its variable store is the
/// task's own, kept across a restart of the task within the allocation.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class UefiTests : IAsyncLifetime
{
    private const string VarsFile = ".qemu-uefi-vars.fd";

    // The kernel prints the firmware's system table only when booted by UEFI; "quiet" would hide it.
    private const string UefiMarker = "efi: EFI v";

    private PluginSession _session = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan s_boot = TestEnvironment.Scaled(90);

    public async ValueTask InitializeAsync() => _session = await PluginSession.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _session.DisposeAsync();

    private static byte[] Config(VmTask task, string firmware) =>
        VmTask.DriverConfig([
            .. task.DirectKernelBoot(),
            ("kernel_args", "console=ttyS0"),
            ("profile", "fast"),
            ("firmware", firmware),
            ("port_map", new[] { new Dictionary<string, object?> { ["http"] = 80 } }),
        ]);

    /// <summary>Starts, waits for the guest's page, stops gracefully; returns the time from StartTask to the page.</summary>
    private async Task<TimeSpan> RunOnceAsync(VmTask task, string taskId, byte[] config)
    {
        var request = task.TaskConfig(config);
        request.Id = taskId;
        var watch = Stopwatch.StartNew();
        await _session.Driver.StartTaskAsync(new StartTaskRequest { Task = request }, cancellationToken: Ct);
        await task.WaitForPageAsync("/", s_boot, Ct);
        var boot = watch.Elapsed;
        await task.Stdout.WaitForAsync("TEST-GUEST-POWER-BUTTON armed", s_boot, Ct);
        var wait = _session.Driver.WaitTaskAsync(new WaitTaskRequest { TaskId = taskId }, cancellationToken: Ct);
        await _session.Driver.StopTaskAsync(
            new StopTaskRequest { TaskId = taskId, Timeout = VmTask.Seconds(30) },
            cancellationToken: Ct
        );
        var result = await wait;
        Assert.Equal(0, result.Result.ExitCode);
        await _session.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = taskId, Force = true },
            cancellationToken: Ct
        );
        return boot;
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact(Timeout = 400_000)]
    public async Task Uefi_GuestBootsUnderOvmf_VarsStoreIsPrivateAndPersistsAcrossTaskRestart()
    {
        using var task = new VmTask();
        var vars = Path.Combine(task.TaskDir, VarsFile);

        var firstBoot = await RunOnceAsync(task, task.TaskId, Config(task, "uefi"));

        Assert.Contains(UefiMarker, task.Stdout.Text, StringComparison.Ordinal);
        var info = new FileInfo(vars);
        Assert.True(info.Exists && info.LinkTarget is null, "the variable store is a regular file in the task dir");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(vars));
        var inode = Attacks.HostFiles.Identity(vars);
        var afterFirst = Hash(vars);

        // A restart within the allocation: a new task id, the same task dir. OVMF updates its variables on every
        // boot and one boot from the pristine template always leaves the same bytes (checked by hand: two fresh
        // copies booted once were identical), so a store reset to the template would end as afterFirst again.
        var secondBoot = await RunOnceAsync(task, task.TaskId + "-restart", Config(task, "uefi"));

        Assert.Equal(inode, Attacks.HostFiles.Identity(vars));
        Assert.NotEqual(afterFirst, Hash(vars));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"UEFI StartTask-to-HTTP: first boot {firstBoot.TotalSeconds:F2} s, restart {secondBoot.TotalSeconds:F2} s"
        );
    }

    [Fact(Timeout = 240_000)]
    public async Task Bios_SameGuest_BootsWithoutUefiAndLeavesNoVarsStore()
    {
        using var task = new VmTask();

        var boot = await RunOnceAsync(task, task.TaskId, Config(task, "bios"));

        Assert.Contains("TEST-GUEST-READY", task.Stdout.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(UefiMarker, task.Stdout.Text, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(task.TaskDir, VarsFile)));
        TestContext.Current.TestOutputHelper?.WriteLine($"BIOS StartTask-to-HTTP: {boot.TotalSeconds:F2} s");
    }

    [Fact(Timeout = 120_000)]
    public async Task PlantedLinkAtVarsStore_IsRefusedAndTheHostFileIsUntouched()
    {
        using var task = new VmTask();
        using var outside = new ShortTempDir();
        var victim = Path.Combine(outside.Path, "victim");
        await File.WriteAllTextAsync(victim, "host data", Ct);
        File.SetLastWriteTimeUtc(victim, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var before = Attacks.HostFiles.Fingerprint(victim);
        File.CreateSymbolicLink(Path.Combine(task.TaskDir, VarsFile), victim);

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await _session.Driver.StartTaskAsync(
                new StartTaskRequest { Task = task.TaskConfig(Config(task, "uefi")) },
                cancellationToken: Ct
            )
        );

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("firmware", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, Attacks.HostFiles.Fingerprint(victim));
        Assert.False(Directory.Exists(task.RunDir));
    }
}
