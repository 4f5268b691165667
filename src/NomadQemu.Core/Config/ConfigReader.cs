using NomadQemu.Core.Cty;

namespace NomadQemu.Core.Config;

/// <summary>
/// Typed reads from a coerced config map. Coercion already converted types; what is left to check here is
/// what cty allows but a config does not (null list elements, fractional numbers, ranges).
/// </summary>
/// <param name="prefix">Where the map sits (<c>"cloud_init."</c>, <c>"disk[0]."</c>), so errors name the full key.</param>
internal sealed class ConfigReader(CtyMap map, string prefix = "")
{
    /// <summary>The string, or null when absent or empty (an interpolation that produced "" means "not set").</summary>
    public string? OptionalString(string key) =>
        map[key] switch
        {
            CtyNull => null,
            CtyString { Value.Length: 0 } => null,
            CtyString s => s.Value,
            CtyValue other => throw ConfigException.ForKey(prefix + key, $"expected a string, got {other.Description}"),
        };

    public string RequiredString(string key) =>
        OptionalString(key) ?? throw new ConfigException(prefix + key, $"config key \"{prefix}{key}\" is required");

    public bool Bool(string key, bool whenAbsent) =>
        map[key] switch
        {
            CtyNull => whenAbsent,
            CtyBool b => b.Value,
            CtyValue other => throw ConfigException.ForKey(prefix + key, $"expected a bool, got {other.Description}"),
        };

    public int? OptionalInt(string key, int min, int max) =>
        map[key] switch
        {
            CtyNull => null,
            CtyNumber n => ToInt(n, min, max)
                ?? throw ConfigException.ForKey(prefix + key, $"must be a whole number in {min}..{max}, got {n.Text}"),
            CtyValue other => throw ConfigException.ForKey(prefix + key, $"expected a number, got {other.Description}"),
        };

    public IReadOnlyList<string> StringList(string key)
    {
        if (map[key] is CtyNull)
        {
            return [];
        }

        if (map[key] is not CtyList list)
        {
            throw ConfigException.ForKey(prefix + key, $"expected a list of strings, got {map[key].Description}");
        }

        return
        [
            .. list.Items.Select(
                (item, i) =>
                    item is CtyString s
                        ? s.Value
                        : throw ConfigException.ForKey(
                            prefix + key,
                            $"element {i}: expected a string, got {item.Description}"
                        )
            ),
        ];
    }

    /// <summary>A map of strings (null values refused), in the order written; empty when absent.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> StringMap(string key)
    {
        if (map[key] is CtyNull)
        {
            return [];
        }

        if (map[key] is not CtyMap entries)
        {
            throw ConfigException.ForKey(prefix + key, $"expected a map of strings, got {map[key].Description}");
        }

        return
        [
            .. entries.Entries.Select(e =>
                e.Value is CtyString s
                    ? KeyValuePair.Create(e.Key, s.Value)
                    : throw ConfigException.ForKey(
                        prefix + key,
                        $"[\"{e.Key}\"]: expected a string, got {e.Value.Description}"
                    )
            ),
        ];
    }

    /// <summary>An enum-like string: absent/empty gives <paramref name="whenAbsent"/>, anything unlisted is refused.</summary>
    public T Choice<T>(string key, IReadOnlyDictionary<string, T> choices, T whenAbsent)
    {
        var text = OptionalString(key);
        if (text is null)
        {
            return whenAbsent;
        }

        return choices.TryGetValue(text, out var value)
            ? value
            : throw ConfigException.ForKey(
                prefix + key,
                $"must be one of {string.Join(", ", choices.Keys.Select(k => $"\"{k}\""))}, got \"{text}\""
            );
    }

    internal static int? ToInt(CtyNumber number, int min, int max) =>
        number.TryGetInt64(out var value) && value >= min && value <= max ? (int)value : null;
}
