using NomadQemu.JobFiles.Hcl;
using static NomadQemu.JobFiles.Tests.Hcl.HclTestHelpers;
using static NomadQemu.JobFiles.Tests.Jobs.JobTestHelpers;

namespace NomadQemu.JobFiles.Tests.Limits;

/// <summary>Issue 10: long flat operator chains crashed validate with SIGSEGV; they must just work.</summary>
public sealed class OperatorChainTests
{
    private static string Chain(string term, string op, int count) =>
        string.Join($" {op} ", Enumerable.Repeat(term, count));

    [Fact]
    public void ThirtyThousandTermSum_EvaluatesInAJobFile()
    {
        var job = Parse(Wrap($"driver = \"qemu\"\nconfig {{\n  n = {Chain("1", "+", 30_000)}\n}}"));
        Assert.Equal(Num(30_000), SingleTask(job).Config["n"]);
    }

    [Theory]
    [InlineData("*", "1", 1)]
    [InlineData("-", "1", 2 - 100_000)]
    [InlineData("&&", "true", true)]
    [InlineData("||", "false", false)]
    [InlineData("==", "true", true)]
    public void LongChainOfOneOperator_Evaluates(string op, string term, object expected)
    {
        var value = Eval(Chain(term, op, 100_000));
        Assert.Equal(expected is bool b ? HclValue.Of(b) : Num((int)expected), value);
    }

    [Theory]
    [InlineData("1 + 2 * 3 + 4", 11)]
    [InlineData("1 * 2 + 3 * 4 - 5 % 3", 12)]
    [InlineData("10 - 3 - 2", 5)]
    [InlineData("100 / 10 / 5", 2)]
    [InlineData("2 * (3 + 4) * 5", 70)]
    [InlineData("-2 * -3 + 1", 7)]
    public void MixedPrecedence_KeepsHclMeaning(string expression, int expected) =>
        Assert.Equal(Num(expected), Eval(expression));

    [Theory]
    [InlineData("1 < 2 == true || false && false", true)]
    [InlineData("false || 1 + 1 == 2 && 3 > 2", true)]
    [InlineData("true && false || true", true)]
    [InlineData("1 == 1 != false", true)]
    public void MixedLevels_KeepHclMeaning(string expression, bool expected) =>
        Assert.Equal(HclValue.Of(expected), Eval(expression));

    [Fact]
    public void ShortCircuit_SkipsTheRestOfTheChain() =>
        // The later terms would fail (unknown function); && stops at the first false, as before.
        Assert.Equal(HclValue.False, Eval("false && nosuch() && nosuch()"));

    [Fact]
    public void ErrorInTheMiddleOfAChain_PointsAtTheBadOperand()
    {
        var error = Assert.Throws<HclException>(() => Eval("1 + 2 + \"x\" + 4"));
        Assert.Equal(9, error.Column);
        Assert.Contains("the right side of + must be a number", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void DivisionByZeroLateInAChain_IsPositioned()
    {
        var text = "  " + Chain("1", "+", 1000) + " / 0";
        var error = Assert.Throws<HclException>(() => Eval(text));
        // "/" binds tighter: the failing operation is the last "1 / 0", and the error points at it.
        Assert.Equal((1, text.LastIndexOf("1 / 0", StringComparison.Ordinal) + 1), (error.Line, error.Column));
        Assert.Contains("division by zero", error.Detail, StringComparison.Ordinal);
    }
}
