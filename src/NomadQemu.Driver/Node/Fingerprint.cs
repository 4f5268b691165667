namespace NomadQemu.Driver.Node;

/// <summary>Nomad's three driver health states.</summary>
public enum DriverHealth
{
    Undetected = 0,
    Unhealthy = 1,
    Healthy = 2,
}

/// <summary>A node attribute value: Nomad's Attribute is one of bool, int, float, string.</summary>
public readonly record struct AttributeValue(object Value)
{
    public static implicit operator AttributeValue(bool value) => new(value);

    public static implicit operator AttributeValue(string value) => new(value);

    public static implicit operator AttributeValue(long value) => new(value);

    public override string ToString() =>
        Value is bool b
            ? (b ? "true" : "false")
            : Convert.ToString(Value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
}

/// <summary>What the driver reports about this node.</summary>
public sealed record Fingerprint(
    DriverHealth Health,
    string Description,
    IReadOnlyDictionary<string, AttributeValue> Attributes
);
