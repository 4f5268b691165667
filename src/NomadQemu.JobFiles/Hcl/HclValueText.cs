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

    /// <summary>An HCL-like rendering: strings quoted, collections expanded. For messages and tests.</summary>
    public static string Render(HclValue value) => value is HclString s ? Quote(s.Value) : value.ToString() ?? "";

    public static string Quote(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            builder.Append(
                c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    _ => c.ToString(),
                }
            );
        }
        return builder.Append('"').ToString();
    }
}
