using NomadQemu.Core.Config;

namespace NomadQemu.Core.Validation.Args;

/// <summary>The operator's parsed <c>args_allowlist</c>. Empty means the default policy.</summary>
public sealed class ArgsAllowlist
{
    private readonly Dictionary<string, List<ArgsAllowlistEntry>> _byOption = new(StringComparer.Ordinal);

    private ArgsAllowlist(IReadOnlyList<string> texts)
    {
        Texts = texts;
        foreach (var text in texts)
        {
            var entry = ArgsAllowlistEntry.Parse(text);
            if (entry.IsDefaults)
            {
                IncludesDefaults = true;
                continue;
            }
            if (!_byOption.TryGetValue(entry.Option!, out var list))
            {
                _byOption[entry.Option!] = list = [];
            }
            list.Add(entry);
        }
    }

    public static ArgsAllowlist Empty { get; } = new([]);

    /// <summary>The entries as the operator wrote them (for messages).</summary>
    public IReadOnlyList<string> Texts { get; }

    /// <summary>No entries: the default policy decides alone.</summary>
    public bool IsEmpty => Texts.Count == 0;

    /// <summary>The list has <c>"*"</c>: whatever the default policy allows stays allowed.</summary>
    public bool IncludesDefaults { get; private set; }

    /// <exception cref="ConfigException">An entry that names no QEMU option or is malformed.</exception>
    public static ArgsAllowlist Parse(IReadOnlyList<string> entries) => entries.Count == 0 ? Empty : new(entries);

    internal IReadOnlyList<ArgsAllowlistEntry> For(string option) =>
        _byOption.TryGetValue(option, out var list) ? list : [];
}
