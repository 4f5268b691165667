using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles.Tests.Hcl;

internal static class HclTestHelpers
{
    public static HclEvalContext Context(Dictionary<string, string>? environment = null)
    {
        var context = new HclEvalContext(AppContext.BaseDirectory)
        {
            ReadEnvironment = name => environment?.GetValueOrDefault(name),
        };
        context.Variables["var"] = new HclObject([
            new("name", new HclString("web")),
            new("count", new HclNumber(3)),
            new("list", new HclList([new HclString("a"), new HclString("b")])),
            new("map", new HclObject([new("k", new HclString("v"))])),
        ]);
        return context;
    }

    public static HclValue Eval(string expression, HclEvalContext? context = null) =>
        HclParser.ParseExpression(expression).Evaluate(context ?? Context());

    public static HclObject EvalBody(string text, HclEvalContext? context = null) =>
        HclParser.Parse(text, "test.hcl").ToValue(context ?? Context());

    public static HclException ParseError(string text) =>
        Assert.Throws<HclException>(() => HclParser.Parse(text, "bad.hcl"));

    public static HclValue Str(string value) => new HclString(value);

    public static HclValue Num(decimal value) => new HclNumber(value);
}
