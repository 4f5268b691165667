using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using NomadQemu.Core.Qemu;
using NomadQemu.Driver;
using NomadQemu.Driver.Node;
using NomadQemu.Driver.Tasks;
using NomadQemu.Protocol.Base;
using Proto = NomadQemu.Protocol.Drivers;

namespace NomadQemu.Plugin;

/// <summary>Proto ↔ driver-core translation, and nothing else. Every sub-message Nomad reads is always set.</summary>
internal static class ProtoMapping
{
    /// <summary>Go's zero time: what Nomad expects for "not completed" (a null timestamp crashes its client).</summary>
    public static readonly Timestamp GoZeroTime = new() { Seconds = -62135596800, Nanos = 0 };

    /// <summary>The longest wait the driver honours; .NET timers refuse more than ~49 days, and no real stop needs it.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromDays(24);

    /// <summary>
    /// A request duration as a usable wait: absent → <paramref name="absent"/>, negative → zero, beyond
    /// <see cref="MaxWait"/> → MaxWait. A duration that is not normalized (nanos out of range or of the
    /// other sign) is refused by name: Duration.ToTimeSpan would otherwise throw from inside the handler.
    /// </summary>
    public static TimeSpan ToBoundedTimeSpan(Duration? duration, string field, TimeSpan absent)
    {
        if (duration is null)
        {
            return absent;
        }
        if (
            duration.Nanos is < -999_999_999 or > 999_999_999
            || (duration.Seconds > 0 && duration.Nanos < 0)
            || (duration.Seconds < 0 && duration.Nanos > 0)
        )
        {
            throw new Grpc.Core.RpcException(
                new Grpc.Core.Status(
                    Grpc.Core.StatusCode.InvalidArgument,
                    $"{field} is not a valid duration (seconds {duration.Seconds}, nanos {duration.Nanos})"
                )
            );
        }
        if (duration.Seconds < 0 || (duration.Seconds == 0 && duration.Nanos < 0))
        {
            return TimeSpan.Zero;
        }
        return duration.Seconds >= (long)MaxWait.TotalSeconds
            ? MaxWait
            : TimeSpan.FromSeconds(duration.Seconds) + TimeSpan.FromTicks(duration.Nanos / 100);
    }

    public static TaskRequest ToTaskRequest(Proto.TaskConfig task)
    {
        var resources = task.Resources;
        var allocated = resources?.AllocatedResources;
        var linux = resources?.LinuxResources;
        return new TaskRequest
        {
            TaskId = task.Id,
            TaskName = task.Name,
            AllocId = task.AllocId,
            AllocDir = task.AllocDir,
            JobName = task.JobName,
            JobId = task.JobId,
            ParentJobId = task.ParentJobId,
            Namespace = task.Namespace,
            GroupName = task.TaskGroupName,
            StdoutPath = string.IsNullOrEmpty(task.StdoutPath) ? "/dev/null" : task.StdoutPath,
            StderrPath = string.IsNullOrEmpty(task.StderrPath) ? "/dev/null" : task.StderrPath,
            Env = task.Env,
            DriverConfig = task.MsgpackDriverConfig.ToByteArray(),
            MemoryMb = allocated?.Memory?.MemoryMb ?? 0,
            MemoryMaxMb = allocated?.Memory?.MemoryMaxMb ?? 0,
            CpusetCpus = linux?.CpusetCpus ?? "",
            CgroupPath = linux?.CpusetCgroup ?? "",
            GroupPorts = resources?.Ports.Select(p => new GroupPort(p.Label, p.Value, p.To, p.HostIp)).ToList() ?? [],
            LegacyNetworks =
                allocated
                    ?.Networks.Select(n => new LegacyNetwork(n.Ip, Ports(n.ReservedPorts), Ports(n.DynamicPorts)))
                    .ToList()
                ?? [],
            NetnsPath = task.NetworkIsolationSpec
                is { Mode: Proto.NetworkIsolationSpec.Types.NetworkIsolationMode.Group } spec
                ? spec.Path
                : "",
            DnsServers = task.Dns?.Servers.ToList() ?? [],
            DnsSearches = task.Dns?.Searches.ToList() ?? [],
        };
    }

    private static List<LegacyPort> Ports(IEnumerable<Proto.NetworkPort> ports) =>
        ports.Select(p => new LegacyPort(p.Label, p.Value)).ToList();

    public static TaskStatusInfo ToStatusInfo(Proto.TaskConfig? task) =>
        new(task?.Name ?? "", task?.AllocId ?? "", task?.AllocDir ?? "");

    public static Proto.ExitResult ToExitResult(TaskExit? exit) =>
        exit is null
            ? new Proto.ExitResult()
            : new Proto.ExitResult
            {
                ExitCode = exit.ExitCode,
                Signal = exit.Signal,
                OomKilled = exit.OomKilled,
            };

