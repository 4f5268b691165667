namespace NomadQemu.JobFiles.Hcl;

/// <summary>A literal: number, bool, null or an escape-free string.</summary>
internal sealed class LiteralExpression(SourceFile source, int start, int end, HclValue value)
    : HclExpression(source, start, end)
{
    public HclValue Value { get; } = value;

    internal override IEnumerable<HclExpression> Children => [];

    internal override HclValue Eval(HclEvalContext context) => Value;
}

/// <summary><c>[a, b, c]</c>.</summary>
internal sealed class TupleExpression(SourceFile source, int start, int end, IReadOnlyList<HclExpression> items)
    : HclExpression(source, start, end)
{
    internal override IEnumerable<HclExpression> Children => items;

    internal override HclValue Eval(HclEvalContext context) =>
        new HclList(items.Select(i => i.Eval(context)).ToArray());
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

    internal override HclValue Eval(HclEvalContext context)
    {
        var entries = new List<KeyValuePair<string, HclValue>>(items.Count);
        foreach (var (keyExpression, valueExpression) in items)
        {
            var key = keyExpression.Eval(context);
            var keyText =
                HclValueText.AsString(key)
                ?? throw keyExpression.Error($"an object key must be a string, not {key.TypeName}");
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

    internal override HclValue Eval(HclEvalContext context) =>
        Operators.ToBool(condition, condition.Eval(context), "the condition")
            ? whenTrue.Eval(context)
            : whenFalse.Eval(context);
}

/// <summary><c>-x</c> or <c>!x</c>.</summary>
internal sealed class UnaryExpression(SourceFile source, int start, int end, TokenKind op, HclExpression operand)
    : HclExpression(source, start, end)
{
    internal override IEnumerable<HclExpression> Children => [operand];

    internal override HclValue Eval(HclEvalContext context) =>
        Operators.Unary(this, op, operand, operand.Eval(context));
}

/// <summary><c>a op b</c>; <c>&amp;&amp;</c> and <c>||</c> short-circuit.</summary>
internal sealed class BinaryExpression(
    SourceFile source,
    int start,
    int end,
    TokenKind op,
    HclExpression left,
    HclExpression right
) : HclExpression(source, start, end)
{
    internal override IEnumerable<HclExpression> Children => [left, right];

    internal override HclValue Eval(HclEvalContext context) => Operators.Binary(this, op, left, right, context);
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

    internal override HclValue Eval(HclEvalContext context)
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
        try
        {
            return function(values, context);
        }
        catch (HclFunctionException failure)
        {
            throw Error($"{name}(): {failure.Message}");
        }
    }
}
