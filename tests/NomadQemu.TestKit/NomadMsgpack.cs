using System.Buffers.Binary;
using System.Text;

namespace NomadQemu.TestKit;

/// <summary>
/// Test-side encoder written independently of the driver's: produces config bytes the way Nomad's
/// go-cty msgpack marshaller does (object keys sorted bytewise, nil for absent, non-negative integers in
/// unsigned forms, floats as float64, big numbers as decimal strings). <see cref="Raw"/> lets a test pick
/// an exact wire form (e.g. an int64 0xd3 for a small number) to check every width is accepted.
/// </summary>
public static class NomadMsgpack
{
    public sealed record Raw(byte[] Bytes);

    public sealed record NumberText(string Text);

    public static byte[] Object(params (string Key, object? Value)[] entries)
    {
        var output = new MemoryStream();
        WriteObject(output, entries.ToDictionary(e => e.Key, e => e.Value));
        return output.ToArray();
    }

    private static void WriteObject(Stream output, IDictionary<string, object?> entries)
    {
        WriteMapHeader(output, entries.Count);
        foreach (var key in entries.Keys.OrderBy(k => k, StringComparer.Ordinal))
        {
            WriteString(output, key);
            Write(output, entries[key]);
        }
    }

    public static void Write(Stream output, object? value)
    {
        switch (value)
        {
            case null:
                output.WriteByte(0xc0);
                break;
            case Raw raw:
                output.Write(raw.Bytes);
                break;
            case NumberText number:
                WriteString(output, number.Text);
                break;
            case string s:
                WriteString(output, s);
                break;
            case bool b:
                output.WriteByte(b ? (byte)0xc3 : (byte)0xc2);
                break;
            case int i:
                WriteInteger(output, i);
                break;
            case long l:
                WriteInteger(output, l);
                break;
            case double d:
                output.WriteByte(0xcb);
                Span<byte> f = stackalloc byte[8];
                BinaryPrimitives.WriteDoubleBigEndian(f, d);
                output.Write(f);
                break;
            case IDictionary<string, object?> map:
                WriteObject(output, map);
                break;
            case System.Collections.IEnumerable list:
                var items = list.Cast<object?>().ToList();
                WriteArrayHeader(output, items.Count);
                foreach (var item in items)
                {
                    Write(output, item);
                }
                break;
            default:
                throw new ArgumentException($"cannot encode {value.GetType()}");
        }
    }

    private static void WriteInteger(Stream output, long value)
    {
        Span<byte> b = stackalloc byte[9];
        if (value >= 0)
        {
            if (value < 128)
            {
                output.WriteByte((byte)value);
                return;
            }
            if (value <= byte.MaxValue)
            {
                output.WriteByte(0xcc);
                output.WriteByte((byte)value);
                return;
            }
            if (value <= ushort.MaxValue)
            {
                b[0] = 0xcd;
                BinaryPrimitives.WriteUInt16BigEndian(b[1..], (ushort)value);
                output.Write(b[..3]);
                return;
            }
            if (value <= uint.MaxValue)
            {
                b[0] = 0xce;
                BinaryPrimitives.WriteUInt32BigEndian(b[1..], (uint)value);
                output.Write(b[..5]);
                return;
            }
            b[0] = 0xcf;
            BinaryPrimitives.WriteUInt64BigEndian(b[1..], (ulong)value);
            output.Write(b);
            return;
        }
        if (value >= -32)
        {
            output.WriteByte((byte)(sbyte)value);
            return;
        }
        if (value >= sbyte.MinValue)
        {
            output.WriteByte(0xd0);
            output.WriteByte((byte)(sbyte)value);
            return;
        }
        if (value >= short.MinValue)
        {
            b[0] = 0xd1;
            BinaryPrimitives.WriteInt16BigEndian(b[1..], (short)value);
            output.Write(b[..3]);
            return;
        }
        if (value >= int.MinValue)
        {
            b[0] = 0xd2;
            BinaryPrimitives.WriteInt32BigEndian(b[1..], (int)value);
            output.Write(b[..5]);
            return;
        }
        b[0] = 0xd3;
        BinaryPrimitives.WriteInt64BigEndian(b[1..], value);
        output.Write(b);
    }

    private static void WriteString(Stream output, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        if (bytes.Length < 32)
        {
            output.WriteByte((byte)(0xa0 | bytes.Length));
        }
        else if (bytes.Length <= byte.MaxValue)
        {
            output.WriteByte(0xd9);
            output.WriteByte((byte)bytes.Length);
        }
        else if (bytes.Length <= ushort.MaxValue)
        {
            output.WriteByte(0xda);
            output.WriteByte((byte)(bytes.Length >> 8));
            output.WriteByte((byte)bytes.Length);
        }
        else
        {
            output.WriteByte(0xdb);
            Span<byte> n = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(n, bytes.Length);
            output.Write(n);
        }
        output.Write(bytes);
    }

    private static void WriteMapHeader(Stream output, int count)
    {
        if (count < 16)
        {
            output.WriteByte((byte)(0x80 | count));
        }
        else
        {
            output.WriteByte(0xde);
            output.WriteByte((byte)(count >> 8));
            output.WriteByte((byte)count);
        }
    }

    private static void WriteArrayHeader(Stream output, int count)
    {
        if (count < 16)
        {
            output.WriteByte((byte)(0x90 | count));
        }
        else
        {
            output.WriteByte(0xdc);
            output.WriteByte((byte)(count >> 8));
            output.WriteByte((byte)count);
        }
    }

    /// <summary>The full plugin config object as Nomad sends it: every schema key present.</summary>
    public static byte[] PluginConfig(
        object? imagePaths = null,
        object? argsAllowlist = null,
        object? emulatorsAllowlist = null,
        object? kvmProbe = null,
        object? stateDir = null,
        bool jail = true,
        bool sandbox = true
    ) =>
        Object(
            ("args_allowlist", argsAllowlist),
            ("emulators_allowlist", emulatorsAllowlist),
            ("image_paths", imagePaths),
            ("kvm_probe", kvmProbe ?? true),
            ("state_dir", stateDir),
            ("jail", jail),
            ("sandbox", sandbox),
            ("jail_uid_base", null),
            ("jail_uid_count", null)
        );
}
