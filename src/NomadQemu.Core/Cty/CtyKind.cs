namespace NomadQemu.Core.Cty;

/// <summary>The shapes a decoded cty value can take (sets and tuples arrive as lists, objects as maps).</summary>
public enum CtyKind
{
    Null,
    String,
    Bool,
    Number,
    List,
    Map,
}
