using NomadQemu.Core.Config;

namespace NomadQemu.Core.Validation.Args;

/// <summary>
/// One <c>args_allowlist</c> entry. <c>"-cpu"</c> allows the option with every value the default policy allows
/// (and, for an option that reaches the host as a whole such as <c>-kernel</c>, the option itself).
/// <c>"-cpu=host"</c> or <c>"-cpu=Skylake-*"</c> limits a plain value by glob. For a typed value the pattern is
/// <c>TYPE[,PROPERTY...]</c>: <c>"-device=virtio-*"</c> allows virtio devices; <c>"-device=loader,file"</c>
/// allows the loader device with its host-reaching <c>file=</c>. A host-reaching type or property is only ever
/// allowed by an entry that spells it out: wildcards match safe types only. <c>"*"</c> allows every option the
/// default policy allows, so an operator can add to the defaults instead of listing them all.
/// </summary>
internal sealed record ArgsAllowlistEntry(
    string Text,
    string? Option,
    string? Pattern,
    string? TypePattern,
    IReadOnlyList<string> Properties
)
{
    public const string Defaults = "*";

    public bool IsDefaults => Option is null;

    public bool IsFlagOnly => Option is not null && Pattern is null;

    /// <exception cref="ConfigException">Not an option QEMU has, or a pattern on an option without a value.</exception>
    public static ArgsAllowlistEntry Parse(string text)
    {
        if (text == Defaults)
        {
            return new ArgsAllowlistEntry(text, null, null, null, []);
        }

        var equals = text.IndexOf('=', StringComparison.Ordinal);
        var word = equals < 0 ? text : text[..equals];
        var name = QemuArgsParser.CanonicalName(word.Trim());
        var spec = name is null ? null : QemuOptionTable.Find(name);
        if (spec is null)
        {
            throw ConfigException.ForKey(
                PluginConfigSchema.ArgsAllowlist,
                $"entry \"{text}\" does not name a QEMU option; write \"-option\", \"-option=VALUE-GLOB\", \"-option=TYPE,PROPERTY\" or \"*\""
            );
        }
        if (equals < 0)
        {
            return new ArgsAllowlistEntry(text, spec.Name, null, null, []);
        }
        if (!spec.TakesValue)
        {
            throw ConfigException.ForKey(
                PluginConfigSchema.ArgsAllowlist,
                $"entry \"{text}\": {spec.Name} takes no value, so a value pattern cannot match"
            );
        }

        var pattern = text[(equals + 1)..];
        if (spec.Values is not { } rules)
        {
            return new ArgsAllowlistEntry(text, spec.Name, pattern, null, []);
        }

        // Typed: TYPE[,PROPERTY...]; options without a type list properties only.
        var parts = pattern.Split(',');
        var typePattern = rules.HasType ? parts[0] : null;
        var properties = (rules.HasType ? parts[1..] : parts)
            .Where(p => p.Length > 0)
            .Select(QemuValueRules.NormalizePropertyName)
            .ToArray();
        return new ArgsAllowlistEntry(text, spec.Name, pattern, typePattern, properties);
    }
}
