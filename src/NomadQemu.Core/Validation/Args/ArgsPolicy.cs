using NomadQemu.Core.Config;

namespace NomadQemu.Core.Validation.Args;

/// <summary>
/// Decides whether a job's <c>args</c> may reach QEMU. Parsed with QEMU's grammar (<see cref="QemuArgsParser"/>);
/// driver-owned options and the driver's own ids are always refused; host-reaching options, types and
/// properties only pass when the operator's <c>args_allowlist</c> names them; a non-empty allowlist also limits
/// everything else to what it lists (as the built-in driver's flag list did).
/// </summary>
public static class ArgsPolicy
{
    /// <exception cref="ConfigException">The first refused element; the message names its index, the option, the value and the rule.</exception>
    public static void Check(
        IReadOnlyList<string> args,
        ArgsAllowlist allowlist,
        IReadOnlyList<AllocatedPort> allocatedPorts
    )
    {
        foreach (var argument in QemuArgsParser.Parse(args))
        {
            CheckOne(argument, allowlist, allocatedPorts);
        }
    }

    private static void CheckOne(
        QemuArgument argument,
        ArgsAllowlist allowlist,
        IReadOnlyList<AllocatedPort> allocatedPorts
    )
    {
        var spec = argument.Spec;
        if (spec.Class == QemuOptionClass.DriverOwned)
        {
            throw Refuse(argument, $"{spec.Name} is never allowed: {spec.Reason}", ArgsRefusal.DriverOwnedRule);
        }

        var value = spec.Values is { } rules ? ParseValue(argument, rules) : null;
        List<HostReach> reaches = [];
        if (value is null)
        {
            if (spec.Class == QemuOptionClass.HostReaching)
            {
                reaches.Add(new HostReach(null, null, spec.Reason));
            }
        }
        else
        {
            Judge(argument, spec.Values!, value, reaches);
        }

        Decide(argument, value, reaches, allowlist);

        if (value is not null)
        {
            HostForwardCheck.Check(argument, value, allocatedPorts);
        }
    }

    private static QemuOptionValue ParseValue(QemuArgument argument, QemuValueRules rules)
    {
        try
        {
            return QemuOptionValueParser.Parse(argument.Value!, rules);
        }
        catch (FormatException e)
        {
            throw Refuse(argument, $"the value {e.Message}", ArgsRefusal.GrammarRule);
        }
    }

    private static void Judge(
        QemuArgument argument,
        QemuValueRules rules,
        QemuOptionValue value,
        List<HostReach> reaches
    )
    {
        foreach (var type in value.Types)
        {
            var rule = rules.ForType(type);
            if (rule.Class == QemuOptionClass.DriverOwned)
            {
                throw Refuse(
                    argument,
                    $"{argument.Name} type \"{type}\" is never allowed: {rule.Reason}",
                    ArgsRefusal.DriverOwnedRule
                );
            }
            if (rule.Class == QemuOptionClass.HostReaching)
            {
                reaches.Add(new HostReach(type, null, rule.Reason));
            }
        }

        foreach (var (key, propertyValue) in value.Properties)
        {
            if (DriverIds.Contains(propertyValue))
            {
                throw Refuse(
                    argument,
                    $"{key}={propertyValue} collides with an id the driver uses for its own devices and sockets",
                    ArgsRefusal.DriverIdRule
                );
            }
            if (propertyValue.Length == 0 || rules.ForProperty(key) is not { } rule)
            {
                continue; // an empty value names nothing (romfile= turns the ROM off)
            }
            if (rule.Class == QemuOptionClass.DriverOwned)
            {
                throw Refuse(argument, $"property {key}= is never allowed: {rule.Reason}", ArgsRefusal.DriverOwnedRule);
            }
            if (rule.Class == QemuOptionClass.HostReaching)
            {
                reaches.Add(new HostReach(null, rule.Pattern, rule.Reason));
            }
        }
    }

