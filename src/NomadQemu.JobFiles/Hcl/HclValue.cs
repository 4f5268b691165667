using System.Globalization;

namespace NomadQemu.JobFiles.Hcl;

/// <summary>The result of evaluating HCL: a small JSON-like value tree with structural equality.</summary>
public abstract record HclValue
{
    public static readonly HclNull Null = new();
    public static readonly HclBool True = new(true);
    public static readonly HclBool False = new(false);

    /// <summary>The HCL type name used in error messages ("string", "number", ...).</summary>
    public abstract string TypeName { get; }

    public static HclValue Of(string value) => new HclString(value);

    public static HclValue Of(decimal value) => new HclNumber(value);

    public static HclValue Of(bool value) => value ? True : False;
}

public sealed record HclString(string Value) : HclValue
{
    public override string TypeName => "string";

    public override string ToString() => Value;
}

/// <summary>
/// A number, held as <see cref="decimal"/>: exact for integers up to about 7.9e28 and for decimal fractions,
/// which is what job files contain (ports, megabytes, counts). Larger magnitudes are rejected, not rounded.
/// </summary>
public sealed record HclNumber(decimal Value) : HclValue
{
    public override string TypeName => "number";

    /// <summary>Canonical text: no trailing zeros, no exponent ("1.50" and "15e-1" both give "1.5").</summary>
    public override string ToString() => Value.ToString("0.############################", CultureInfo.InvariantCulture);
}

public sealed record HclBool(bool Value) : HclValue
{
    public override string TypeName => "bool";

    public override string ToString() => Value ? "true" : "false";
}

public sealed record HclNull : HclValue
{
    public override string TypeName => "null";

    public override string ToString() => "null";
}
