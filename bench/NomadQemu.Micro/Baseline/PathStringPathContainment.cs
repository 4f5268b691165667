namespace NomadQemu.Micro.Baseline;

// Baseline for UnpackBenchmarks: main's path-string extraction before fd-relative containment, kept here
// unchanged (only renamed) so the benchmark measures both in the same run. Not used by the product.

/// <summary>Lexical "is this path inside that directory" checks shared by destination and archive-entry validation.</summary>
internal static class PathStringPathContainment
{
    /// <summary>True when <paramref name="candidate"/> equals <paramref name="root"/> or lies beneath it. Both must be full paths.</summary>
    public static bool IsInside(string root, string candidate)
    {
        var relative = Path.GetRelativePath(root, candidate);
        if (relative == ".")
        {
            return true;
        }

        if (Path.IsPathRooted(relative))
        {
            return false;
        }

        // "..foo" is a legal name inside root; only a whole ".." component escapes.
        return !(
            relative == ".."
            || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || relative.StartsWith("../", StringComparison.Ordinal)
        );
    }
}
