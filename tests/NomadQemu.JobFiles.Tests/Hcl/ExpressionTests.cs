using NomadQemu.JobFiles.Hcl;
using static NomadQemu.JobFiles.Tests.Hcl.HclTestHelpers;

namespace NomadQemu.JobFiles.Tests.Hcl;

public sealed class ExpressionTests
{
    [Theory]
    [InlineData("1 + 2 * 3", 7)]
    [InlineData("(1 + 2) * 3", 9)]
    [InlineData("10 - 4 - 3", 3)]
    [InlineData("100 / 10 / 5", 2)]
    [InlineData("7 % 4 * 2", 6)]
    [InlineData("-2 * 3", -6)]
    [InlineData("- - 4", 4)]
    [InlineData("2 * -3 + 1", -5)]
    [InlineData("1.5 * 2", 3)]
    [InlineData("1e3 + 2.5e-1", 1000.25)]
    [InlineData("var.count * 2", 6)]
    [InlineData("\"4\" + 1", 5)]
    public void Arithmetic_Precedence_MatchesHcl(string expression, double expected) =>
        Assert.Equal(new HclNumber((decimal)expected), Eval(expression));

    [Theory]
    [InlineData("1 + 1 == 2", true)]
    [InlineData("1 < 2 == 2 > 1", true)]
    [InlineData("true || false && false", true)]
    [InlineData("(true || false) && false", false)]
    [InlineData("!true || true", true)]
    [InlineData("!(true || true)", false)]
    [InlineData("1 != 1 || 2 >= 2", true)]
    [InlineData("3 <= 2", false)]
    [InlineData("\"a\" == \"a\"", true)]
    [InlineData("[1, 2] == [1, 2]", true)]
    [InlineData("{a = 1} == {a = 2}", false)]
    [InlineData("1.0 == 1", true)]
    [InlineData("null == null", true)]
    public void Logic_Precedence_MatchesHcl(string expression, bool expected) =>
        Assert.Equal(HclValue.Of(expected), Eval(expression));

    [Fact]
    public void Logic_ShortCircuit_SkipsRightSide()
    {
        Assert.Equal(HclValue.True, Eval("true || 1 / 0 == 0"));
        Assert.Equal(HclValue.False, Eval("false && 1 / 0 == 0"));
    }

    [Theory]
    [InlineData("true ? 1 : 2", 1)]
    [InlineData("1 > 2 ? 1 : 2", 2)]
    [InlineData("false ? 1 : true ? 3 : 4", 3)]
    [InlineData("1 + 1 == 2 ? 10 + 1 : 0", 11)]
    public void Conditional_BindsLoosest(string expression, int expected) =>
        Assert.Equal(Num(expected), Eval(expression));

    [Fact]
    public void Conditional_OnlyEvaluatesChosenBranch() => Assert.Equal(Num(1), Eval("true ? 1 : 1 / 0"));

    [Fact]
    public void BigInteger_KeepsEveryDigit()
    {
        var value = Assert.IsType<HclNumber>(Eval("18446744073709551617"));
        Assert.Equal("18446744073709551617", value.ToString());
        Assert.Equal("36893488147419103234", ((HclNumber)Eval("18446744073709551617 * 2")).ToString());
    }

    [Fact]
    public void Number_CanonicalText_DropsTrailingZeros() => Assert.Equal("1.5", Eval("15e-1").ToString());

    [Fact]
    public void Tuple_TrailingCommaAndNewlines_Parse() =>
        Assert.Equal(new HclList([Num(1), Str("two"), HclValue.True]), Eval("[\n 1,\n \"two\",\n true,\n]"));

    [Fact]
    public void Object_MixedSeparatorsAndKeyForms_KeepOrder()
    {
        var value = Assert.IsType<HclObject>(Eval("{\n  b = 1, \"a.b\" : 2\n  c = [3]\n  (var.name) = 4\n}"));
        Assert.Equal(["b", "a.b", "c", "web"], value.Keys);
        Assert.Equal(Num(2), value["a.b"]);
    }

    [Fact]
    public void Object_KeyNamedFor_IsAKeyNotAForExpression() =>
        Assert.Equal(Num(1), ((HclObject)Eval("{ for = 1 }"))["for"]);

    [Fact]
    public void Template_SingleInterpolationOfList_YieldsTheList() =>
        Assert.Equal(new HclList([Num(1)]), Eval("\"${[1]}\""));

