namespace NomadQemu.Core.Validation.Args;

/// <summary>
/// How an option's value is judged: its type (the first, implied element, e.g. the device driver) against
/// <see cref="Types"/> (first match wins, else <see cref="OtherTypes"/>), and every property against
/// <see cref="Properties"/> (unlisted properties are safe).
/// </summary>
/// <param name="ImpliedKey">The key a bare first element stands for (<c>driver</c> for <c>-device</c>); null when the value has no type.</param>
internal sealed record QemuValueRules(
    QemuValueSyntax Syntax,
    string? ImpliedKey,
    IReadOnlyList<QemuValueRule> Types,
    QemuValueRule OtherTypes,
    IReadOnlyList<QemuValueRule> Properties
)
{
    /// <summary>The value starts with a type (<c>-device virtio-rng-pci</c>, <c>-serial file:...</c>); allowlist patterns then start with a type glob.</summary>
    public bool HasType => ImpliedKey is not null || Syntax == QemuValueSyntax.DeviceSpec;

    /// <summary>The rule for a type: the first matching pattern, else <see cref="OtherTypes"/>.</summary>
    public QemuValueRule ForType(string type)
    {
        foreach (var rule in Types)
        {
            if (Glob.Matches(rule.Pattern, type))
            {
                return rule;
            }
        }
        return OtherTypes;
    }

    /// <summary>The rule for a property, or null when the property is safe. Names compare with <c>_</c> read as <c>-</c>, ignoring case (stricter than QEMU).</summary>
    public QemuValueRule? ForProperty(string name)
    {
        var normal = NormalizePropertyName(name);
        foreach (var rule in Properties)
        {
            if (rule.Pattern == normal)
            {
                return rule;
            }
        }
        return null;
    }

    public static string NormalizePropertyName(string name) => name.Replace('_', '-').ToLowerInvariant();
}