    private static void Decide(
        QemuArgument argument,
        QemuOptionValue? value,
        List<HostReach> reaches,
        ArgsAllowlist allowlist
    )
    {
        var entries = allowlist.For(argument.Name);
        if (reaches.Count == 0)
        {
            if (allowlist.IsEmpty || allowlist.IncludesDefaults || entries.Any(e => Matches(e, argument, value)))
            {
                return;
            }
            throw entries.Count == 0
                ? Refuse(
                    argument,
                    $"{argument.Name} is not in the plugin's args_allowlist; allowed: {string.Join(", ", allowlist.Texts)}",
                    ArgsRefusal.AllowlistRule
                )
                : Refuse(
                    argument,
                    $"the value matches no args_allowlist entry for {argument.Name} ({Join(entries)})",
                    ArgsRefusal.AllowlistRule
                );
        }

        if (entries.Any(e => Covers(e, argument, value, reaches)))
        {
            return;
        }
        var why = string.Join("; ", reaches.Select(r => r.Describe()));
        var suggestion = Suggest(argument, value, reaches);
        throw entries.Count == 0
            ? Refuse(
                argument,
                $"{why}; allowed only when the plugin's args_allowlist names it, e.g. \"{suggestion}\"",
                ArgsRefusal.HostReachingRule
            )
            : Refuse(
                argument,
                $"{why}; no args_allowlist entry for {argument.Name} names it ({Join(entries)}); an entry such as \"{suggestion}\" would",
                ArgsRefusal.AllowlistRule
            );
    }

    /// <summary>Does an entry allow a value that reaches nothing on the host?</summary>
    private static bool Matches(ArgsAllowlistEntry entry, QemuArgument argument, QemuOptionValue? value)
    {
        if (entry.IsFlagOnly)
        {
            return true;
        }
        if (value is null)
        {
            return Glob.Matches(entry.Pattern!, argument.Value ?? "");
        }
        return entry.TypePattern is null || value.Types.All(t => Glob.Matches(entry.TypePattern, t));
    }

    /// <summary>Does an entry spell out every host-reaching part of this occurrence?</summary>
    private static bool Covers(
        ArgsAllowlistEntry entry,
        QemuArgument argument,
        QemuOptionValue? value,
        List<HostReach> reaches
    )
    {
        if (value is null)
        {
            // The option reaches the host as a whole: naming it (flag-only or with a matching value glob) is explicit.
            return Matches(entry, argument, value);
        }
        if (entry.IsFlagOnly)
        {
            return false; // a flag-only entry keeps meaning "the ordinary values of this option"
        }
        foreach (var reach in reaches)
        {
            var covered = reach.Type is not null
                ? entry.TypePattern == reach.Type // host-reaching types only by their exact name
                : entry.Properties.Contains(reach.Property!, StringComparer.Ordinal);
            if (!covered)
            {
                return false;
            }
        }
        return Matches(entry, argument, value);
    }

    private static string Suggest(QemuArgument argument, QemuOptionValue? value, List<HostReach> reaches)
    {
        if (value is null || argument.Spec.Values is not { } rules)
        {
            return argument.Name;
        }
        var properties = reaches.Where(r => r.Property is not null).Select(r => r.Property!).Distinct();
        // A host-reaching type must be named exactly; a safe one is named when the job gave it, else "*".
        var hostType = reaches.Find(r => r.Type is not null)?.Type;
        var safeType = value.TypeGiven && value.Types.Count > 0 ? value.Types[^1] : "*";
        var type = !rules.HasType ? [] : new[] { hostType ?? safeType };
        return $"{argument.Name}={string.Join(",", type.Concat(properties))}";
    }

    private static string Join(IReadOnlyList<ArgsAllowlistEntry> entries) =>
        string.Join(", ", entries.Select(e => ArgsRefusal.Quote(e.Text)));

    private static ConfigException Refuse(QemuArgument argument, string detail, string rule) =>
        ArgsRefusal.Create(argument.Index, ArgsRefusal.Show(argument), detail, rule);
}
