namespace NomadQemu.Core.Cty;

/// <summary>
/// A config value as Nomad sends it: the shape of a cty value without its type (the schema supplies that).
/// Closed hierarchy: <see cref="CtyNull"/>, <see cref="CtyString"/>, <see cref="CtyBool"/>,
/// <see cref="CtyNumber"/>, <see cref="CtyList"/>, <see cref="CtyMap"/>.
/// </summary>
public abstract record CtyValue
{
    private protected CtyValue() { }

    public static CtyNull Null { get; } = new();

    public abstract CtyKind Kind { get; }

    public bool IsNull => Kind == CtyKind.Null;

    /// <summary>"a string", "a list", ... for error messages.</summary>
    public string Description =>
        Kind switch
        {
            CtyKind.Null => "null",
            CtyKind.String => "a string",
            CtyKind.Bool => "a bool",
            CtyKind.Number => "a number",
            CtyKind.List => "a list",
            _ => "a map",
        };

    /// <summary>Converts a generic parsed value tree (strings, bools, numbers, lists, dictionaries, JsonElement).</summary>
    public static CtyValue FromPlain(object? value) => CtyPlain.Convert(value);
}

public sealed record CtyNull : CtyValue
{
    internal CtyNull() { }

    public override CtyKind Kind => CtyKind.Null;

    public override string ToString() => "null";
}

public sealed record CtyString(string Value) : CtyValue
{
    public override CtyKind Kind => CtyKind.String;

    public override string ToString() => Value;
}

public sealed record CtyBool(bool Value) : CtyValue
{
    public static CtyBool True { get; } = new(true);
    public static CtyBool False { get; } = new(false);

    public override CtyKind Kind => CtyKind.Bool;

    public override string ToString() => Value ? "true" : "false";
}
