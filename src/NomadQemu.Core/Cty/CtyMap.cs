namespace NomadQemu.Core.Cty;

/// <summary>
/// A cty map or object: string keys, kept in the order given. Equality compares the entries in order.
/// </summary>
public sealed record CtyMap : CtyValue
{
    private readonly Dictionary<string, CtyValue> _index;

    /// <exception cref="ArgumentException">Two entries share a key.</exception>
    public CtyMap(IEnumerable<KeyValuePair<string, CtyValue>> entries)
    {
        List<KeyValuePair<string, CtyValue>> list = [.. entries];
        _index = new Dictionary<string, CtyValue>(list.Count, StringComparer.Ordinal);
        foreach ((var key, var value) in list)
        {
            if (!_index.TryAdd(key, value))
            {
                throw new ArgumentException($"duplicate map key \"{key}\"", nameof(entries));
            }
        }

        Entries = list;
    }

    public static CtyMap Empty { get; } = new([]);

    public override CtyKind Kind => CtyKind.Map;

    public IReadOnlyList<KeyValuePair<string, CtyValue>> Entries { get; }

    public IEnumerable<string> Keys => Entries.Select(e => e.Key);

    public int Count => Entries.Count;

    public bool ContainsKey(string key) => _index.ContainsKey(key);

    public bool TryGetValue(string key, out CtyValue value)
    {
        if (_index.TryGetValue(key, out var found))
        {
            value = found;
            return true;
        }

        value = Null;
        return false;
    }

    /// <summary>The value for <paramref name="key"/>, or <see cref="CtyValue.Null"/> when absent.</summary>
    public CtyValue this[string key] => _index.TryGetValue(key, out var value) ? value : Null;

    public bool Equals(CtyMap? other) =>
        other is not null
        && Entries.Count == other.Entries.Count
        && Entries
            .Zip(other.Entries)
            .All(pair => pair.First.Key == pair.Second.Key && pair.First.Value.Equals(pair.Second.Value));

    public override int GetHashCode()
    {
        HashCode hash = default;
        foreach ((var key, var value) in Entries)
        {
            hash.Add(key);
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => "{" + string.Join(", ", Entries.Select(e => $"{e.Key} = {e.Value}")) + "}";
}
