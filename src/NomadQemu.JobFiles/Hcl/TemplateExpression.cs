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

    internal override HclValue Eval(HclEvalContext context)
    {
        if (Parts is [HclExpression only])
        {
            return only.Eval(context);
        }
        var text = new StringBuilder();
        foreach (var part in Parts)
        {
            if (part is string literal)
            {
                text.Append(literal);
                continue;
            }
            var expression = (HclExpression)part;
            var value = expression.Eval(context);
            text.Append(
                HclValueText.AsString(value)
                    ?? throw expression.Error($"cannot put a {value.TypeName} value into a string template")
            );
        }
        return new HclString(text.ToString());
    }
}
