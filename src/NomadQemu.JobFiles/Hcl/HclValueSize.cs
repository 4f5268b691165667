namespace NomadQemu.JobFiles.Hcl;

/// <summary>
/// How big and how deep a value is, read in O(1): lists and objects compute both when they are built, from
/// their items, so checking a value never walks it (a walk is exactly what a hostile value makes expensive).
/// </summary>
internal static class HclValueSize
{
    /// <summary>One per value plus the characters of a string; see <see cref="HclLimits.MaxValueWeight"/>.</summary>
    public static long Weight(HclValue value) =>
        value switch
        {
            HclList list => list.Weight,
            HclObject obj => obj.Weight,
            HclString s => 1 + s.Value.Length,
            _ => 1,
        };

    /// <summary>0 for a primitive, 1 for a list or object of primitives, and so on.</summary>
    public static int Depth(HclValue value) =>
        value switch
        {
            HclList list => list.Depth,
            HclObject obj => obj.Depth,
            _ => 0,
        };

    /// <summary>Sums without overflowing: a shared value repeated often enough would wrap a long.</summary>
    public static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
