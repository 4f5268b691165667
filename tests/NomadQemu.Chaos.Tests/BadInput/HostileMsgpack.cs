using System.Text;
using NomadQemu.TestKit;

namespace NomadQemu.Chaos.Tests.BadInput;

/// <summary>
/// Hostile msgpack for config and driver_state fields, from one seeded <see cref="Random"/> so any failure
/// reproduces: random bytes, truncations and bit flips of valid documents, interesting header bytes, and
/// well-framed documents with hostile contents (huge numbers, deep nesting, wrong types, giant strings,
/// unicode, forged collection sizes). Generated strings never contain '/', so no generated value can name
/// a real directory on the host.
/// </summary>
public sealed class HostileMsgpack(Random random)
{
    private static readonly byte[] s_interestingBytes =
    [
        0x00,
        0x7f,
        0x80,
        0x8f,
        0x90,
        0x9f,
        0xa0,
        0xbf,
        0xc0,
        0xc1,
        0xc2,
        0xc3,
        0xc4,
        0xc7,
        0xca,
        0xcb,
        0xcf,
        0xd3,
        0xd4,
        0xd9,
        0xdb,
        0xdc,
        0xdd,
        0xde,
        0xdf,
        0xe0,
        0xff,
    ];

    public const int GiantStringBytes = 5 * 1024 * 1024;
    public const int DeepNestingLevels = 10_000;

    /// <summary>One hostile document derived from <paramref name="valid"/> (whose top level is a map with these keys).</summary>
    public (string Kind, byte[] Bytes) Next(byte[] valid, IReadOnlyList<string> keys)
    {
        var roll = random.Next(100);
        return roll switch
        {
            < 12 => ("random bytes", RandomBytes(random.Next(0, random.Next(10) == 0 ? 4096 : 64))),
            < 24 => ("truncated", valid[..random.Next(0, valid.Length)]),
            < 44 => ("bit flips", Flip(valid, random.Next(1, 5))),
            < 54 => ("interesting bytes", Splat(valid)),
            < 84 => ("hostile value", Document(keys, (random.Next(keys.Count), HostileValue(depth: 0)))),
            < 88 => ("unknown key", Document([.. keys, RandomString(random.Next(1, 40))], null)),
            < 93 => ("deep nesting", Deep(random.Next(2) == 0)),
            < 97 => ("forged collection size", Forged()),
            _ => ("trailing bytes", [.. valid, .. RandomBytes(random.Next(1, 8))]),
        };
    }

    /// <summary>A 5 MB string as one value, or as a key. Sent in their own batch: see the sweep's memory check.</summary>
    public byte[] Giant(IReadOnlyList<string> keys) =>
        random.Next(2) == 0
            ? Document(keys, (random.Next(keys.Count), new string('x', GiantStringBytes)))
            : NomadMsgpack.Object((new string('k', GiantStringBytes), "value"));

    public byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private byte[] Flip(byte[] valid, int flips)
    {
        var copy = (byte[])valid.Clone();
        for (var i = 0; i < flips && copy.Length > 0; i++)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }
        return copy;
    }

    private byte[] Splat(byte[] valid)
    {
        var copy = (byte[])valid.Clone();
        if (copy.Length > 0)
        {
            copy[random.Next(copy.Length)] = s_interestingBytes[random.Next(s_interestingBytes.Length)];
        }
        return copy;
    }

    /// <summary>The valid document's keys, each with a plausible value, except one replaced by a hostile one.</summary>
    private byte[] Document(IReadOnlyList<string> keys, (int Index, object? Value)? hostile)
    {
        var entries = keys.Select((k, i) => (k, hostile is { } h && h.Index == i ? h.Value : PlainValue())).ToArray();
        return NomadMsgpack.Object(entries);
    }

    private object? PlainValue() =>
        random.Next(3) switch
        {
            0 => null,
            1 => RandomString(random.Next(0, 12)),
            _ => (long)random.Next(0, 1000),
        };

    public object? HostileValue(int depth)
    {
        var roll = random.Next(depth > 3 ? 12 : 15);
        return roll switch
        {
            0 => long.MaxValue,
            1 => long.MinValue,
            2 => new NomadMsgpack.Raw([0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // uint64 max
            3 => random.Next(4) switch
            {
                0 => double.NaN,
                1 => double.PositiveInfinity,
                2 => 1e308,
                _ => -double.Epsilon,
            },
            4 => new NomadMsgpack.NumberText(
                random.Next(2) == 0 ? "1e400" : "-" + new string('9', random.Next(20, 400))
            ),
            5 => random.Next(2) == 0,
            6 => RandomUnicode(random.Next(0, 64)),
            7 => "",
            8 => new NomadMsgpack.Raw([0xc4, 0x03, 0x01, 0x02, 0x03]), // binary where text is expected
            9 => new NomadMsgpack.Raw([0xd4, 0x00, 0x00]), // extension: cty's "unknown value" marker
            10 => (long)random.Next(int.MinValue, int.MaxValue),
            11 => null,
            12 => Enumerable.Range(0, random.Next(0, 5)).Select(_ => HostileValue(depth + 1)).ToList(),
            13 => Enumerable
                .Range(0, random.Next(0, 4))
                .ToDictionary(
                    _ => RandomString(random.Next(0, 10)) + Guid.NewGuid().ToString("N")[..4],
                    _ => HostileValue(depth + 1)
                ),
            _ => RandomString(random.Next(200, 20_000)),
        };
    }

    /// <summary>10 000 levels of arrays or maps: a recursive decoder without a depth limit overflows its stack.</summary>
    public static byte[] Deep(bool maps, int levels = DeepNestingLevels)
    {
        var stream = new MemoryStream();
        stream.WriteByte(0x81);
        NomadMsgpack.Write(stream, "image_path");
        for (var i = 0; i < levels; i++)
        {
            if (maps)
            {
                stream.WriteByte(0x81);
                stream.WriteByte(0xa1);
                stream.WriteByte((byte)'k');
            }
            else
            {
                stream.WriteByte(0x91);
            }
        }
        stream.WriteByte(0xc0);
        return stream.ToArray();
    }

    /// <summary>Headers announcing billions of elements that are not there (an allocator-bomb if trusted).</summary>
    private byte[] Forged() =>
        random.Next(3) switch
        {
            0 => [0xdf, 0xff, 0xff, 0xff, 0xff],
            1 => [0xdd, 0x7f, 0xff, 0xff, 0xff, 0xc0],
            _ => [0x81, 0xa3, (byte)'k', (byte)'e', (byte)'y', 0xdb, 0x7f, 0xff, 0xff, 0xff, (byte)'x'],
        };

    public string RandomString(int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:=, \"'\\$%{}[]";
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(alphabet[random.Next(alphabet.Length)]);
        }
        return builder.ToString();
    }

    /// <summary>Mixed scripts, combining marks, emoji (surrogate pairs), RTL marks, NUL and control characters.</summary>
    public string RandomUnicode(int length)
    {
        string[] pieces =
        [
            "é",
            "ß",
            "Ω",
            "ж",
            "中",
            "文",
            "🙂",
            "👩‍💻",
            "\u202e",
            "\u0301",
            "\u0000",
            "\u0007",
            "\ufeff",
            "ﷺ",
            "𝔘",
            "\u2028",
            "a",
            " ",
        ];
        var builder = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            builder.Append(pieces[random.Next(pieces.Length)]);
        }
        return builder.ToString();
    }
}
