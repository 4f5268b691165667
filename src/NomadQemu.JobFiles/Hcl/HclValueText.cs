using System.Text;

namespace NomadQemu.JobFiles.Hcl;

/// <summary>Conversions of values to text: for string templates, for messages and for debugging.</summary>
public static class HclValueText
{
    /// <summary>
    /// The string form of a primitive, as HCL's template and <c>tostring</c> conversion gives it;
    /// null for values that have no string form (null, lists, objects).
    /// </summary>
    public static string? AsString(HclValue value) =>
        value switch
        {
            HclString s => s.Value,
            HclNumber n => n.ToString(),
            HclBool b => b.ToString(),
            _ => null,
        };

    /// <summary>
    /// An HCL-like rendering: strings quoted, collections expanded. For messages and tests. Written into one
    /// builder: rendering each nested collection to its own string first would copy the text once per level,
    /// which a value built by doubling in locals turns into gigabytes.
    /// </summary>
    public static string Render(HclValue value)
    {
        var builder = new StringBuilder();
        AppendRendered(builder, value);
        return builder.ToString();
    }

    public static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2);
        AppendQuoted(builder, text);
        return builder.ToString();
    }

    internal static void AppendRendered(StringBuilder builder, HclValue value)
    {
        switch (value)
        {
            case HclString s:
                AppendQuoted(builder, s.Value);
                break;
            case HclList list:
                builder.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    builder.Append(i == 0 ? "" : ", ");
                    AppendRendered(builder, list[i]);
                }
                builder.Append(']');
                break;
            case HclObject obj:
                builder.Append('{');
                var first = true;
                foreach (var (key, item) in obj.Entries)
                {
                    builder.Append(first ? "" : ", ");
                    first = false;
                    AppendQuoted(builder, key);
                    builder.Append(" = ");
                    AppendRendered(builder, item);
                }
                builder.Append('}');
                break;
            default:
                builder.Append(value.ToString());
                break;
        }
    }

    private static void AppendQuoted(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                _ => builder.Append(c),
            };
        }
        builder.Append('"');
    }
}
