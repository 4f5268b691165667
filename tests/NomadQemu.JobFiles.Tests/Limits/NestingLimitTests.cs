using NomadQemu.JobFiles.Hcl;
using static NomadQemu.JobFiles.Tests.Hcl.HclTestHelpers;
using static NomadQemu.JobFiles.Tests.Jobs.JobTestHelpers;

namespace NomadQemu.JobFiles.Tests.Limits;

/// <summary>Real nesting, in syntax or in values, stops at <see cref="HclLimits.MaxNestingDepth"/> with a positioned error.</summary>
public sealed class NestingLimitTests
{
    private const int TooDeep = 30_000;

    [Theory]
    [InlineData("(", ")")]
    [InlineData("[", "]")]
    [InlineData("{a = ", "}")]
    [InlineData("f(", ")")]
    [InlineData("-", "")]
    [InlineData("!", "")]
    [InlineData("\"${", "}\"")]
    [InlineData("true ? 1 : ", "")]
    [InlineData("x[", "]")]
    public void DeepSyntax_IsAPositionedError(string open, string close)
    {
        var text =
            string.Concat(Enumerable.Repeat(open, TooDeep)) + "1" + string.Concat(Enumerable.Repeat(close, TooDeep));
        var error = Assert.Throws<HclException>(() => HclParser.ParseExpression(text, "deep.hcl"));
        Assert.Contains("nesting is too deep", error.Detail, StringComparison.Ordinal);
        Assert.Equal("deep.hcl", error.FileName);
        Assert.True(error.Line == 1 && error.Column > 1, error.Message);
    }

    [Fact]
    public void DeepBlocks_AreAPositionedError()
    {
        var text =
            string.Concat(Enumerable.Repeat("b {\n", TooDeep)) + string.Concat(Enumerable.Repeat("}\n", TooDeep));
        var error = ParseError(text);
        Assert.Contains("nesting is too deep", error.Detail, StringComparison.Ordinal);
        Assert.Equal(HclLimits.MaxNestingDepth + 1, error.Line);
    }

    [Fact]
    public void NestingJustUnderTheLimit_Parses()
    {
        var depth = HclLimits.MaxNestingDepth - 1;
        var text = new string('[', depth) + "1" + new string(']', depth);
        var value = Eval(text);
        Assert.IsType<HclList>(value);
    }

    [Fact]
    public void LocalsChainBuildingADeepValue_StopsAtTheLimit()
    {
        // Each local wraps the previous one: shallow syntax, a value 20,000 lists deep. Main crashed (SIGSEGV)
        // after 46 s of quadratic local resolution.
        var locals = string.Join("\n", Enumerable.Range(1, 20_000).Select(i => $"  l{i} = [local.l{i - 1}]"));
        var text = $"locals {{\n  l0 = 1\n{locals}\n}}\n" + Wrap("driver = \"qemu\"\nconfig { x = local.l20000 }");
        var error = Jobs.JobTestHelpers.ParseError(text);
        Assert.Contains("nests lists/objects 129 levels deep", error.Detail, StringComparison.Ordinal);
        Assert.Equal((2 + HclLimits.MaxNestingDepth + 1, 10), (error.Line, error.Column));
    }

    [Fact]
    public void ManyIndependentLocals_ResolveInDependencyOrder()
    {
        // Written backwards, so every local depends on one defined after it.
        var locals = string.Join(
            "\n",
            Enumerable.Range(0, 20_000).Reverse().Select(i => $"  l{i} = local.l{i + 1} + 1")
        );
        var text = $"locals {{\n  l20000 = 0\n{locals}\n}}\n" + Wrap("driver = \"qemu\"\nconfig { x = local.l0 }");
        Assert.Equal(Num(20_000), SingleTask(Parse(text)).Config["x"]);
    }
}
