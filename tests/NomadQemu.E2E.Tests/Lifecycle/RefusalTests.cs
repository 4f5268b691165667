using System.Diagnostics;
using Grpc.Core;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Lifecycle;

/// <summary>
/// Every refusal is an InvalidArgument naming the config key and what was expected, nothing is left behind
/// (no run dir, no QEMU), and the plugin keeps serving.
/// </summary>
public sealed class RefusalTests(RefusalTests.Plugin fixture) : IClassFixture<RefusalTests.Plugin>
{
    /// <summary>One operator-configured plugin for the whole class: refusals change no plugin state.</summary>
    public sealed class Plugin : IAsyncLifetime
    {
        public ShortTempDir Images { get; } = new();
        public PluginSession Session { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            var config = NomadMsgpack.PluginConfig(
                imagePaths: new[] { Images.Path },
                argsAllowlist: new[] { "-cpu", "-smp", "-device" },
                emulatorsAllowlist: new[] { "x86_64" }
            );
            Session = await PluginSession.StartAsync(config, cancellationToken: TestContext.Current.CancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            await Session.DisposeAsync();
            Images.Dispose();
        }
    }

    private PluginSession Session => fixture.Session;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<RpcException> Refused(VmTask task, byte[] config, long memoryMb = 256)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Session.Driver.StartTaskAsync(
                new StartTaskRequest { Task = task.TaskConfig(config, memoryMb) },
                cancellationToken: Ct
            )
        );
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.False(Directory.Exists(task.RunDir), "a refused start must leave no run dir");
        Assert.DoesNotContain(
            Process.GetProcessesByName("qemu-system-x86_64"),
            p => CommandLine(p).Contains(task.AllocDir, StringComparison.Ordinal)
        );
        var inspect = await Assert.ThrowsAsync<RpcException>(async () =>
            await Session.Driver.InspectTaskAsync(
                new InspectTaskRequest { TaskId = task.TaskId },
                cancellationToken: Ct
            )
        );
        Assert.Equal(StatusCode.NotFound, inspect.StatusCode);
        return error;
    }

    private static string CommandLine(Process process)
    {
        try
        {
            return File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task PathTraversal_OutOfAllocDir_Refused()
    {
        using var task = new VmTask();
        var error = await Refused(task, VmTask.DriverConfig(("image_path", "../../../../etc/passwd")));
        Assert.Contains("image_path", error.Status.Detail);
    }

    [Fact(Timeout = 60_000)]
    public async Task SymlinkEscape_OutOfAllocDir_Refused()
    {
        using var task = new VmTask();
        using var outside = new ShortTempDir();
        File.Copy(task.ImagePath, Path.Combine(outside.Path, "secret.qcow2"));
        File.CreateSymbolicLink(
            Path.Combine(task.TaskDir, "local", "link.qcow2"),
            Path.Combine(outside.Path, "secret.qcow2")
        );

        var error = await Refused(task, VmTask.DriverConfig(("image_path", "local/link.qcow2")));

        Assert.Contains("image_path", error.Status.Detail);
    }

    [Fact(Timeout = 60_000)]
    public async Task AbsoluteImageOutsideImagePaths_Refused()
    {
        using var task = new VmTask();
        using var elsewhere = new ShortTempDir();
        var image = Path.Combine(elsewhere.Path, "disk.qcow2");
        File.Copy(task.ImagePath, image);

        var error = await Refused(task, VmTask.DriverConfig(("image_path", image)));

        Assert.Contains("image_path", error.Status.Detail);
    }

    [Fact(Timeout = 60_000)]
    public async Task DisallowedArg_Refused()
    {
        using var task = new VmTask();
        var error = await Refused(task, VmTask.DriverConfig(("args", new[] { "-drive", "file=/etc/shadow" })));
        Assert.Contains("-drive", error.Status.Detail);
        Assert.Contains("args", error.Status.Detail);
    }

    [Fact(Timeout = 60_000)]
    public async Task DisallowedEmulator_Refused()
    {
        using var task = new VmTask();
        var error = await Refused(task, VmTask.DriverConfig(("emulator", "aarch64")));
        Assert.Contains("emulator", error.Status.Detail);
        Assert.Contains("x86_64", error.Status.Detail);
    }

    [Fact(Timeout = 60_000)]
    public async Task UnknownPortLabel_Refused()
    {
        using var task = new VmTask();
        var error = await Refused(
            task,
            VmTask.DriverConfig(("port_map", new[] { new Dictionary<string, object?> { ["ssh"] = 22 } }))
        );
        Assert.Contains("port_map", error.Status.Detail);
        Assert.Contains("ssh", error.Status.Detail);
        Assert.Contains("http", error.Status.Detail);
    }

    [Fact(Timeout = 60_000)]
    public async Task MissingImage_Refused()
    {
        using var task = new VmTask(copyImage: false);
        var error = await Refused(task, VmTask.DriverConfig());
        Assert.Contains("image_path", error.Status.Detail);
        Assert.Contains("does not exist", error.Status.Detail);
    }

    [Fact(Timeout = 60_000)]
    public async Task MemoryTooSmall_Refused()
    {
        using var task = new VmTask();
        var error = await Refused(task, VmTask.DriverConfig(), memoryMb: 64);
        Assert.Contains("64", error.Status.Detail);
        Assert.Contains("128", error.Status.Detail);
    }

    [Fact(Timeout = 60_000)]
    public async Task SocketPathTooLong_RefusedNamingWhatToShorten()
    {
        using var root = new ShortTempDir();
        var deep = Path.Combine(root.Path, new string('d', 60), new string('e', 40));
        Directory.CreateDirectory(deep);
        using var task = new VmTask(allocDir: deep);

        var error = await Refused(task, VmTask.DriverConfig());

        Assert.Contains("qmp.sock", error.Status.Detail);
        Assert.Contains("data_dir", error.Status.Detail);
    }

    [Fact(Timeout = 60_000)]
    public async Task KvmRequested_WhereKvmDoesNotWork_RefusedClearly()
    {
        using var task = new VmTask();
        var error = await Refused(task, VmTask.DriverConfig(("accelerator", "kvm")));
        Assert.Contains("accelerator", error.Status.Detail);
        Assert.Contains("driver.qemu.kvm", error.Status.Detail);
    }
}
