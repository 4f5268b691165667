namespace NomadQemu.Core.Validation.Args;

/// <summary>Shell-style <c>*</c> wildcard match (any run of characters, including none); everything else is literal.</summary>
internal static class Glob
{
    public static bool HasWildcard(string pattern) => pattern.Contains('*', StringComparison.Ordinal);

    public static bool Matches(string pattern, string text)
    {
        // Iterative with one backtrack point: linear-ish, no recursion on hostile input.
        int p = 0,
            t = 0,
            starP = -1,
            starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (p < pattern.Length && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }
}
