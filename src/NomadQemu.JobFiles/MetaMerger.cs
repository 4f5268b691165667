using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles;

/// <summary>
/// Merges meta down the job → group → task chain (inner keys win) for both job formats, and counts the
/// copies against <see cref="HclLimits.MaxMergedMetaEntries"/>.
/// </summary>
internal sealed class MetaMerger
{
    private long _copied;

    /// <param name="error">Makes the positioned error for the block being merged into.</param>
    public Dictionary<string, string> Merge(
        Dictionary<string, string> outer,
        Dictionary<string, string>? inner,
        Func<string, HclException> error
    )
    {
        _copied += outer.Count + (inner?.Count ?? 0);
        if (_copied > HclLimits.MaxMergedMetaEntries)
        {
            throw error(
                $"job, group and task meta merged into every group and task come to more than {HclLimits.MaxMergedMetaEntries} entries"
            );
        }
        var merged = new Dictionary<string, string>(outer, StringComparer.Ordinal);
        foreach (var (key, value) in inner ?? [])
        {
            merged[key] = value;
        }
        return merged;
    }
}
