namespace NomadQemu.Core.Cty;

/// <summary>A cty list, set or tuple. Equality is element-wise.</summary>
public sealed record CtyList(IReadOnlyList<CtyValue> Items) : CtyValue
{
    public static CtyList Empty { get; } = new([]);

    public override CtyKind Kind => CtyKind.List;

    public int Count => Items.Count;

    public CtyValue this[int index] => Items[index];

    public bool Equals(CtyList? other) => other is not null && Items.SequenceEqual(other.Items);

    public override int GetHashCode()
    {
        HashCode hash = default;
        foreach (var item in Items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(", ", Items) + "]";
}