    /// <summary>
    /// The most output per stream an ExecTask reply carries: Nomad's client reads replies of at most 4 MiB
    /// (gRPC's default), and script checks keep only the last few KiB anyway. The tail is kept, as Nomad's
    /// executor does.
    /// </summary>
    public const int MaxExecTaskOutputBytes = 1024 * 1024;

    public static Proto.ExecTaskResponse ToExecTaskResponse(ExecOutcome outcome) =>
        new()
        {
            Stdout = Tail(outcome.Stdout),
            Stderr = Tail(outcome.Stderr),
            Result = ToExitResult(outcome.Exit),
        };

    private static ByteString Tail(byte[] data) =>
        data.Length <= MaxExecTaskOutputBytes
            ? ByteString.CopyFrom(data)
            : ByteString.CopyFrom(data, data.Length - MaxExecTaskOutputBytes, MaxExecTaskOutputBytes);

    public static Proto.TaskStatus ToTaskStatus(TaskSnapshot snapshot) =>
        new()
        {
            Id = snapshot.TaskId,
            Name = snapshot.TaskName,
            State = snapshot.Running ? Proto.TaskState.Running : Proto.TaskState.Exited,
            StartedAt = Timestamp.FromDateTimeOffset(snapshot.StartedAt),
            CompletedAt = snapshot.CompletedAt is { } done ? Timestamp.FromDateTimeOffset(done) : GoZeroTime,
            Result = ToExitResult(snapshot.Exit),
        };

    public static Proto.NetworkOverride ToNetworkOverride(IReadOnlyDictionary<string, int> guestPorts)
    {
        var network = new Proto.NetworkOverride();
        foreach (var (label, port) in guestPorts)
        {
            network.PortMap[label] = port;
        }
        return network;
    }

    public static Proto.TaskStats ToTaskStats(TaskUsage usage) =>
        new()
        {
            Timestamp = Timestamp.FromDateTimeOffset(usage.Timestamp),
            AggResourceUsage = new Proto.TaskResourceUsage
            {
                Cpu = new Proto.CPUUsage
                {
                    UserMode = usage.UserPercent,
                    SystemMode = usage.SystemPercent,
                    Percent = usage.Percent,
                    TotalTicks = usage.TotalTicks,
                    MeasuredFields =
                    {
                        Proto.CPUUsage.Types.Fields.UserMode,
                        Proto.CPUUsage.Types.Fields.SystemMode,
                        Proto.CPUUsage.Types.Fields.Percent,
                        Proto.CPUUsage.Types.Fields.TotalTicks,
                    },
                },
                Memory = new Proto.MemoryUsage
                {
                    Rss = usage.RssBytes,
                    MeasuredFields = { Proto.MemoryUsage.Types.Fields.Rss },
                },
            },
        };

    public static Proto.DriverTaskEvent ToEvent(DriverEvent e)
    {
        var proto = new Proto.DriverTaskEvent
        {
            TaskId = e.TaskId,
            AllocId = e.AllocId,
            TaskName = e.TaskName,
            Timestamp = Timestamp.FromDateTimeOffset(e.Timestamp),
            Message = e.Message,
        };
        foreach (var (key, value) in e.Annotations)
        {
            proto.Annotations[key] = value;
        }
        return proto;
    }

    public static Proto.FingerprintResponse ToFingerprint(Fingerprint fingerprint)
    {
        var response = new Proto.FingerprintResponse
        {
            Health = fingerprint.Health switch
            {
                DriverHealth.Healthy => Proto.FingerprintResponse.Types.HealthState.Healthy,
                DriverHealth.Unhealthy => Proto.FingerprintResponse.Types.HealthState.Unhealthy,
                _ => Proto.FingerprintResponse.Types.HealthState.Undetected,
            },
            HealthDescription = fingerprint.Description,
        };
        foreach (var (key, value) in fingerprint.Attributes)
        {
            response.Attributes[key] = value.Value switch
            {
                bool b => new Protocol.Structs.Attribute { BoolVal = b },
                long l => new Protocol.Structs.Attribute { IntVal = l },
                double d => new Protocol.Structs.Attribute { FloatVal = d },
                _ => new Protocol.Structs.Attribute { StringVal = value.ToString() },
            };
        }
        return response;
    }

    /// <summary>Nomad's Topology.Compute(): the override if set, else the sum of each core's best known speed.</summary>
    public static NodeCompute? ToNodeCompute(ClientTopology? topology)
    {
        if (topology is null || topology.Cores.Count == 0)
        {
            return null;
        }
        var total =
            topology.OverrideTotalCompute > 0
                ? topology.OverrideTotalCompute
                : topology.Cores.Sum(c =>
                    (double)(
                        c.BaseSpeed > 0 ? c.BaseSpeed
                        : c.MaxSpeed > 0 ? c.MaxSpeed
                        : c.GuessSpeed
                    )
                );
        return new NodeCompute(total, topology.Cores.Count);
    }
}
