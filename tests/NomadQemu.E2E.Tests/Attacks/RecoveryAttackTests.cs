using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using NomadQemu.E2E.Tests.Lifecycle;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Attacks;

/// <summary>
/// A forged driver_state handed to RecoverTask (a chosen run dir, the pid of an innocent process) must not make
/// Stop or Destroy kill that process or delete that directory.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class RecoveryAttackTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ShortTempDir _victim = new();
    private PluginSession _session = null!;

    public async ValueTask InitializeAsync() => _session = await PluginSession.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        _victim.Dispose();
    }

    [Fact(Timeout = 120_000)]
    public async Task ForgedRunDirAndPid_InnocentProcessSurvives_DirectoryIntact()
    {
        var taskDir = Path.Combine(_victim.Path, "victim");
        var runDir = Path.Combine(taskDir, ".qemu");
        Directory.CreateDirectory(runDir);
        var marker = Path.Combine(runDir, "precious");
        await File.WriteAllTextAsync(marker, "keep me", Ct);
        using var sleep = Process.Start("sleep", "600");
        var ticks = ulong.Parse(
            File.ReadAllText($"/proc/{sleep.Id}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[
                19
            ],
            CultureInfo.InvariantCulture
        );
        try
        {
            using var task = new VmTask(copyImage: false);
            var forged = NomadMsgpack.Object(
                ("version", 1),
                ("task_id", task.TaskId),
                ("task_name", task.TaskName),
                ("alloc_id", task.AllocId),
                ("task_dir", taskDir),
                ("run_dir", runDir),
                ("supervisor_pid", sleep.Id),
                ("supervisor_start_ticks", (long)ticks),
                ("qemu_pid", sleep.Id),
                ("qemu_start_ticks", (long)ticks),
                ("qmp_socket", Path.Combine(runDir, "qmp.sock")),
                ("overlay_path", null),
                ("driver_config", new NomadMsgpack.Raw(Bin(VmTask.DriverConfig()))),
                ("accelerator", "tcg"),
                ("started_at_unix_ms", 1_700_000_000_000L),
                ("guest_ports", new Dictionary<string, object?>())
            );
            var config = task.TaskConfig(VmTask.DriverConfig());
            config.MsgpackDriverConfig = ByteString.Empty;
            try
            {
                await _session.Driver.RecoverTaskAsync(
                    new RecoverTaskRequest
                    {
                        TaskId = task.TaskId,
                        Handle = new TaskHandle
                        {
                            Version = 1,
                            Config = config,
                            State = TaskState.Running,
                            DriverState = ByteString.CopyFrom(forged),
                        },
                    },
                    cancellationToken: Ct
                );
            }
            catch (RpcException) { }
            await Ignore(
                _session
                    .Driver.StopTaskAsync(
                        new StopTaskRequest { TaskId = task.TaskId, Timeout = VmTask.Seconds(1) },
                        cancellationToken: Ct
                    )
                    .ResponseAsync
            );
            await Ignore(
                _session
                    .Driver.DestroyTaskAsync(
                        new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
                        cancellationToken: Ct
                    )
                    .ResponseAsync
            );

            Assert.False(sleep.HasExited, "the innocent process was killed");
            Assert.Equal("keep me", await File.ReadAllTextAsync(marker, Ct));
        }
        finally
        {
            sleep.Kill();
        }
    }

    private static async Task Ignore(Task call)
    {
        try
        {
            await call;
        }
        catch (RpcException) { }
    }

    /// <summary>msgpack bin 16: driver_config travels as bytes in driver_state.</summary>
    private static byte[] Bin(byte[] payload) => [0xc5, (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];
}
