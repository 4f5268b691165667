using System.Runtime.InteropServices;
using NomadQemu.E2E.Tests.Lifecycle;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Attacks;

/// <summary>
/// A plugin started with umask 000 still keeps each task's run dir 0700 and every file in it 0600: another uid
/// can neither read the records nor connect to the QMP socket (which drives a QEMU running as root).
/// </summary>
[Collection(VmCollection.Name)]
public sealed partial class PrivateRunDirTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private PluginSession _session = null!;

    [LibraryImport("libc")]
    private static partial int umask(int mask);

    public async ValueTask InitializeAsync()
    {
        // The plugin inherits the umask at fork; restore ours at once.
        var previous = umask(0);
        try
        {
            _session = await PluginSession.StartAsync(cancellationToken: Ct);
        }
        finally
        {
            _ = umask(previous);
        }
    }

    public async ValueTask DisposeAsync() => await _session.DisposeAsync();

    [Fact(Timeout = 180_000)]
    public async Task Umask000_RunDir0700_Files0600_QmpNotConnectableByNobody()
    {
        using var task = new VmTask();
        // The test's own dirs must let nobody walk up to the run dir, so only the run dir's mode decides.
        foreach (var dir in new[] { task.AllocDir, task.TaskDir })
        {
            File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32("755", 8));
        }
        await _session.Driver.StartTaskAsync(
            new StartTaskRequest { Task = task.TaskConfig(VmTask.DriverConfig()) },
            cancellationToken: Ct
        );
        try
        {
            Assert.Equal(Convert.ToInt32("700", 8), HostFiles.Mode(task.RunDir));
            foreach (var file in Directory.GetFiles(task.RunDir))
            {
                Assert.True(
                    (HostFiles.Mode(file) & Convert.ToInt32("077", 8)) == 0,
                    $"{file} is mode {Convert.ToString(HostFiles.Mode(file), 8)}"
                );
            }
            var qmp = Path.Combine(task.RunDir, "qmp.sock");
            Assert.True(File.Exists(qmp));
            var connect =
                $"import socket; s=socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect('{qmp}'); s.close()";
            Assert.NotEqual(
                0,
                HostFiles.ExitCode(
                    "setpriv",
                    "--reuid=nobody",
                    "--regid=nogroup",
                    "--clear-groups",
                    "python3",
                    "-c",
                    connect
                )
            );
            // The probe itself works: root (the owner) can connect.
            Assert.Equal(0, HostFiles.ExitCode("python3", "-c", connect));
        }
        finally
        {
            await _session.Driver.DestroyTaskAsync(
                new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
                cancellationToken: Ct
            );
        }
    }
}
