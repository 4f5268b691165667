namespace NomadQemu.JobFiles.Hcl;

/// <summary>The meaning of HCL's unary and binary operators on values.</summary>
internal static class Operators
{
    public static HclValue Unary(HclExpression node, TokenKind op, HclExpression operand, HclValue value) =>
        op switch
        {
            TokenKind.Minus => new HclNumber(-ToNumber(operand, value, "the operand of -")),
            TokenKind.Bang => HclValue.Of(!ToBool(operand, value, "the operand of !")),
            _ => throw node.Error($"unsupported unary operator {op}"),
        };

    /// <summary>
    /// The result of <c>left &amp;&amp; ...</c> when <paramref name="left"/> is false, or of
    /// <c>left || ...</c> when it is true; null when the right side must be evaluated.
    /// </summary>
    public static HclValue? ShortCircuits(TokenKind op, HclExpression left, HclValue value) =>
        op switch
        {
            TokenKind.And when !ToBool(left, value, "the left side of &&") => HclValue.False,
            TokenKind.Or when ToBool(left, value, "the left side of ||") => HclValue.True,
            _ => null,
        };

    /// <param name="node">The expression <c>left op right</c>; it starts where the left side starts, so
    /// errors about the left side point at it.</param>
    public static HclValue Binary(
        HclExpression node,
        TokenKind op,
        HclValue left,
        HclExpression right,
        HclEvalContext context
    )
    {
        switch (op)
        {
            case TokenKind.And:
                return HclValue.Of(
                    ToBool(node, left, "the left side of &&")
                        && ToBool(right, right.Eval(context), "the right side of &&")
                );
            case TokenKind.Or:
                return HclValue.Of(
                    ToBool(node, left, "the left side of ||")
                        || ToBool(right, right.Eval(context), "the right side of ||")
                );
            case TokenKind.Equal:
                return HclValue.Of(left.Equals(right.Eval(context)));
            case TokenKind.NotEqual:
                return HclValue.Of(!left.Equals(right.Eval(context)));
        }

        var a = ToNumber(node, left, $"the left side of {Symbol(op)}");
        var b = ToNumber(right, right.Eval(context), $"the right side of {Symbol(op)}");
        try
        {
            return op switch
            {
                TokenKind.Plus => new HclNumber(a + b),
                TokenKind.Minus => new HclNumber(a - b),
                TokenKind.Star => new HclNumber(a * b),
                TokenKind.Slash => b == 0 ? throw node.Error("division by zero") : new HclNumber(a / b),
                TokenKind.Percent => b == 0 ? throw node.Error("modulo by zero") : new HclNumber(a % b),
                TokenKind.Less => HclValue.Of(a < b),
                TokenKind.LessEqual => HclValue.Of(a <= b),
                TokenKind.Greater => HclValue.Of(a > b),
                TokenKind.GreaterEqual => HclValue.Of(a >= b),
                _ => throw node.Error($"unsupported operator {Symbol(op)}"),
            };
        }
        catch (OverflowException)
        {
            throw node.Error($"the result of {Symbol(op)} is too large for a number");
        }
    }

    /// <summary>A number, or a string that holds one (HCL converts such strings automatically).</summary>
    public static decimal ToNumber(HclExpression where, HclValue value, string role) =>
        value switch
        {
            HclNumber n => n.Value,
            HclString s when NumberText.TryParse(s.Value, out var parsed) => parsed,
            _ => throw where.Error($"{role} must be a number, not {Describe(value)}"),
        };

    /// <summary>A bool, or the strings "true"/"false" (HCL converts those automatically).</summary>
    public static bool ToBool(HclExpression where, HclValue value, string role) =>
        value switch
        {
            HclBool b => b.Value,
            HclString { Value: "true" } => true,
            HclString { Value: "false" } => false,
            _ => throw where.Error($"{role} must be a bool, not {Describe(value)}"),
        };

    private static string Describe(HclValue value) =>
        value is HclString s ? $"the string {HclValueText.Quote(s.Value)}" : value.TypeName;

    private static string Symbol(TokenKind op) =>
        op switch
        {
            TokenKind.Plus => "+",
            TokenKind.Minus => "-",
            TokenKind.Star => "*",
            TokenKind.Slash => "/",
            TokenKind.Percent => "%",
            TokenKind.Less => "<",
            TokenKind.LessEqual => "<=",
            TokenKind.Greater => ">",
            TokenKind.GreaterEqual => ">=",
            _ => op.ToString(),
        };
}