    [Fact]
    public void Traversal_AttributesAndIndexes_Resolve()
    {
        Assert.Equal(Str("b"), Eval("var.list[1]"));
        Assert.Equal(Str("v"), Eval("var.map[\"k\"]"));
        Assert.Equal(Str("v"), Eval("var.map.k"));
        Assert.Equal(Str("a"), Eval("var.list.0"));
        Assert.Equal(Num(2), Eval("[1, 2][1]"));
        Assert.Equal(Num(5), Eval("{a = {b = 5}}.a.b"));
    }

    [Fact]
    public void Traversal_UndefinedVariable_IsPositionedError()
    {
        var error = Assert.Throws<HclException>(() => Eval("1 + var.nope"));
        Assert.Contains("undefined variable \"var.nope\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, error.Column);
    }

    [Fact]
    public void Traversal_IndexOutOfRange_IsError() =>
        Assert.Contains(
            "out of range",
            Assert.Throws<HclException>(() => Eval("var.list[5]")).Message,
            StringComparison.Ordinal
        );

    [Theory]
    [InlineData("upper(\"abc\")", "ABC")]
    [InlineData("lower(\"ABC\")", "abc")]
    [InlineData("format(\"%s-%d\", \"vm\", 3)", "vm-3")]
    [InlineData("format(\"%q %%\", \"x\")", "\"x\" %")]
    [InlineData("join(\",\", [\"a\", \"b\"], [\"c\"])", "a,b,c")]
    [InlineData("join(\"-\", concat([\"a\"], var.list))", "a-a-b")]
    [InlineData("tostring(12)", "12")]
    [InlineData("tostring(true)", "true")]
    [InlineData("env(\"HOME_DIR\")", "/home/me")]
    [InlineData("env(\"MISSING\")", "")]
    [InlineData("upper(var.list...)", "A")]
    public void Functions_StandardLibrary_Work(string expression, string expected)
    {
        var context = Context(new() { ["HOME_DIR"] = "/home/me" });
        if (expression.Contains("...", StringComparison.Ordinal))
        {
            // upper takes one argument: expanding a two-item list must fail with the call's position.
            var error = Assert.Throws<HclException>(() => Eval(expression, context));
            Assert.Contains("upper(): expected 1 argument, got 2", error.Message, StringComparison.Ordinal);
            return;
        }
        Assert.Equal(Str(expected), Eval(expression, context));
    }

    [Fact]
    public void Functions_LengthAndToNumber_Work()
    {
        Assert.Equal(Num(2), Eval("length(var.list)"));
        Assert.Equal(Num(1), Eval("length(var.map)"));
        Assert.Equal(Num(5), Eval("length(\"héllo\")"));
        Assert.Equal(Num(42.5m), Eval("tonumber(\"42.5\")"));
        Assert.Equal(HclValue.Null, Eval("tonumber(null)"));
    }

    [Fact]
    public void Functions_File_ReadsRelativeToBaseDirectory()
    {
        var directory = Directory.CreateTempSubdirectory();
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "cloud-init.yaml"), "#cloud-config\n");
            var context = new HclEvalContext(directory.FullName);
            Assert.Equal(Str("#cloud-config\n"), Eval("file(\"cloud-init.yaml\")", context));
            var error = Assert.Throws<HclException>(() => Eval("file(\"missing.txt\")", context));
            Assert.Contains("file(): cannot read", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Functions_Unknown_ListsAvailableOnes()
    {
        var error = Assert.Throws<HclException>(() => Eval("  nope(1)"));
        Assert.Equal(3, error.Column);
        Assert.Contains("unknown function \"nope\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("upper", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_WrongArgumentCount_IsError() =>
        Assert.Contains(
            "not enough arguments",
            Assert.Throws<HclException>(() => Eval("format(\"%s %s\", 1)")).Message,
            StringComparison.Ordinal
        );

    [Theory]
    [InlineData("1 / 0", "division by zero")]
    [InlineData("\"x\" + 1", "must be a number, not the string \"x\"")]
    [InlineData("!1", "must be a bool")]
    [InlineData("1 ? 2 : 3", "must be a bool")]
    [InlineData("79228162514264337593543950335 + 1", "too large")]
    [InlineData("\"x${[1]}\"", "cannot put a list value into a string template")]
    public void Evaluation_BadOperands_AreErrors(string expression, string fragment) =>
        Assert.Contains(
            fragment,
            Assert.Throws<HclException>(() => Eval(expression)).Message,
            StringComparison.Ordinal
        );
}
