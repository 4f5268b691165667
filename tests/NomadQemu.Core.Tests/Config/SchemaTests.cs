using NomadQemu.Core.Config.Schema;
using NomadQemu.Core.Cty;

namespace NomadQemu.Core.Tests.Config;

public sealed class SchemaTests
{
    [Theory]
    [InlineData("\"auto\"", "auto")]
    [InlineData("\"a \\\"q\\\" \\\\ b\"", "a \"q\" \\ b")]
    public void HclLiteral_String_Unescapes(string literal, string expected)
    {
        Assert.Equal(new CtyString(expected), HclLiteral.Parse(literal));
    }

    [Fact]
    public void HclLiteral_ScalarsAndCollections_Parse()
    {
        Assert.Equal(CtyBool.True, HclLiteral.Parse("true"));
        Assert.Equal(CtyValue.Null, HclLiteral.Parse(" null "));
        Assert.Equal(CtyNumber.FromInt64(-3), HclLiteral.Parse("-3"));
        Assert.Equal(CtyList.Empty, HclLiteral.Parse("[]"));
        Assert.Equal(new CtyList([new CtyString("a"), CtyNumber.FromInt64(1)]), HclLiteral.Parse("[\"a\", 1]"));
        Assert.Equal(
            new CtyMap([KeyValuePair.Create("k", (CtyValue)CtyBool.False)]),
            HclLiteral.Parse("{ k = false }")
        );
    }

    [Theory]
    [InlineData("\"open")]
    [InlineData("upper(\"x\")")]
    [InlineData("[1,")]
    [InlineData("true false")]
    public void HclLiteral_Unsupported_ThrowsArgumentException(string literal)
    {
        Assert.Throws<ArgumentException>(() => HclLiteral.Parse(literal));
    }

    [Theory]
    [InlineData("string", "a string")]
    [InlineData("list(string)", "a list of strings")]
    [InlineData("list(map(number))", "a list of maps of numbers")]
    [InlineData("map(any)", "a map of values")]
    [InlineData("any", "any value")]
    public void HclType_Parse_DescribesType(string expression, string description)
    {
        var type = HclType.Parse(expression);

        Assert.Equal(description, type.Description);
        Assert.Equal(expression, type.ToString());
    }

    [Theory]
    [InlineData("object({a=string})")]
    [InlineData("list(")]
    [InlineData("strings")]
    public void HclType_Unsupported_Throws(string expression)
    {
        Assert.Throws<ArgumentException>(() => HclType.Parse(expression));
    }
}
