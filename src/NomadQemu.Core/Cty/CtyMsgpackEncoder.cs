using System.Buffers;
using System.Text;
using MessagePack;

namespace NomadQemu.Core.Cty;

/// <summary>
/// Writes <see cref="CtyValue"/> the way go-cty's <c>msgpack.Marshal</c> does (vmihailenco msgpack underneath):
/// compact integers (unsigned forms for non-negative values), float64 for other exactly representable numbers,
/// decimal text for everything else, map keys sorted bytewise.
/// </summary>
internal static class CtyMsgpackEncoder
{
    public static void Encode(IBufferWriter<byte> output, CtyValue value)
    {
        MessagePackWriter writer = new(output);
        Write(ref writer, value, depth: 0);
        writer.Flush();
    }

    private static void Write(ref MessagePackWriter writer, CtyValue value, int depth)
    {
        if (depth > CtyLimits.MaxDepth)
        {
            throw new Config.ConfigException(null, $"config is nested more than {CtyLimits.MaxDepth} levels deep");
        }

        switch (value)
        {
            case CtyNull:
                writer.WriteNil();
                break;
            case CtyBool b:
                writer.Write(b.Value);
                break;
            case CtyString s:
                writer.Write(s.Value);
                break;
            case CtyNumber n:
                WriteNumber(ref writer, n);
                break;
            case CtyList list:
                writer.WriteArrayHeader(list.Count);
                foreach (var item in list.Items)
                {
                    Write(ref writer, item, depth + 1);
                }

                break;
            case CtyMap map:
                writer.WriteMapHeader(map.Count);
                foreach ((var key, var item) in map.Entries.OrderBy(e => e.Key, Utf8BytewiseComparer.Instance))
                {
                    writer.Write(key);
                    Write(ref writer, item, depth + 1);
                }

                break;
            default:
                throw new ArgumentException($"unsupported value {value.GetType().Name}", nameof(value));
        }
    }

    private static void WriteNumber(ref MessagePackWriter writer, CtyNumber number)
    {
        if (number.TryGetInt64(out var integer))
        {
            WriteInteger(ref writer, integer);
        }
        else if (!number.IsInteger && number.IsExactDouble)
        {
            writer.Write(number.Double); // always 0xcb: go-cty does not use compact floats
        }
        else
        {
            // Integers beyond int64 (go-cty >= 1.15) and values no float64 holds exactly.
            writer.Write(number.Text);
        }
    }

    private static void WriteInteger(ref MessagePackWriter writer, long value)
    {
        switch (value)
        {
            case >= 0 and <= 127:
                writer.Write((byte)value); // positive fixint
                break;
            case > 127 and <= byte.MaxValue:
                writer.WriteUInt8((byte)value);
                break;
            case > byte.MaxValue and <= ushort.MaxValue:
                writer.WriteUInt16((ushort)value);
                break;
            case > ushort.MaxValue and <= uint.MaxValue:
                writer.WriteUInt32((uint)value);
                break;
            case > uint.MaxValue:
                writer.WriteUInt64((ulong)value);
                break;
            case >= -32:
                writer.Write((sbyte)value); // negative fixint
                break;
            case >= sbyte.MinValue:
                writer.WriteInt8((sbyte)value);
                break;
            case >= short.MinValue:
                writer.WriteInt16((short)value);
                break;
            case >= int.MinValue:
                writer.WriteInt32((int)value);
                break;
            default:
                writer.WriteInt64(value);
                break;
        }
    }

    /// <summary>Go's <c>sort.Strings</c> order: bytewise over UTF-8, which differs from UTF-16 ordinal order.</summary>
    internal sealed class Utf8BytewiseComparer : IComparer<string>
    {
        public static Utf8BytewiseComparer Instance { get; } = new();

        public int Compare(string? x, string? y) =>
            Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
    }
}
