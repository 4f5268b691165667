namespace NomadQemu.JobFiles.Hcl;

/// <summary>A literal: number, bool, null or an escape-free string.</summary>
internal sealed class LiteralExpression(SourceFile source, int start, int end, HclValue value)
    : HclExpression(source, start, end)
{
    public HclValue Value { get; } = value;

    internal override IEnumerable<HclExpression> Children => [];

    private protected override HclValue Compute(HclEvalContext context) => Value;
}

/// <summary><c>[a, b, c]</c>.</summary>
internal sealed class TupleExpression(SourceFile source, int start, int end, IReadOnlyList<HclExpression> items)
    : HclExpression(source, start, end)
{
    internal override IEnumerable<HclExpression> Children => items;

    private protected override HclValue Compute(HclEvalContext context)
    {
        context.Budget.Charge(items.Count, this);
        return new HclList(items.Select(i => i.Eval(context)).ToArray());
    }
}

/// <summary><c>{ key = value, "key2" : value }</c>. A bare identifier key is the literal name, as in HCL.</summary>
internal sealed class ObjectExpression(
    SourceFile source,
    int start,
    int end,
    IReadOnlyList<(HclExpression Key, HclExpression Value)> items
) : HclExpression(source, start, end)
{
    internal override IEnumerable<HclExpression> Children => items.SelectMany(i => new[] { i.Key, i.Value });

    private protected override HclValue Compute(HclEvalContext context)
    {
        context.Budget.Charge(items.Count, this);
        var entries = new List<KeyValuePair<string, HclValue>>(items.Count);
        foreach (var (keyExpression, valueExpression) in items)
        {
            var key = keyExpression.Eval(context);
            var keyText =
                HclValueText.AsString(key)
                ?? throw keyExpression.Error($"an object key must be a string, not {key.TypeName}");
            if (key is not HclString)
            {
                context.Budget.Charge(keyText.Length, keyExpression);
            }
            entries.Add(new(keyText, valueExpression.Eval(context)));
        }
        return new HclObject(entries);
    }
}

/// <summary><c>cond ? a : b</c>; only the chosen branch is evaluated.</summary>
internal sealed class ConditionalExpression(
    SourceFile source,
    int start,
    int end,
    HclExpression condition,
    HclExpression whenTrue,
    HclExpression whenFalse
) : HclExpression(source, start, end)
{
    internal override IEnumerable<HclExpression> Children => [condition, whenTrue, whenFalse];

    private protected override HclValue Compute(HclEvalContext context) =>
        Operators.ToBool(condition, condition.Eval(context), "the condition")
            ? whenTrue.Eval(context)
            : whenFalse.Eval(context);
}

/// <summary><c>-x</c> or <c>!x</c>.</summary>
internal sealed class UnaryExpression(SourceFile source, int start, int end, TokenKind op, HclExpression operand)
    : HclExpression(source, start, end)
{
    internal override IEnumerable<HclExpression> Children => [operand];

    private protected override HclValue Compute(HclEvalContext context) =>
        Operators.Unary(this, op, operand, operand.Eval(context));
}

/// <summary>
/// <c>a op b op c ...</c> with every operator of one precedence level, left-associative:
/// <c>((a op b) op c)</c>. Kept flat, not as a tree of pairs, so that a chain of any length evaluates in a
/// loop: a left-deep tree 30,000 terms long would need 30,000 nested calls. <c>&amp;&amp;</c> and
/// <c>||</c> short-circuit.
/// </summary>
internal sealed class OperatorChainExpression(
    SourceFile source,
    IReadOnlyList<HclExpression> operands,
    IReadOnlyList<TokenKind> operators
) : HclExpression(source, operands[0].Start, operands[^1].End)
{
    internal override IEnumerable<HclExpression> Children => operands;

    private protected override HclValue Compute(HclEvalContext context)
    {
        // Every prefix (a op b) starts where the chain starts, so the chain itself positions its errors.
        var value = operands[0].Eval(context);
        for (var i = 0; i < operators.Count; i++)
        {
            if (Operators.ShortCircuits(operators[i], this, value) is { } settled)
            {
                // The rest of the chain has the same operator (one level), so the result is settled.
                return settled;
            }
            value = Operators.Binary(this, operators[i], value, operands[i + 1], context);
            HclValueLimits.Check(value, this);
        }
        return value;
    }
}

/// <summary><c>name(arg, ...)</c>, with <c>...</c> after the last argument expanding a list.</summary>
internal sealed class FunctionCallExpression(
    SourceFile source,
    int start,
    int end,
    string name,
    IReadOnlyList<HclExpression> arguments,
    bool expandLast
) : HclExpression(source, start, end)
{
    internal override IEnumerable<HclExpression> Children => arguments;

    private protected override HclValue Compute(HclEvalContext context)
    {
        if (!context.Functions.TryGetValue(name, out var function))
        {
            var known = string.Join(", ", context.Functions.Keys.Order(StringComparer.Ordinal));
            throw Error($"unknown function \"{name}\"; available: {known}");
        }
        var values = new List<HclValue>(arguments.Count);
        for (var i = 0; i < arguments.Count; i++)
        {
            var value = arguments[i].Eval(context);
            if (expandLast && i == arguments.Count - 1)
            {
                if (value is not HclList list)
                {
                    throw arguments[i].Error($"only a list can be expanded with ..., not {value.TypeName}");
                }
                values.AddRange(list.Items);
            }
            else
            {
                values.Add(value);
            }
        }
        HclValue result;
        try
        {
            result = function(values, context);
        }
        catch (HclFunctionException failure)
        {
            throw Error($"{name}(): {failure.Message}");
        }
        context.Budget.Charge(
            result switch
            {
                HclString s => s.Value.Length,
                HclList list => list.Count,
                _ => 1,
            },
            this
        );
        return result;
    }
}
