using System.Text;

namespace NomadQemu.JobFiles.Tests.Fuzz;

/// <summary>
/// Generated job files aimed at each limit: long flat chains, deep nesting of every kind, deep templates,
/// values doubled through locals, huge heredocs and numbers, deep JSON. Sizes are random around and far
/// past the limits, so both sides of every limit are exercised.
/// </summary>
internal static class HostileInputs
{
    private static readonly string[] s_binaryOperators =
    [
        "+",
        "-",
        "*",
        "/",
        "%",
        "==",
        "!=",
        "<",
        ">",
        "<=",
        ">=",
        "&&",
        "||",
    ];

    private static readonly (string Open, string Close)[] s_nestings =
    [
        ("(", ")"),
        ("[", "]"),
        ("{a = ", "}"),
        ("upper(", ")"),
        ("\"${", "}\""),
        ("-", ""),
        ("!", ""),
        ("true ? ", " : 0"),
        ("x[", "]"),
        ("[for v in ", " : v]"),
        ("<<EOT\n${", "}\nEOT\n"),
    ];

    /// <summary>One generated job file; <paramref name="worst"/> picks sizes far past the limits.</summary>
    public static (string Kind, string Text) Next(Random random, bool worst = false)
    {
        var size = worst ? random.Next(20_000, 60_000) : random.Next(1, 400);
        return random.Next(9) switch
        {
            0 => ("chain", InJob(Chain(random, size))),
            1 => ("nesting", InJob(Nesting(random, size))),
            2 => ("blocks", Blocks(size)),
            3 => ("locals depth", LocalsChain(size, "[local.l{0}]")),
            4 => ("locals doubling", LocalsChain(Math.Min(size, 80), Doubler(random))),
            5 => ("number", InJob(Number(random, worst))),
            6 => ("heredoc", InJob(Heredoc(random, worst))),
            7 => ("json depth", JsonDepth(size)),
            _ => ("long list", InJob("[" + string.Join(",", Enumerable.Repeat("\"x\"", size * (worst ? 4 : 1))) + "]")),
        };
    }

    public static string InJob(string expression) =>
        $"job \"fuzz\" {{\n  group \"g\" {{\n    task \"t\" {{\n      driver = \"qemu\"\n      config {{\n        value = {expression}\n      }}\n    }}\n  }}\n}}\n";

    /// <summary>
    /// A flat chain of binary operators: arithmetic on small numbers or logic on bools (both evaluate to the
    /// end), or any operator on any operand (most stop at a type error somewhere along the chain).
    /// </summary>
    public static string Chain(Random random, int terms)
    {
        var (operators, operands) = random.Next(3) switch
        {
            0 => (new[] { "+", "-", "*" }, new[] { "1", "2", "(3)", "0.5" }),
            1 => (new[] { "&&", "||", "==" }, new[] { "true", "false", "(1 < 2)" }),
            _ => (s_binaryOperators, new[] { "1", "true", "\"2\"", "var.x", "(1)", "null" }),
        };
        var text = new StringBuilder(terms * 4);
        text.Append(operands[random.Next(operands.Length)]);
        for (var i = 1; i < terms; i++)
        {
            text.Append(' ').Append(operators[random.Next(operators.Length)]).Append(' ');
            text.Append(operands[random.Next(operands.Length)]);
        }
        return text.ToString();
    }

    public static string Nesting(Random random, int depth)
    {
        var (open, close) = s_nestings[random.Next(s_nestings.Length)];
        var text = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            text.Append(open);
        }
        text.Append(Operand(random));
        for (var i = 0; i < depth; i++)
        {
            text.Append(close);
        }
        return text.ToString();
    }

    public static string Blocks(int depth) =>
        "job \"fuzz\" {\n"
        + string.Concat(Enumerable.Repeat("b {\n", depth))
        + string.Concat(Enumerable.Repeat("}\n", depth))
        + "}\n";

    /// <summary>Locals each built from the one before: <paramref name="step"/> has {0} for the previous index.</summary>
    public static string LocalsChain(int count, string step)
    {
        var text = new StringBuilder("locals {\n  l0 = \"seed-value\"\n");
        for (var i = 1; i <= count; i++)
        {
            text.Append("  l")
                .Append(i)
                .Append(" = ")
                .Append(
                    step.Replace(
                        "{0}",
                        (i - 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        StringComparison.Ordinal
                    )
                )
                .Append('\n');
        }
        return text.Append("}\n").Append(InJob($"local.l{count}")).ToString();
    }

    public static string JsonDepth(int depth) =>
        "{\"ID\": \"fuzz\", \"TaskGroups\": [{\"Name\": \"g\", \"Tasks\": [{\"Name\": \"t\", \"Driver\": \"qemu\", \"Config\": {\"a\": "
        + new string('[', depth)
        + "1"
        + new string(']', depth)
        + "}}]}]}";

    private static string Doubler(Random random) =>
        random.Next(4) switch
        {
            0 => "\"${local.l{0}}${local.l{0}}\"",
            1 => "[local.l{0}, local.l{0}]",
            2 => "{a = local.l{0}, b = local.l{0}}",
            _ => "join(\"\", [local.l{0}, local.l{0}, local.l{0}])",
        };

    private static string Number(Random random, bool worst) =>
        random.Next(5) switch
        {
            0 => "1e999999999",
            1 => "-1e-999999999",
            2 => new string('9', worst ? 2_000_000 : random.Next(1, 200)),
            3 => "0." + new string('0', worst ? 1_000_000 : random.Next(1, 200)) + "1",
            _ => "tonumber(\"" + new string('7', random.Next(1, 1000)) + "e99\")",
        };

    private static string Heredoc(Random random, bool worst)
    {
        var lines = worst ? 70_000 : random.Next(1, 2_000);
        var line = new string('h', random.Next(1, 120)) + "${\"x\"}\n";
        return "<<-EOT\n" + string.Concat(Enumerable.Repeat(line, lines)) + "EOT\n";
    }

    private static string Operand(Random random) =>
        random.Next(6) switch
        {
            0 => "1",
            1 => "true",
            2 => "\"2\"",
            3 => "var.x",
            4 => "(1)",
            _ => random.Next(100).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
}
