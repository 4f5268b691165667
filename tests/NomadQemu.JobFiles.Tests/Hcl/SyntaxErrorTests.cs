using NomadQemu.JobFiles.Hcl;
using static NomadQemu.JobFiles.Tests.Hcl.HclTestHelpers;

namespace NomadQemu.JobFiles.Tests.Hcl;

public sealed class SyntaxErrorTests
{
    [Theory]
    [InlineData("a = \"abc\n", 1, 5, "unterminated string")]
    [InlineData("x {\n  a = \"abc", 2, 7, "unterminated string")]
    [InlineData("a = <<EOF\nline\n", 1, 5, "unterminated heredoc")]
    [InlineData("a = <<EOF\nline\n  EOFX\n", 1, 5, "unterminated heredoc")]
    [InlineData("a = <<EOF line\n", 1, 10, "invalid heredoc")]
    [InlineData(
        "job \"x\" {\n  driver \"qemu\"\n}\n",
        2,
        16,
        "expected '{' to open block \"driver\" (or '=' if \"driver\" is an attribute)"
    )]
    [InlineData("job {\n  driver\n}\n", 2, 9, "expected '=' or '{' after \"driver\"")]
    [InlineData("job \"x\" {\n  group \"g\" {\n  }\n", 4, 1, "unclosed block \"job\" opened at bad.hcl:1:9")]
    [InlineData("a = 1\n}\n", 2, 1, "unexpected '}'")]
    [InlineData("a = {\n  b = 1\n", 3, 1, "unclosed object")]
    [InlineData("a = [1, 2\n", 2, 1, "expected ',' or ']' in the list, found end of file")]
    [InlineData("a = \"x\\qy\"", 1, 7, "invalid escape sequence \"\\q\"")]
    [InlineData("a = \"x\\u12\"", 1, 7, "\\u needs 4 hex digits")]
    [InlineData("a = \"\\UFFFFFFFF\"", 1, 6, "\\U needs 8 hex digits")]
    [InlineData("a = = 1", 1, 5, "expected an expression, found '='")]
    [InlineData("a = 1 b = 2", 1, 7, "expected a newline after the attribute, found identifier \"b\"")]
    [InlineData("a = 12abc", 1, 5, "invalid number \"12abc\"")]
    [InlineData("a = 1e+", 1, 5, "invalid number \"1e+\": the exponent has no digits")]
    [InlineData("a = 1.", 1, 5, "expected digits after the decimal point")]
    [InlineData("a = 1 +", 1, 8, "expected an expression, found end of file")]
    [InlineData("a = 'x'", 1, 5, "strings use double quotes")]
    [InlineData("a = x & y", 1, 7, "did you mean &&?")]
    [InlineData("a = /* open", 1, 5, "unterminated /* comment")]
    [InlineData("a = \"${ 1 + }\"", 1, 13, "expected an expression, found '}'")]
    [InlineData("a = \"${ x \"", 1, 11, "expected '}' to close the interpolation opened at bad.hcl:1:6")]
    [InlineData("a = \"${}\"", 1, 8, "empty interpolation")]
    [InlineData("a = true ? 1\n", 1, 13, "expected ':' in the conditional expression, found newline")]
    [InlineData("a = f(1 2)", 1, 9, "expected ',' or ')' in the call to f()")]
    [InlineData("a = x[*].y", 1, 7, "splat expressions ([*]) are not supported")]
    [InlineData("a = [for s in x : s]", 1, 6, "for expressions")]
    [InlineData("a = { b 1 }", 1, 9, "expected '=' or ':' after the object key, found number 1")]
    [InlineData("a = { b = 1 c = 2 }", 1, 13, "expected ',', a newline or '}' after the object item")]
    [InlineData("\"a\" = 1", 1, 1, "expected an attribute name or block type, found string")]
    [InlineData("b \"${x}\" {}", 1, 3, "a block label must be a plain string")]
    [InlineData("a = 99999999999999999999999999999999", 1, 5, "too large")]
    public void SyntaxError_ReportsExactPositionAndMessage(string text, int line, int column, string fragment)
    {
        var error = ParseError(text);
        Assert.Equal("bad.hcl", error.FileName);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(fragment, error.Detail, StringComparison.Ordinal);
        Assert.StartsWith($"bad.hcl:{line}:{column}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_ShowsSourceLineAndCaret()
    {
        var error = ParseError("job \"x\" {\n\tdriver \"qemu\"\n}\n");
        var lines = error.Format().Split('\n');
        Assert.Equal(
            "bad.hcl:2:15: expected '{' to open block \"driver\" (or '=' if \"driver\" is an attribute), found newline",
            lines[0]
        );
        Assert.Equal("\tdriver \"qemu\"", lines[1]);
        Assert.Equal("\t             ^", lines[2]);
    }

    [Fact]
    public void DeepNesting_IsErrorNotStackOverflow()
    {
        var error = ParseError("a = " + new string('[', 5000));
        Assert.Contains("nesting is too deep", error.Message, StringComparison.Ordinal);
        Assert.Contains(
            "too deep",
            ParseError("a = " + string.Concat(Enumerable.Repeat("-", 5000)) + "1").Message,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "too deep",
            ParseError(string.Concat(Enumerable.Repeat("b {\n", 5000))).Message,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void RandomGarbage_NeverCrashesWithAnythingButHclException()
    {
        var random = new Random(1234);
        const string alphabet = "ab1 =\"{}[]()<<-EOF\n\\$%~#/*.,:?!&|+-0e$\t\r'";
        for (var i = 0; i < 3000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }
            var text = new string(chars);
            try
            {
                HclParser.Parse(text, "fuzz.hcl").ToValue(Context());
            }
            catch (HclException error)
            {
                Assert.True(error.Line >= 1, $"no position for input {HclValueText.Quote(text)}");
            }
        }
    }
}
