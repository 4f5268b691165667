using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.Chaos.Tests.BadInput;

/// <summary>
/// Well-formed proto messages with hostile field contents. Task names, alloc dirs and cgroup paths stay
/// inside the test's own alloc dir: the sweep must never make the driver touch the host outside it.
/// </summary>
public sealed class HostileProto(Random random, HostileMsgpack msgpack)
{
    public string Id() =>
        random.Next(8) switch
        {
            0 => "",
            1 => msgpack.RandomUnicode(random.Next(1, 30)),
            2 => new string('i', random.Next(1_000, 20_000)),
            3 => "\0",
            _ => $"{Guid.NewGuid()}/{msgpack.RandomString(random.Next(0, 12))}/{random.Next():x8}",
        };

    public long Number() =>
        random.Next(6) switch
        {
            0 => long.MinValue,
            1 => long.MaxValue,
            2 => -random.Next(),
            3 => 0,
            _ => random.Next(1, 100_000),
        };

    public int Port() =>
        random.Next(5) switch
        {
            0 => int.MinValue,
            1 => int.MaxValue,
            2 => -random.Next(1, 70_000),
            3 => random.Next(65_536, 1_000_000),
            _ => random.Next(0, 65_536),
        };

    public Duration Duration() =>
        random.Next(7) switch
        {
            0 => new Duration { Seconds = -random.Next(0, 1_000_000), Nanos = 0 },
            1 => new Duration { Seconds = 0, Nanos = 0 },
            2 => new Duration { Seconds = 315_576_000_000, Nanos = 999_999_999 },
            3 => new Duration { Seconds = long.MaxValue, Nanos = int.MaxValue },
            4 => new Duration { Seconds = random.Next(0, 3), Nanos = -random.Next(1, 999_999_999) },
            5 => new Duration { Seconds = long.MinValue, Nanos = int.MinValue },
            _ => new Duration { Seconds = 0, Nanos = random.Next(0, 5_000_000) },
        };

    /// <summary>A StartTask config for <paramref name="task"/> with random surrounding fields and the given driver config.</summary>
    public TaskConfig TaskConfig(VmTask task, byte[] driverConfig, string id)
    {
        var config = task.TaskConfig(driverConfig, 128);
        config.Id = id;
        switch (random.Next(12))
        {
            case 0:
                config.Name = msgpack.RandomUnicode(random.Next(0, 20)).Replace("/", "", StringComparison.Ordinal);
                break;
            case 1:
                config.Resources.AllocatedResources.Memory.MemoryMb = Number();
                config.Resources.AllocatedResources.Memory.MemoryMaxMb = Number();
                break;
            case 2:
                config.Resources.Ports.Clear();
                config.Resources.Ports.Add(
                    Enumerable
                        .Range(0, random.Next(0, 4))
                        .Select(_ => new PortMapping
                        {
                            Label = msgpack.RandomUnicode(random.Next(0, 8)),
                            Value = Port(),
                            To = Port(),
                            HostIp = random.Next(2) == 0 ? msgpack.RandomString(random.Next(0, 20)) : "127.0.0.1",
                        })
                );
                break;
            case 3:
                config.Env.Add(
                    msgpack.RandomString(random.Next(1, 10)) + "X",
                    msgpack.RandomUnicode(random.Next(0, 50))
                );
                break;
            case 4:
                config.Resources.LinuxResources = new LinuxResources
                {
                    CpusetCpus = random.Next(2) == 0 ? msgpack.RandomString(random.Next(0, 20)) : "0-99999",
                    CpuShares = Number(),
                    PercentTicks = random.NextDouble() * 1e9 - 5e8,
                    // A cgroup path the supervisor would write its pid into: only ever a missing dir of our own.
                    CpusetCgroup = Path.Combine(task.AllocDir, "no-such-cgroup"),
                };
                break;
            case 5:
                config.NetworkIsolationSpec = new NetworkIsolationSpec
                {
                    Mode = (NetworkIsolationSpec.Types.NetworkIsolationMode)random.Next(-1, 6),
                    Path = Path.Combine(task.AllocDir, "no-such-netns"),
                };
                break;
            case 6:
                config.Dns = new DNSConfig
                {
                    Servers = { msgpack.RandomString(random.Next(0, 30)), "::1", "999.1.1.1" },
                    Searches = { msgpack.RandomUnicode(5) },
                };
                break;
            case 7:
                config.Resources = null;
                break;
            case 8:
                config.StdoutPath = Path.Combine(task.AllocDir, "missing", "out.fifo");
                break;
            case 9:
                config.Resources.AllocatedResources.Networks.Add(
                    new NetworkResource
                    {
                        Ip = msgpack.RandomString(random.Next(0, 16)),
                        ReservedPorts =
                        {
                            new NetworkPort { Label = "http", Value = Port() },
                        },
                        DynamicPorts =
                        {
                            new NetworkPort { Label = msgpack.RandomUnicode(3), Value = Port() },
                        },
                    }
                );
                break;
            case 10:
                config.AllocId = msgpack.RandomUnicode(random.Next(0, 40));
                config.JobName = new string('j', random.Next(0, 20_000));
                break;
            default:
                config.MsgpackDriverConfig = ByteString.Empty;
                break;
        }
        return config;
    }
}
