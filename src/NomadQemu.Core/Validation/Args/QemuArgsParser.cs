using NomadQemu.Core.Config;

namespace NomadQemu.Core.Validation.Args;

/// <summary>
/// Walks <c>args</c> the way QEMU's own parser does (softmmu/vl.c): a word starting with <c>-</c> is an option,
/// <c>--opt</c> is <c>-opt</c>, an option that takes a value consumes the next word whatever it is, and any other
/// word in option position is a disk image. QEMU matches names exactly: no trimming, no <c>-opt=value</c>.
/// </summary>
internal static class QemuArgsParser
{
    /// <exception cref="ConfigException">A word QEMU would read as a disk image, an unknown option, a spelling QEMU
    /// does not accept, or an option missing its value; the message names the index, the word and the rule.</exception>
    public static IReadOnlyList<QemuArgument> Parse(IReadOnlyList<string> args)
    {
        List<QemuArgument> parsed = new(args.Count / 2 + 1);
        var i = 0;
        while (i < args.Count)
        {
            var word = args[i];
            var spec = Lookup(i, word);
            if (!spec.TakesValue)
            {
                parsed.Add(new QemuArgument(i, word, spec, null));
                i++;
                continue;
            }
            if (i + 1 >= args.Count)
            {
                // At the end of args QEMU would take the driver's next argument as this value.
                throw ArgsRefusal.Create(
                    i,
                    ArgsRefusal.Quote(word),
                    $"{spec.Name} needs a value and args ends here",
                    ArgsRefusal.GrammarRule
                );
            }
            parsed.Add(new QemuArgument(i, word, spec, args[i + 1]));
            i += 2;
        }
        return parsed;
    }

    /// <summary>The canonical one-dash name of an option word (<c>--smp</c> → <c>-smp</c>), or null for a non-option word.</summary>
    public static string? CanonicalName(string word)
    {
        if (word.Length < 2 || word[0] != '-')
        {
            return null;
        }
        return word[1] == '-' ? word[1..] : word;
    }

    /// <summary>True when <paramref name="args"/> uses <paramref name="name"/> as an option (not as some option's value).</summary>
    public static bool ContainsOption(IReadOnlyList<string> args, string name)
    {
        try
        {
            return Parse(args).Any(a => a.Name == name);
        }
        catch (ConfigException)
        {
            return false; // refused args never reach QEMU
        }
    }

    private static QemuOptionSpec Lookup(int index, string word)
    {
        var shown = ArgsRefusal.Quote(word);
        var name = CanonicalName(word);
        if (name is null)
        {
            var hint = CanonicalName(word.Trim()) is not null
                ? " (it has surrounding whitespace, so QEMU does not read it as an option)"
                : "";
            throw ArgsRefusal.Create(
                index,
                shown,
                $"is not an option: QEMU would open a word in option position as the first hard disk{hint}",
                ArgsRefusal.GrammarRule
            );
        }
        if (QemuOptionTable.Find(name) is { } spec)
        {
            return spec;
        }

        var equals = name.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0 && QemuOptionTable.Find(name[..equals]) is { } joined)
        {
            // QEMU itself refuses "-opt=value"; a driver-owned option is still named as such.
            throw joined.Class == QemuOptionClass.DriverOwned
                ? ArgsRefusal.Create(
                    index,
                    shown,
                    $"{joined.Name} is never allowed: {joined.Reason}",
                    ArgsRefusal.DriverOwnedRule
                )
                : ArgsRefusal.Create(
                    index,
                    shown,
                    $"QEMU does not accept {joined.Name}=value; write the option and its value as two elements",
                    ArgsRefusal.GrammarRule
                );
        }
        throw ArgsRefusal.Create(index, shown, "is not a QEMU option (QEMU 7.2 grammar)", ArgsRefusal.GrammarRule);
    }
}
