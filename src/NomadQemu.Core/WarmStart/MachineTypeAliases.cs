using System.Text.RegularExpressions;

namespace NomadQemu.Core.WarmStart;

/// <summary>
/// Resolves an unversioned machine type ("q35", "pc") to the versioned one it aliases ("pc-q35-7.2"), from the
/// output of <c>qemu-system-* -machine help</c>. A snapshot only loads into the same machine version, and the
/// alias moves with every QEMU upgrade: templates are keyed and booted with the versioned name.
/// </summary>
public static partial class MachineTypeAliases
{
    /// <summary>alias → versioned name, from lines like <c>q35   Standard PC (Q35 + ICH9, 2009) (alias of pc-q35-7.2)</c>.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string machineHelp)
    {
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in machineHelp.Split('\n'))
        {
            var match = AliasLine().Match(line);
            if (match.Success)
            {
                aliases[match.Groups[1].Value] = match.Groups[2].Value;
            }
        }
        return aliases;
    }

    /// <summary>The versioned name of <paramref name="machine"/>, or itself when it is not an alias.</summary>
    public static string Resolve(IReadOnlyDictionary<string, string> aliases, string machine) =>
        aliases.TryGetValue(machine, out var versioned) ? versioned : machine;

    [GeneratedRegex(@"^(\S+)\s+.*\(alias of (\S+)\)\s*$")]
    private static partial Regex AliasLine();
}
