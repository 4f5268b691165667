using NomadQemu.Core.Cty;

namespace NomadQemu.Core.Tests.Cty;

public sealed class CtyMsgpackEncodeTests
{
    [Theory]
    [InlineData("0", "00")]
    [InlineData("127", "7f")]
    [InlineData("128", "cc80")]
    [InlineData("255", "ccff")]
    [InlineData("256", "cd0100")]
    [InlineData("65535", "cdffff")]
    [InlineData("65536", "ce00010000")]
    [InlineData("4294967295", "ceffffffff")]
    [InlineData("4294967296", "cf0000000100000000")]
    [InlineData("9223372036854775807", "cf7fffffffffffffff")]
    [InlineData("-1", "ff")]
    [InlineData("-32", "e0")]
    [InlineData("-33", "d0df")]
    [InlineData("-128", "d080")]
    [InlineData("-129", "d1ff7f")]
    [InlineData("-32769", "d2ffff7fff")]
    [InlineData("-2147483649", "d3ffffffff7fffffff")]
    [InlineData("0.5", "cb3fe0000000000000")]
    [InlineData("-2.25", "cbc002000000000000")]
    // Beyond int64: decimal text (go-cty >= 1.15, Nomad >= 1.9.5).
    [InlineData("1e20", "b5313030303030303030303030303030303030303030")]
    // No float64 holds 0.1 exactly, and cty keeps numbers exact: text.
    [InlineData("0.1", "a3302e31")]
    public void Encode_Number_UsesGoCtyForm(string number, string expectedHex)
    {
        // Arrange
        Assert.True(CtyNumber.TryParse(number, out var value));

        // Act
        var bytes = CtyMsgpack.Encode(value);

        // Assert
        Assert.Equal(expectedHex, Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void Encode_Map_SortsKeysBytewise()
    {
        // "\uFF21" (3 UTF-8 bytes, EF BC A1) sorts after "\U0001F600" (F0 ...) in UTF-16 ordinal but before it bytewise.
        CtyMap map = new([
            KeyValuePair.Create("b", (CtyValue)CtyBool.True),
            KeyValuePair.Create("\U0001F600", (CtyValue)CtyValue.Null),
            KeyValuePair.Create("a", (CtyValue)CtyBool.False),
            KeyValuePair.Create("\uFF21", (CtyValue)CtyValue.Null),
        ]);

        var bytes = CtyMsgpack.Encode(map);
        var decoded = Assert.IsType<CtyMap>(CtyMsgpack.Decode(bytes));

        Assert.Equal(["a", "b", "\uFF21", "\U0001F600"], decoded.Keys);
    }

    [Fact]
    public void Encode_StringsAndScalars_UseCompactHeaders()
    {
        CtyList list = new([
            new CtyString("abc"),
            new CtyString(new string('x', 32)),
            CtyValue.Null,
            CtyBool.True,
            CtyBool.False,
        ]);

        var hex = Convert.ToHexStringLower(CtyMsgpack.Encode(list));

        Assert.Equal(
            "95" + "a3616263" + "d920" + new string('x', 32).Select(_ => "78").Aggregate(string.Concat) + "c0c3c2",
            hex
        );
    }

    [Fact]
    public void EncodeThenDecode_NestedConfig_RoundTrips()
    {
        var config = CtyValue.FromPlain(
            new Dictionary<string, object?>
            {
                ["image_path"] = "local/disk.qcow2",
                ["args"] = new[] { "-smp", "2" },
                ["port_map"] = new object[]
                {
                    new Dictionary<string, object?> { ["http"] = 80, ["ssh"] = 22 },
                },
                ["graceful_shutdown"] = true,
                ["vcpus"] = null,
                ["ratio"] = 0.75,
            }
        );

        var decoded = CtyMsgpack.Decode(CtyMsgpack.Encode(config));

        // Keys come back sorted; compare the sorted form.
        CtyMap expected = new(((CtyMap)config).Entries.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal(expected, decoded);
    }
}
