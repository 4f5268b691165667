using System.Numerics;
using NomadQemu.Core.Config;
using NomadQemu.Core.Cty;

namespace NomadQemu.Core.Tests.Cty;

public sealed class CtyMsgpackDecodeTests
{
    [Theory]
    [InlineData("05", "5")]
    [InlineData("cc80", "128")]
    [InlineData("cd0100", "256")]
    [InlineData("ce00010000", "65536")]
    [InlineData("cfffffffffffffffff", "18446744073709551615")]
    [InlineData("ff", "-1")]
    [InlineData("d080", "-128")]
    [InlineData("d0 05", "5")] // signed forms for positive values: not what Nomad sends, still accepted
    [InlineData("d1ff7f", "-129")]
    [InlineData("d2ffff7fff", "-32769")]
    [InlineData("d38000000000000000", "-9223372036854775808")]
    [InlineData("ca3fc00000", "1.5")]
    [InlineData("cb3fe0000000000000", "0.5")]
    [InlineData("cb4415af1d78b58c40", "100000000000000000000")] // 1e20 as float64 (Nomad <= 1.9.4)
    public void Decode_EveryNumberWidth_GivesExactValue(string hex, string expected)
    {
        var value = CtyMsgpack.Decode(Convert.FromHexString(hex.Replace(" ", "")));

        var number = Assert.IsType<CtyNumber>(value);
        Assert.Equal(expected, number.Text);
    }

    [Fact]
    public void Decode_Float64OfPointOne_KeepsTheExactBinaryValue()
    {
        var number = Assert.IsType<CtyNumber>(CtyMsgpack.Decode(Convert.FromHexString("cb3fb999999999999a")));

        Assert.Equal(0.1, number.Double);
        Assert.StartsWith("0.1000000000000000055511151231257827", number.Text);
        Assert.Equal("cb3fb999999999999a", Convert.ToHexStringLower(CtyMsgpack.Encode(number)));
    }

    [Fact]
    public void Decode_Empty_IsNoConfig()
    {
        Assert.Equal(CtyValue.Null, CtyMsgpack.Decode(ReadOnlyMemory<byte>.Empty));
        Assert.Equal(CtyValue.Null, CtyMsgpack.Decode(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void Decode_DynamicWrapper_UnwrapsValue()
    {
        // [bin("\"string\""), "abc"]
        var bytes = Convert.FromHexString("92" + "c408" + "22737472696e6722" + "a3616263");

        Assert.Equal(new CtyString("abc"), CtyMsgpack.Decode(bytes));
    }

    [Fact]
    public void Decode_BigUnsigned_IsExact()
    {
        var number = Assert.IsType<CtyNumber>(CtyMsgpack.Decode(Convert.FromHexString("cfffffffffffffffff")));

        Assert.Equal(new BigInteger(ulong.MaxValue), number.Significand * BigInteger.Pow(10, number.Exponent));
        Assert.False(number.TryGetInt64(out _));
    }

    [Theory]
    [InlineData("cd01", "not valid msgpack")] // truncated uint16
    [InlineData("a5616263", "not valid msgpack")] // string shorter than its header
    [InlineData("c1", "not valid msgpack")] // never-used code
    [InlineData("8101c0", "not valid msgpack")] // integer map key
    [InlineData("82a161c0a161c0", "duplicate map key")]
    [InlineData("c0c0", "trailing bytes")]
    [InlineData("ddffffffff", "not valid msgpack")] // 4 billion elements announced, none present
    [InlineData("dfffffffff", "not valid msgpack")]
    [InlineData("c403616263", "binary")]
    [InlineData("d40000", "unknown")] // cty unknown value
    [InlineData("cb7ff0000000000000", "not finite")] // +Inf
    [InlineData("a2c328", "not valid msgpack")] // invalid UTF-8
    public void Decode_Malformed_ThrowsConfigException(string hex, string expectedFragment)
    {
        var ex = Assert.Throws<ConfigException>(() => CtyMsgpack.Decode(Convert.FromHexString(hex)));

        Assert.Contains(expectedFragment, ex.Message);
        Assert.Null(ex.Key);
    }

    [Fact]
    public void Decode_NestingBeyondLimit_ThrowsConfigException()
    {
        // 10,000 nested one-element arrays: a naive recursive decoder would overflow the stack.
        byte[] bytes = [.. Enumerable.Repeat((byte)0x91, 10_000), 0xc0];

        var ex = Assert.Throws<ConfigException>(() => CtyMsgpack.Decode(bytes));

        Assert.Contains("nested more than 64", ex.Message);
    }

    [Fact]
    public void Decode_NestingAtLimit_Succeeds()
    {
        byte[] bytes = [.. Enumerable.Repeat((byte)0x91, CtyLimits.MaxDepth), 0xc0];

        Assert.IsType<CtyList>(CtyMsgpack.Decode(bytes));
    }

    [Fact]
    public void Decode_TooManyElements_ThrowsConfigException()
    {
        var count = CtyLimits.MaxElements + 1;
        byte[] bytes =
        [
            0xdd,
            (byte)(count >> 24),
            (byte)(count >> 16),
            (byte)(count >> 8),
            (byte)count,
            .. Enumerable.Repeat((byte)0xc0, count),
        ];

        var ex = Assert.Throws<ConfigException>(() => CtyMsgpack.Decode(bytes));

        Assert.Contains("too large", ex.Message);
    }

    [Fact]
    public void Decode_StringBeyondLimit_ThrowsConfigException()
    {
        var length = CtyLimits.MaxStringBytes + 1;
        byte[] bytes =
        [
            0xdb,
            (byte)(length >> 24),
            (byte)(length >> 16),
            (byte)(length >> 8),
            (byte)length,
            .. new byte[length],
        ];

        var ex = Assert.Throws<ConfigException>(() => CtyMsgpack.Decode(bytes));

        Assert.Contains("the limit is 1048576", ex.Message);
    }

    [Fact]
    public void Decode_RandomAndMutatedBytes_OnlyEverThrowsConfigException()
    {
        // Arrange: a realistic payload, then 20,000 random mutations of it plus pure noise.
        var valid = CtyMsgpack.Encode(
            CtyValue.FromPlain(
                new Dictionary<string, object?>
                {
                    ["image_path"] = "local/linux.img",
                    ["args"] = new[] { "-nodefaults", "-smp", "4" },
                    ["port_map"] = new object[]
                    {
                        new Dictionary<string, object?> { ["ssh"] = 22, ["big"] = 70000L },
                    },
                    ["vcpus"] = -3.5,
                }
            )
        );
        Random random = new(1234);

        for (var i = 0; i < 20_000; i++)
        {
            var input = i % 4 == 0 ? RandomBytes(random) : Mutate(valid, random);

            // Act / Assert: anything but ConfigException escapes and fails the test.
            try
            {
                CtyMsgpack.Decode(input);
            }
            catch (ConfigException) { }
        }
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 64)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        var copy = valid[..random.Next(1, valid.Length + 1)];
        for (var flips = random.Next(1, 4); flips > 0; flips--)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }

        return copy;
    }
}
