using NomadQemu.JobFiles.Hcl;
using static NomadQemu.JobFiles.Tests.Hcl.HclTestHelpers;

namespace NomadQemu.JobFiles.Tests.Hcl;

public sealed class TemplateTests
{
    [Theory]
    [InlineData(@"""a\nb""", "a\nb")]
    [InlineData(@"""tab\there""", "tab\there")]
    [InlineData(@"""q\""x\\y""", "q\"x\\y")]
    [InlineData(@"""\u00e9\U0001F600""", "é😀")]
    [InlineData(@"""cost: $${x} and %%{y}""", "cost: ${x} and %{y}")]
    [InlineData(@"""lone $ and % signs""", "lone $ and % signs")]
    [InlineData(@"""""", "")]
    public void QuotedString_Escapes_Decode(string literal, string expected) =>
        Assert.Equal(Str(expected), Eval(literal));

    [Fact]
    public void Interpolation_EvaluatesExpressions() =>
        Assert.Equal(Str("vm-web-4.txt"), Eval("\"vm-${var.name}-${var.count + 1}.txt\""));

    [Fact]
    public void Interpolation_NestedStringsAndBraces_Work() =>
        Assert.Equal(Str("x-V-y"), Eval("\"x-${upper({k = \"v\"}[\"k\"])}-y\""));

    [Fact]
    public void Interpolation_SingleExpression_KeepsItsType() => Assert.Equal(Num(3), Eval("\"${var.count}\""));

    [Fact]
    public void Interpolation_StripMarkers_TrimWhitespace() =>
        Assert.Equal(Str("a3b"), Eval("\"a  ${~ var.count ~}   b\""));

    [Theory]
    [InlineData("\"${NOMAD_TASK_DIR}/disk.img\"", "${NOMAD_TASK_DIR}/disk.img")]
    [InlineData("\"${attr.kernel.name}\"", "${attr.kernel.name}")]
    [InlineData("\"${meta.rack}-${node.class}\"", "${meta.rack}-${node.class}")]
    [InlineData("\"${env[\"HOME\"]}\"", "${env[\"HOME\"]}")]
    [InlineData("\"${ NOMAD_ALLOC_ID }\"", "${NOMAD_ALLOC_ID}")]
    [InlineData("\"${var.name}:${NOMAD_PORT_ssh}\"", "web:${NOMAD_PORT_ssh}")]
    public void Interpolation_RuntimeReferences_StayLiteral(string template, string expected) =>
        Assert.Equal(Str(expected), Eval(template));

    [Fact]
    public void Interpolation_UnknownReference_IsErrorWhenNotKept()
    {
        var context = new HclEvalContext(".") { KeepUnknownReferences = false };
        Assert.Contains(
            "unknown variable \"NOMAD_TASK_DIR\"",
            Assert.Throws<HclException>(() => Eval("\"${NOMAD_TASK_DIR}\"", context)).Message,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void Directive_IsNotSupported_WithPosition()
    {
        var error = ParseError("a = \"x %{ if true }y%{ endif }\"\n");
        Assert.Equal((1, 8), (error.Line, error.Column));
        Assert.Contains("not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Heredoc_Plain_KeepsTextAndTrailingNewline()
    {
        var body = EvalBody("script = <<EOF\n  line one\n    ${var.name}\nEOF\nafter = 1\n");
        Assert.Equal(Str("  line one\n    web\n"), body["script"]);
        Assert.Equal(Num(1), body["after"]);
    }

    [Fact]
    public void Heredoc_Indented_StripsCommonIndentation()
    {
        var body = EvalBody("x {\n  s = <<-EOT\n    first\n      second ${var.count}\n\n    third\n    EOT\n}\n");
        var block = Assert.IsType<HclObject>(Assert.IsType<HclList>(body["x"])[0]);
        Assert.Equal(Str("first\n  second 3\n\nthird\n"), block["s"]);
    }

    [Fact]
    public void Heredoc_NoEscapesButDollarEscapeWorks() =>
        Assert.Equal(
            Str("a\\nb $${x}\n".Replace("$${", "${", StringComparison.Ordinal)),
            EvalBody("v = <<E\na\\nb $${x}\nE\n")["v"]
        );

    [Fact]
    public void Heredoc_CrLfLineEndings_Work() =>
        Assert.Equal(Str("hi\r\n"), EvalBody("v = <<E\r\nhi\r\nE\r\nw = 2\r\n")["v"]);
}
