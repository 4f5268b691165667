namespace NomadQemu.JobFiles;

/// <summary>Structural comparisons for the spec records, whose collections would otherwise compare by reference.</summary>
internal static class Same
{
    public static bool Items<T>(IReadOnlyList<T> a, IReadOnlyList<T> b) => a.SequenceEqual(b);

    public static bool Entries(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var value) && value == pair.Value);
}
