namespace NomadQemu.JobFiles.Hcl;

/// <summary>A tuple/list value. Equality compares the items in order.</summary>
public sealed record HclList : HclValue
{
    public static readonly HclList Empty = new(Array.Empty<HclValue>());

    public HclList(IReadOnlyList<HclValue> items)
    {
        Items = items;
        var weight = 1L;
        var depth = 0;
        foreach (var item in items)
        {
            weight = HclValueSize.Add(weight, HclValueSize.Weight(item));
            depth = Math.Max(depth, HclValueSize.Depth(item));
        }
        Weight = weight;
        Depth = depth + 1;
    }

    public IReadOnlyList<HclValue> Items { get; }

    public override string TypeName => "list";

    /// <summary>See <see cref="HclValueSize.Weight"/>.</summary>
    internal long Weight { get; }

    /// <summary>See <see cref="HclValueSize.Depth"/>.</summary>
    internal int Depth { get; }

    public int Count => Items.Count;

    public HclValue this[int index] => Items[index];

    public bool Equals(HclList? other) => other is not null && Items.SequenceEqual(other.Items);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items)
        {
            hash.Add(item);
        }
        return hash.ToHashCode();
    }

    public override string ToString() => HclValueText.Render(this);
}

/// <summary>
/// An object/map value whose keys keep the order they were written in. Equality compares keys and values
/// in order (so a job read twice compares equal), and lookup by key is by exact, case-sensitive name.
/// </summary>
public sealed record HclObject : HclValue
{
    public static readonly HclObject Empty = new(Array.Empty<KeyValuePair<string, HclValue>>());

    private readonly Dictionary<string, HclValue> _byKey;

    /// <summary>Builds an object; a repeated key keeps its first position and its last value.</summary>
    public HclObject(IEnumerable<KeyValuePair<string, HclValue>> entries)
    {
        var order = new List<string>();
        _byKey = new Dictionary<string, HclValue>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            if (!_byKey.ContainsKey(key))
            {
                order.Add(key);
            }
            _byKey[key] = value;
        }
        Entries = order.Select(k => new KeyValuePair<string, HclValue>(k, _byKey[k])).ToArray();
        var weight = 1L;
        var depth = 0;
        foreach (var (key, value) in Entries)
        {
            weight = HclValueSize.Add(weight, HclValueSize.Add(key.Length, HclValueSize.Weight(value)));
            depth = Math.Max(depth, HclValueSize.Depth(value));
        }
        Weight = weight;
        Depth = depth + 1;
    }

    public override string TypeName => "object";

    /// <summary>See <see cref="HclValueSize.Weight"/>.</summary>
    internal long Weight { get; }

    /// <summary>See <see cref="HclValueSize.Depth"/>.</summary>
    internal int Depth { get; }

    public IReadOnlyList<KeyValuePair<string, HclValue>> Entries { get; }

    public IEnumerable<string> Keys => Entries.Select(e => e.Key);

    public int Count => Entries.Count;

    public HclValue? this[string key] => _byKey.GetValueOrDefault(key);

    public bool TryGetValue(string key, out HclValue value)
    {
        if (_byKey.TryGetValue(key, out var found))
        {
            value = found;
            return true;
        }
        value = HclValue.Null;
        return false;
    }

    public bool Equals(HclObject? other)
    {
        if (other is null || other.Entries.Count != Entries.Count)
        {
            return false;
        }
        for (var i = 0; i < Entries.Count; i++)
        {
            if (Entries[i].Key != other.Entries[i].Key || !Entries[i].Value.Equals(other.Entries[i].Value))
            {
                return false;
            }
        }
        return true;
    }

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (key, value) in Entries)
        {
            hash.Add(key);
            hash.Add(value);
        }
        return hash.ToHashCode();
    }

    public override string ToString() => HclValueText.Render(this);
}
