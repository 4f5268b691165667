using System.Text;

namespace NomadQemu.JobFiles.Hcl;

/// <summary>
/// A quoted string or heredoc: literal text and <c>${ expr }</c> interpolations. A template made of exactly
/// one interpolation yields that value unconverted (<c>"${var.count}"</c> is a number), as in HCL.
/// </summary>
internal sealed class TemplateExpression(SourceFile source, int start, int end, IReadOnlyList<object> parts)
    : HclExpression(source, start, end)
{
    /// <summary>Each part is a literal <see cref="string"/> or an <see cref="HclExpression"/>.</summary>
    public IReadOnlyList<object> Parts { get; } = parts;

    internal override IEnumerable<HclExpression> Children => Parts.OfType<HclExpression>();

    private protected override HclValue Compute(HclEvalContext context)
    {
        switch (Parts)
        {
            case []:
                return new HclString("");
            case [string literal]:
                return new HclString(literal); // the parsed text itself: nothing new is allocated
            case [HclExpression only]:
                return only.Eval(context);
        }
        // Render every part first and build the string only once its length is known to be allowed: parts
        // may repeat one large value, and the point is to refuse before allocating.
        var pieces = new string[Parts.Count];
        var length = 0L;
        for (var i = 0; i < Parts.Count; i++)
        {
            if (Parts[i] is string literal)
            {
                pieces[i] = literal;
            }
            else
            {
                var expression = (HclExpression)Parts[i];
                var value = expression.Eval(context);
                pieces[i] =
                    HclValueText.AsString(value)
                    ?? throw expression.Error($"cannot put a {value.TypeName} value into a string template");
            }
            length += pieces[i].Length;
        }
        HclValueLimits.CheckStringLength(length, this);
        context.Budget.Charge(length, this);
        var text = new StringBuilder((int)length);
        foreach (var piece in pieces)
        {
            text.Append(piece);
        }
        return new HclString(text.ToString());
    }
}
