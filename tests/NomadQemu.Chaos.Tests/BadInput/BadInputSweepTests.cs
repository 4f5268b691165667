using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using NomadQemu.Chaos.Tests.Support;
using NomadQemu.Protocol.Base;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.Chaos.Tests.BadInput;

/// <summary>
/// Thousands of hostile inputs through every RPC of one plugin process: each answer must be a clean refusal
/// (or a success), the process must survive and answer PluginInfo after every batch, and its memory must
/// not grow with the number of requests. Seeded, so a failure reproduces; the seed is in the output.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class BadInputSweepTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Seed = 4_2026;
    private static readonly TimeSpan s_callDeadline = TimeSpan.FromSeconds(20);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ChaosNode _node = new();
    private readonly RpcOutcomes _outcomes = new();
    private readonly Random _random = new(Seed);
    private HostileMsgpack _msgpack = null!;
    private HostileProto _proto = null!;
    private int _vmsStarted;
    private readonly List<long> _rssSamples = [];

    private static readonly string[] s_taskKeys =
    [
        "accelerator",
        "args",
        "cpu_model",
        "disk_mode",
        "drive_interface",
        "emulator",
        "firmware",
        "graceful_shutdown",
        "guest_agent",
        "image_format",
        "image_path",
        "initrd",
        "kernel",
        "kernel_args",
        "machine_type",
        "port_map",
        "profile",
        "secure_boot",
        "vcpus",
    ];
    private static readonly string[] s_pluginKeys =
    [
        "args_allowlist",
        "emulators_allowlist",
        "image_paths",
        "kvm_probe",
        "state_dir",
    ];
    private static readonly string[] s_stateKeys =
    [
        "version",
        "task_id",
        "task_name",
        "alloc_id",
        "task_dir",
        "run_dir",
        "supervisor_pid",
        "supervisor_start_ticks",
        "qemu_pid",
        "qemu_start_ticks",
        "qmp_socket",
        "overlay_path",
        "driver_config",
        "accelerator",
        "started_at_unix_ms",
        "guest_ports",
    ];

    public async ValueTask InitializeAsync()
    {
        _msgpack = new HostileMsgpack(_random);
        _proto = new HostileProto(_random, _msgpack);
        await _node.StartPluginAsync();
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    private Driver.DriverClient Driver => _node.Driver;
    private int Pid => _node.Session.Plugin.Pid;
    private static CallOptions Deadline => new(deadline: DateTime.UtcNow + s_callDeadline, cancellationToken: Ct);

    [Fact]
    public async Task HostileInputs_EveryRpc_CleanStatuses_PluginSurvives_MemoryStable()
    {
        var task = _node.NewTask();
        var validTaskConfig = ChaosNode.FastConfig(task);
        var exitedState = await StartStopDestroyAsync(task, validTaskConfig);
        var watch = Stopwatch.StartNew();

        // Warm-up: a small pass of everything plus the giant inputs (5 MB strings, 200 KB ids), so the baseline
        // holds the runtime's first-use costs and the GC's high-water mark for huge requests. Then two passes
        // of ordinary hostile input: a leak grows with the number of requests, a high-water mark does not.
        await RunAllBatchesAsync(task, validTaskConfig, exitedState, scale: 0.2);
        await BatchAsync("giant inputs", 30, i => GiantAsync(task, exitedState, i));
        var rssBaseline = HostProcesses.RssKib(Pid);
        var fdsBaseline = HostProcesses.OpenFdCount(Pid);
        await RunAllBatchesAsync(task, validTaskConfig, exitedState, scale: 1.0);
        var rssMiddle = HostProcesses.RssKib(Pid);
        await RunAllBatchesAsync(task, validTaskConfig, exitedState, scale: 0.6);
        var rssEnd = HostProcesses.RssKib(Pid);
        var fdsEnd = HostProcesses.OpenFdCount(Pid);

        var report =
            $"bad-input sweep: seed {Seed}, {_outcomes.Total} calls in {watch.Elapsed.TotalSeconds:0.0} s, {_vmsStarted} VMs actually started and cleaned up\n"
            + $"plugin RSS (MiB): after warm-up and giant inputs {Mib(rssBaseline)}, after a full pass {Mib(rssMiddle)}, after another 0.6 pass {Mib(rssEnd)}; "
            + $"per batch [{string.Join(" ", _rssSamples.Select(Mib))}]; open fds {fdsBaseline} → {fdsEnd}\n"
            + _outcomes.Summary();
        output.WriteLine(report);
        TestContext.Current.SendDiagnosticMessage(report);

        Assert.True(_outcomes.Violations.Count == 0, "unclean answers:\n" + string.Join("\n", _outcomes.Violations));
        // The first full pass may still raise the GC's high-water mark; the second must not add to it.
        Assert.True(
            rssEnd <= rssMiddle * 1.10,
            $"plugin RSS kept growing with the requests: {rssBaseline} KiB → {rssMiddle} KiB → {rssEnd} KiB"
        );
        Assert.True(rssEnd < rssBaseline * 2, $"plugin RSS more than doubled: {rssBaseline} KiB → {rssEnd} KiB");
        Assert.InRange(fdsEnd, 0, fdsBaseline + 8);
        Assert.Empty(HostProcesses.Mentioning(task.AllocDir));
        Assert.Empty(_node.LedgerEntries());
    }

    private static string Mib(long kib) =>
        (kib / 1024.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);

    private async Task RunAllBatchesAsync(VmTask task, byte[] validTaskConfig, TaskHandle exitedHandle, double scale)
    {
        int N(int full) => Math.Max(3, (int)(full * scale));
        await BatchAsync("SetConfig", N(500), i => SetConfigAsync());
        await RestoreConfigAsync();
        await BatchAsync("StartTask config", N(400), i => StartWithConfigAsync(task, validTaskConfig, i));
        await BatchAsync("StartTask fields", N(150), i => StartWithFieldsAsync(task, validTaskConfig, i));
        await BatchAsync("RecoverTask", N(600), i => RecoverAsync(exitedHandle));
        await BatchAsync(
            "StopTask",
            N(250),
            i =>
                _outcomes.CallAsync(
                    "StopTask",
                    "hostile",
                    async () =>
                        await Driver.StopTaskAsync(
                            new StopTaskRequest
                            {
                                TaskId = _proto.Id(),
                                Timeout = _proto.Duration(),
                                Signal = _msgpack.RandomUnicode(_random.Next(0, 8)),
                            },
                            Deadline
                        )
                )
        );
        await BatchAsync("TaskStats", N(150), i => StatsAsync(_proto.Id()));
        await BatchAsync("other RPCs", N(300), i => OtherRpcsAsync());
        await BatchAsync("live VM", 1, i => LiveVmAsync(task, validTaskConfig, N(40)));
    }

    /// <summary>Runs a batch, then proves the process is alive and still answering.</summary>
    private async Task BatchAsync(string name, int count, Func<int, Task> call)
    {
        for (var i = 0; i < count; i++)
        {
            await call(i);
        }
        Assert.False(
            _node.Session.Plugin.Process.HasExited,
            $"the plugin died during the {name} batch; stderr tail:\n{string.Join("\n", _node.Session.Plugin.StderrLines.TakeLast(30))}"
        );
        var info = await _node.Session.Plugin.Base.PluginInfoAsync(new PluginInfoRequest(), Deadline);
        Assert.Equal(PluginType.Driver, info.Type);
        _rssSamples.Add(HostProcesses.RssKib(Pid));
    }

    private async Task GiantAsync(VmTask task, TaskHandle exited, int i)
    {
        switch (i % 4)
        {
            case 0:
                await _outcomes.CallAsync(
                    "SetConfig",
                    "giant",
                    async () =>
                        await _node.Session.Plugin.Base.SetConfigAsync(
                            new SetConfigRequest
                            {
                                MsgpackConfig = ByteString.CopyFrom(_msgpack.Giant(s_pluginKeys)),
                                PluginApiVersion = "v0.1.0",
                            },
                            Deadline
                        )
                );
                await RestoreConfigAsync();
                break;
            case 1:
                await StartAsync(task.TaskConfig(_msgpack.Giant(s_taskKeys), 128), "giant", $"{task.TaskId}-g{i}");
                break;
            case 2:
                var handle = ChaosNode.AsNomadStoresIt(exited);
                handle.DriverState = ByteString.CopyFrom(_msgpack.Giant(s_stateKeys));
                await _outcomes.CallAsync(
                    "RecoverTask",
                    "giant",
                    async () => await Driver.RecoverTaskAsync(new RecoverTaskRequest { Handle = handle }, Deadline)
                );
                break;
            default:
                var id = new string('i', 200_000);
                await _outcomes.CallAsync(
                    "InspectTask",
                    "200 KB id",
                    async () => await Driver.InspectTaskAsync(new InspectTaskRequest { TaskId = id }, Deadline)
                );
                await _outcomes.CallAsync(
                    "StopTask",
                    "200 KB id",
                    async () => await Driver.StopTaskAsync(new StopTaskRequest { TaskId = id }, Deadline)
                );
                break;
        }
    }

    private async Task SetConfigAsync()
    {
        var (kind, bytes) = _msgpack.Next(_node.PluginConfig, s_pluginKeys);
        await _outcomes.CallAsync(
            "SetConfig",
            kind,
            async () =>
                await _node.Session.Plugin.Base.SetConfigAsync(
                    new SetConfigRequest { MsgpackConfig = ByteString.CopyFrom(bytes), PluginApiVersion = "v0.1.0" },
                    Deadline
                )
        );
    }

    private async Task RestoreConfigAsync() =>
        await _node.Session.Plugin.Base.SetConfigAsync(
            new SetConfigRequest
            {
                MsgpackConfig = ByteString.CopyFrom(_node.PluginConfig),
                PluginApiVersion = "v0.1.0",
            },
            Deadline
        );

    private async Task StartWithConfigAsync(VmTask task, byte[] validConfig, int i)
    {
        var (kind, bytes) = _msgpack.Next(validConfig, s_taskKeys);
        await StartAsync(task.TaskConfig(bytes, 128), kind, $"{task.TaskId}-c{i}");
    }

    private async Task StartWithFieldsAsync(VmTask task, byte[] validConfig, int i) =>
        await StartAsync(_proto.TaskConfig(task, validConfig, $"{task.TaskId}-f{i}"), "hostile fields", null);

    /// <summary>A hostile config can still be a valid one (a flipped boolean): then a real VM starts, and is removed again.</summary>
    private async Task StartAsync(TaskConfig config, string kind, string? id)
    {
        if (id is not null)
        {
            config.Id = id;
        }
        var started = false;
        await _outcomes.CallAsync(
            "StartTask",
            kind,
            async () =>
            {
                await Driver.StartTaskAsync(new StartTaskRequest { Task = config }, Deadline);
                started = true;
            }
        );
        if (started)
        {
            _vmsStarted++;
            await Driver.StopTaskAsync(
                new StopTaskRequest { TaskId = config.Id, Timeout = VmTask.Seconds(0) },
                Deadline
            );
            await Driver.DestroyTaskAsync(new DestroyTaskRequest { TaskId = config.Id, Force = true }, Deadline);
        }
    }

    /// <summary>Garbage and mutated driver_state; the pids in a mutated state belong to a VM that is gone.</summary>
    private async Task RecoverAsync(TaskHandle exited)
    {
        var handle = ChaosNode.AsNomadStoresIt(exited);
        var (kind, bytes) = _msgpack.Next(exited.DriverState.ToByteArray(), s_stateKeys);
        handle.DriverState = ByteString.CopyFrom(bytes);
        handle.Config.Id = _proto.Id();
        handle.Version = _random.Next(4) == 0 ? _random.Next(int.MinValue, int.MaxValue) : 1;
        var request = new RecoverTaskRequest { Handle = handle, TaskId = _proto.Id() };
        var recovered = false;
        await _outcomes.CallAsync(
            "RecoverTask",
            kind,
            async () =>
            {
                await Driver.RecoverTaskAsync(request, Deadline);
                recovered = true;
            }
        );
        // The driver takes the id from the handle's config, falling back to task_id when that is empty.
        var id = handle.Config.Id.Length > 0 ? handle.Config.Id : request.TaskId;
        if (recovered)
        {
            await _outcomes.CallAsync(
                "DestroyTask",
                "recovered garbage",
                async () =>
                    await Driver.DestroyTaskAsync(new DestroyTaskRequest { TaskId = id, Force = true }, Deadline)
            );
        }
    }

    private async Task StatsAsync(string taskId, double cutAfterSeconds = 3)
    {
        using var cut = new CancellationTokenSource(TimeSpan.FromSeconds(cutAfterSeconds));
        await _outcomes.CallAsync(
            "TaskStats",
            "hostile interval",
            async () =>
            {
                using var stream = Driver.TaskStats(
                    new TaskStatsRequest { TaskId = taskId, CollectionInterval = _proto.Duration() },
                    cancellationToken: cut.Token
                );
                await stream.ResponseStream.MoveNext(cut.Token);
            },
            cut.Token
        );
    }

    /// <summary>Hostile controls aimed at a running VM: odd stats intervals, malformed stop timeouts, junk signals.</summary>
    private async Task LiveVmAsync(VmTask task, byte[] config, int count)
    {
        var id = $"{task.TaskId}-live";
        var vm = task.TaskConfig(config, 128);
        vm.Id = id;
        await Driver.StartTaskAsync(new StartTaskRequest { Task = vm }, Deadline);
        _vmsStarted++;
        for (var i = 0; i < count; i++)
        {
            await (
                _random.Next(3) switch
                {
                    0 => StatsAsync(id, cutAfterSeconds: 0.3),
                    1 => _outcomes.CallAsync(
                        "SignalTask",
                        "junk signal",
                        async () =>
                            await Driver.SignalTaskAsync(
                                new SignalTaskRequest
                                {
                                    TaskId = id,
                                    Signal = _msgpack.RandomUnicode(_random.Next(0, 6)) + "#",
                                },
                                Deadline
                            )
                    ),
                    _ => _outcomes.CallAsync(
                        "StopTask",
                        "malformed timeout",
                        async () =>
                            await Driver.StopTaskAsync(
                                new StopTaskRequest
                                {
                                    TaskId = id,
                                    Timeout = new Google.Protobuf.WellKnownTypes.Duration
                                    {
                                        Seconds = 1,
                                        Nanos = -_random.Next(1, 1000),
                                    },
                                },
                                Deadline
                            )
                    ),
                }
            );
        }
        var inspect = await Driver.InspectTaskAsync(new InspectTaskRequest { TaskId = id }, Deadline);
        Assert.Equal(TaskState.Running, inspect.Task.State);
        await Driver.StopTaskAsync(new StopTaskRequest { TaskId = id, Timeout = VmTask.Seconds(0) }, Deadline);
        await Driver.DestroyTaskAsync(new DestroyTaskRequest { TaskId = id, Force = true }, Deadline);
    }

    private async Task OtherRpcsAsync()
    {
        var id = _proto.Id();
        var roll = _random.Next(8);
        await (
            roll switch
            {
                0 => _outcomes.CallAsync(
                    "InspectTask",
                    "random id",
                    async () => await Driver.InspectTaskAsync(new InspectTaskRequest { TaskId = id }, Deadline)
                ),
                1 => _outcomes.CallAsync(
                    "WaitTask",
                    "random id",
                    async () => await Driver.WaitTaskAsync(new WaitTaskRequest { TaskId = id }, Deadline)
                ),
                2 => _outcomes.CallAsync(
                    "DestroyTask",
                    "random id",
                    async () =>
                        await Driver.DestroyTaskAsync(
                            new DestroyTaskRequest { TaskId = id, Force = _random.Next(2) == 0 },
                            Deadline
                        )
                ),
                3 => _outcomes.CallAsync(
                    "SignalTask",
                    "random id",
                    async () =>
                        await Driver.SignalTaskAsync(
                            new SignalTaskRequest { TaskId = id, Signal = _msgpack.RandomUnicode(_random.Next(0, 10)) },
                            Deadline
                        )
                ),
                4 => _outcomes.CallAsync(
                    "ExecTask",
                    "random",
                    async () =>
                        await Driver.ExecTaskAsync(
                            new ExecTaskRequest
                            {
                                TaskId = id,
                                Command = { _msgpack.RandomUnicode(4) },
                                Timeout = _proto.Duration(),
                            },
                            Deadline
                        )
                ),
                5 => _outcomes.CallAsync(
                    "CreateNetwork",
                    "random",
                    async () => await Driver.CreateNetworkAsync(new CreateNetworkRequest { AllocId = id }, Deadline)
                ),
                6 => _outcomes.CallAsync(
                    "TaskConfigSchema",
                    "-",
                    async () => await Driver.TaskConfigSchemaAsync(new TaskConfigSchemaRequest(), Deadline)
                ),
                _ => _outcomes.CallAsync(
                    "Capabilities",
                    "-",
                    async () => await Driver.CapabilitiesAsync(new CapabilitiesRequest(), Deadline)
                ),
            }
        );
    }

    /// <summary>A real start gives a real driver_state to mutate; the VM is gone before the sweep uses it.</summary>
    private async Task<TaskHandle> StartStopDestroyAsync(VmTask task, byte[] config)
    {
        var handle = (await _node.StartVmAsync(task, config)).Handle;
        await Driver.StopTaskAsync(new StopTaskRequest { TaskId = task.TaskId, Timeout = VmTask.Seconds(0) }, Deadline);
        await Driver.DestroyTaskAsync(new DestroyTaskRequest { TaskId = task.TaskId, Force = true }, Deadline);
        return handle;
    }
}
