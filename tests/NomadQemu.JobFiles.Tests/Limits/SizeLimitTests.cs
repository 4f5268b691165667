using NomadQemu.JobFiles.Hcl;
using static NomadQemu.JobFiles.Tests.Hcl.HclTestHelpers;
using static NomadQemu.JobFiles.Tests.Jobs.JobTestHelpers;

namespace NomadQemu.JobFiles.Tests.Limits;

/// <summary>Inputs that would take unbounded memory end in a positioned error naming the limit.</summary>
public sealed class SizeLimitTests
{
    private static HclException JobParseError(string text) => Jobs.JobTestHelpers.ParseError(text);

    private static HclException EvalError(string expression) => Assert.Throws<HclException>(() => Eval(expression));

    [Theory]
    [InlineData("1e999999999")]
    [InlineData("79228162514264337593543950336")]
    public void HugeNumber_IsTooLarge(string literal) =>
        Assert.Contains("is too large", EvalError(literal).Detail, StringComparison.Ordinal);

    [Fact]
    public void NumberLiteralWithAMillionDigits_IsRefusedBeforeParsing()
    {
        var error = EvalError(new string('7', 1_000_000));
        Assert.Contains("longer than the limit of 100 characters", error.Detail, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 300, "the message must not repeat the digits");
    }

    [Fact]
    public void LongNumberInAString_IsNotANumber() =>
        Assert.Contains(
            "cannot convert",
            EvalError($"tonumber(\"{new string('1', 10_000)}\")").Detail,
            StringComparison.Ordinal
        );

    [Fact]
    public void ListLiteralOverTheItemLimit_IsAJobParseError()
    {
        var text = "[" + string.Join(",", Enumerable.Repeat("0", HclLimits.MaxCollectionItems + 1)) + "]";
        var error = EvalError(text);
        Assert.Contains($"more than {HclLimits.MaxCollectionItems} items", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ConcatOverTheItemLimit_IsAnError()
    {
        var list = "[" + string.Join(",", Enumerable.Repeat("0", 40_000)) + "]";
        var error = EvalError($"concat({list}, {list})");
        Assert.Contains("concat(): the result would have 80000 items", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void DoublingStringsThroughLocals_StopsAtTheStringLimit()
    {
        var locals = string.Join(
            "\n",
            Enumerable.Range(1, 40).Select(i => $"  s{i} = \"${{local.s{i - 1}}}${{local.s{i - 1}}}\"")
        );
        var text =
            $"locals {{\n  s0 = \"xxxxxxxx\"\n{locals}\n}}\n" + Wrap("driver = \"qemu\"\nconfig { x = local.s40 }");
        var error = JobParseError(text);
        Assert.Contains("the string would be 16777216 characters long", error.Detail, StringComparison.Ordinal);
        Assert.Equal(2 + 21, error.Line);
    }

    [Fact]
    public void DoublingListsThroughLocals_StopsAtTheWeightLimit()
    {
        // Shared halves cost nothing to build but every walk of the value would copy 2^60 items.
        var locals = string.Join(
            "\n",
            Enumerable.Range(1, 60).Select(i => $"  l{i} = [local.l{i - 1}, local.l{i - 1}]")
        );
        var text = $"locals {{\n  l0 = \"x\"\n{locals}\n}}\n" + Wrap("driver = \"qemu\"\nconfig { x = local.l60 }");
        var error = JobParseError(text);
        Assert.Contains("the list is too large", error.Detail, StringComparison.Ordinal);
        Assert.InRange(error.Line, 20, 30);
    }

    [Fact]
    public void JoinOfARepeatedLongString_IsRefusedBeforeJoining()
    {
        // The list holds two references to one 5 MB string (under the value weight limit); joined they
        // would pass the string limit.
        var locals =
            "locals {\n  big = \"${local.b}${local.b}${local.b}${local.b}${local.b}\"\n  b = \""
            + new string('y', 1_000_000)
            + "\"\n  many = [local.big, local.big]\n"
            + "  joined = join(\",\", local.many)\n}\n";
        var error = JobParseError(locals + Wrap("driver = \"qemu\"\nconfig { x = local.joined }"));
        Assert.Contains("join(): the string would be 10000001 characters long", error.Detail, StringComparison.Ordinal);
        Assert.Equal((5, 12), (error.Line, error.Column));
    }

    [Fact]
    public void FormatOfRepeatedLongStrings_IsRefused()
    {
        var args = string.Join(", ", Enumerable.Repeat("local.b", 20));
        var text =
            $"locals {{\n  b = \"{new string('z', 1_000_000)}\"\n  f = format(\"{string.Concat(Enumerable.Repeat("%s", 20))}\", {args})\n}}\n";
        var error = JobParseError(text + Wrap("driver = \"qemu\"\nconfig { x = local.f }"));
        Assert.Contains("format(): the string would be", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ManyLargeStringsTogether_ExhaustTheEvaluationBudget()
    {
        // Each string is under the string limit; together they pass the file's allocation budget.
        var locals = string.Join(
            "\n",
            Enumerable.Range(0, 40).Select(i => $"  c{i} = \"${{local.b}}${{local.b}}${{local.b}}{i}\"")
        );
        var text = $"locals {{\n  b = \"{new string('w', 1_000_000)}\"\n{locals}\n}}\n" + Wrap("driver = \"qemu\"");
        var error = JobParseError(text);
        Assert.Contains(
            "creates more than 67108864 characters and items in total",
            error.Detail,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void TooManyTokens_IsAPositionedError()
    {
        var text = string.Concat(Enumerable.Range(0, HclLimits.MaxTokens / 4 + 1).Select(i => $"a{i} = 0\n"));
        var error = JobParseError(text);
        Assert.Contains($"more than {HclLimits.MaxTokens} tokens", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeHeredoc_UnderTheFileLimit_IsRead()
    {
        var body = string.Concat(Enumerable.Repeat(new string('h', 99) + "\n", 50_000));
        var value = EvalBody($"x = <<EOT\n{body}EOT\n");
        Assert.Equal(body.Length, ((HclString)value["x"]!).Value.Length);
    }
}
