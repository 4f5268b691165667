namespace NomadQemu.Core.Config.Schema;

/// <summary>
/// A parsed HCL type expression, restricted to what driver configs use: <c>string</c>, <c>number</c>,
/// <c>bool</c>, <c>any</c> and the collections <c>list(T)</c>, <c>set(T)</c>, <c>map(T)</c>.
/// </summary>
internal sealed record HclType(string Name, HclType? Element)
{
    private static readonly string[] s_primitives = ["string", "number", "bool", "any"];
    private static readonly string[] s_collections = ["list", "set", "map"];

    public bool IsCollection => Element is not null;

    /// <summary>"a string", "a list of maps of numbers"; used in error messages.</summary>
    public string Description => (Name is "any" ? "any value" : "a " + Noun(plural: false));

    /// <exception cref="ArgumentException">Not a supported type expression (a programming error in a schema).</exception>
    public static HclType Parse(string expression)
    {
        var text = expression.Replace(" ", "", StringComparison.Ordinal);
        if (s_primitives.Contains(text))
        {
            return new HclType(text, null);
        }

        var open = text.IndexOf('(', StringComparison.Ordinal);
        if (open > 0 && text.EndsWith(')') && s_collections.Contains(text[..open]))
        {
            return new HclType(text[..open], Parse(text[(open + 1)..^1]));
        }

        throw new ArgumentException($"unsupported HCL type expression \"{expression}\"", nameof(expression));
    }

    private string Noun(bool plural) =>
        Element is null
            ? (
                Name is "any" ? (plural ? "values" : "value")
                : plural ? Name + "s"
                : Name
            )
            : $"{Name}{(plural ? "s" : "")} of {Element.Noun(plural: true)}";

    public override string ToString() => Element is null ? Name : $"{Name}({Element})";
}
