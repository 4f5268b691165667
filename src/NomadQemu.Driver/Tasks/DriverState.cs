using System.Buffers;
using MessagePack;

namespace NomadQemu.Driver.Tasks;

/// <summary>
/// Everything needed to find a VM again after the plugin restarts. Nomad stores these bytes in its client
/// state DB and hands them back on RecoverTask, where <c>msgpack_driver_config</c> arrives EMPTY — so the
/// job's driver config travels here too. Encoded as a msgpack map with string keys so that
/// <c>nomad operator client-state</c> can decode it. <see cref="Version"/> is also TaskHandle.version.
/// </summary>
internal sealed record DriverState
{
    public const int Version = 1;

    public required string TaskId { get; init; }
    public required string TaskName { get; init; }
    public required string AllocId { get; init; }
    public required string TaskDir { get; init; }
    public required string RunDir { get; init; }
    public required int SupervisorPid { get; init; }
    public required ulong SupervisorStartTicks { get; init; }
    public required int QemuPid { get; init; }
    public required ulong QemuStartTicks { get; init; }
    public required string QmpSocket { get; init; }
    public string? OverlayPath { get; init; }
    public required byte[] DriverConfig { get; init; }
    public required string Accelerator { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public IReadOnlyDictionary<string, int> GuestPorts { get; init; } = new Dictionary<string, int>();

    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        var w = new MessagePackWriter(buffer);
        w.WriteMapHeader(16);
        Str(ref w, "version", Version);
        Str(ref w, "task_id", TaskId);
        Str(ref w, "task_name", TaskName);
        Str(ref w, "alloc_id", AllocId);
        Str(ref w, "task_dir", TaskDir);
        Str(ref w, "run_dir", RunDir);
        Str(ref w, "supervisor_pid", SupervisorPid);
        w.Write("supervisor_start_ticks");
        w.Write(SupervisorStartTicks);
        Str(ref w, "qemu_pid", QemuPid);
        w.Write("qemu_start_ticks");
        w.Write(QemuStartTicks);
        Str(ref w, "qmp_socket", QmpSocket);
        w.Write("overlay_path");
        if (OverlayPath is null)
        {
            w.WriteNil();
        }
        else
        {
            w.Write(OverlayPath);
        }
        w.Write("driver_config");
        w.Write(DriverConfig);
        Str(ref w, "accelerator", Accelerator);
        w.Write("started_at_unix_ms");
        w.Write(StartedAt.ToUnixTimeMilliseconds());
        w.Write("guest_ports");
        w.WriteMapHeader(GuestPorts.Count);
        foreach (var (label, port) in GuestPorts)
        {
            w.Write(label);
            w.Write(port);
        }
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void Str(ref MessagePackWriter w, string key, string value)
    {
        w.Write(key);
        w.Write(value);
    }

    private static void Str(ref MessagePackWriter w, string key, int value)
    {
        w.Write(key);
        w.Write(value);
    }

    /// <summary>Decodes bytes from <see cref="Encode"/>; anything else is a clear <see cref="FormatException"/>.</summary>
    public static DriverState Decode(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            throw new FormatException("driver_state is empty: this task was not started by this driver");
        }
        try
        {
            var r = new MessagePackReader(bytes);
            var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
            var count = r.ReadMapHeader();
            IReadOnlyDictionary<string, int> ports = new Dictionary<string, int>();
            for (var i = 0; i < count; i++)
            {
                var key = r.ReadString() ?? "";
                if (key == "guest_ports")
                {
                    ports = ReadPorts(ref r);
                    continue;
                }
                fields[key] = r.NextMessagePackType switch
                {
                    MessagePackType.Nil => ReadNil(ref r),
                    MessagePackType.String => r.ReadString(),
                    MessagePackType.Binary => r.ReadBytes()?.ToArray(),
                    MessagePackType.Integer => r.ReadInt64(),
                    _ => Skip(ref r),
                };
            }
            if (fields.GetValueOrDefault("version") is not long version || version != Version)
            {
                throw new FormatException(
                    $"driver_state version {fields.GetValueOrDefault("version")} is not supported (want {Version})"
                );
            }
            return new DriverState
            {
                TaskId = Text(fields, "task_id"),
                TaskName = Text(fields, "task_name"),
                AllocId = Text(fields, "alloc_id"),
                TaskDir = Text(fields, "task_dir"),
                RunDir = Text(fields, "run_dir"),
                SupervisorPid = (int)Number(fields, "supervisor_pid"),
                SupervisorStartTicks = (ulong)Number(fields, "supervisor_start_ticks"),
                QemuPid = (int)Number(fields, "qemu_pid"),
                QemuStartTicks = (ulong)Number(fields, "qemu_start_ticks"),
                QmpSocket = Text(fields, "qmp_socket"),
                OverlayPath = fields.GetValueOrDefault("overlay_path") as string,
                DriverConfig = fields.GetValueOrDefault("driver_config") as byte[] ?? [],
                Accelerator = Text(fields, "accelerator"),
                StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(Number(fields, "started_at_unix_ms")),
                GuestPorts = ports,
            };
        }
        catch (MessagePackSerializationException e)
        {
            throw new FormatException("driver_state is not valid msgpack: " + e.Message, e);
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException("driver_state is truncated", e);
        }
        catch (OverflowException e)
        {
            throw new FormatException("driver_state has an out-of-range number", e);
        }
        catch (ArgumentOutOfRangeException e)
        {
            // e.g. started_at_unix_ms beyond the years DateTimeOffset can hold.
            throw new FormatException($"driver_state has an out-of-range value ({e.ParamName})", e);
        }
    }

    private static Dictionary<string, int> ReadPorts(ref MessagePackReader r)
    {
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        var n = r.ReadMapHeader();
        for (var i = 0; i < n; i++)
        {
            ports[r.ReadString() ?? ""] = r.ReadInt32();
        }
        return ports;
    }

    private static object? ReadNil(ref MessagePackReader r)
    {
        r.ReadNil();
        return null;
    }

    private static object? Skip(ref MessagePackReader r)
    {
        r.Skip();
        return null;
    }

    private static string Text(Dictionary<string, object?> fields, string key) =>
        fields.GetValueOrDefault(key) as string ?? throw new FormatException($"driver_state lacks \"{key}\"");

    private static long Number(Dictionary<string, object?> fields, string key) =>
        fields.GetValueOrDefault(key) as long? ?? throw new FormatException($"driver_state lacks \"{key}\"");
}
