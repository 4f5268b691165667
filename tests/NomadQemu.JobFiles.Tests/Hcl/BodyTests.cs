using NomadQemu.JobFiles.Hcl;
using static NomadQemu.JobFiles.Tests.Hcl.HclTestHelpers;

namespace NomadQemu.JobFiles.Tests.Hcl;

public sealed class BodyTests
{
    [Fact]
    public void Blocks_LabelsQuotedAndBare_AreRead()
    {
        var body = HclParser.Parse("job \"web\" {\n  group api {\n  }\n}\n", "t.hcl");
        var job = Assert.Single(body.Blocks);
        Assert.Equal(("job", "web"), (job.Type, job.Labels[0]));
        var group = Assert.Single(job.Body.Blocks);
        Assert.Equal(["api"], group.Labels);
        Assert.Equal(new HclPosition("t.hcl", 2, 3), group.Position);
        Assert.Equal(new HclPosition("t.hcl", 2, 9), group.LabelPositions[0]);
    }

    [Fact]
    public void OneLineBlocks_AndEmptyBlocks_Parse()
    {
        var body = EvalBody("port \"ssh\" { to = 22 }\nempty {}\n");
        var ports = Assert.IsType<HclList>(body["port"]);
        Assert.Equal(new HclObject([new("ssh", new HclObject([new("to", Num(22))]))]), ports[0]);
        Assert.Equal(new HclList([HclObject.Empty]), body["empty"]);
    }

    [Fact]
    public void Comments_AllThreeKinds_AreIgnored()
    {
        var body = EvalBody("# hash\na = 1 // slashes\n/* block\n comment */ b = 2 # trailing\nc = /* inline */ 3\n");
        Assert.Equal(["a", "b", "c"], body.Keys);
        Assert.Equal(Num(3), body["c"]);
    }

    [Fact]
    public void RepeatedBlocks_BecomeListUnderType()
    {
        var body = EvalBody("disk { size = 1 }\ndisk { size = 2 }\n");
        Assert.Equal(2, Assert.IsType<HclList>(body["disk"]).Count);
    }

    [Fact]
    public void DuplicateAttribute_IsPositionedError()
    {
        var error = ParseError("a = 1\n  a = 2\n");
        Assert.Equal((2, 3), (error.Line, error.Column));
        Assert.Contains("already set at bad.hcl:1:1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AttributeAndBlockOfSameName_IsError() =>
        Assert.Contains(
            "both an attribute",
            Assert.Throws<HclException>(() => EvalBody("x = 1\nx {}\n")).Message,
            StringComparison.Ordinal
        );

    [Fact]
    public void EmptyFile_IsEmptyBody()
    {
        Assert.Empty(HclParser.Parse("", "e.hcl").Attributes);
        Assert.Empty(HclParser.Parse("\n\n# only a comment\n", "e.hcl").Blocks);
    }

    [Fact]
    public void NoTrailingNewline_Parses() => Assert.Equal(Num(1), EvalBody("a { b = 1 }\nc = 1")["c"]);

    [Fact]
    public void IdentifiersWithDashes_AreNames() => Assert.Equal(Num(1), EvalBody("my-name = 1")["my-name"]);
}
