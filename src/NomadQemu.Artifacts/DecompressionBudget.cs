using System.Globalization;

namespace NomadQemu.Artifacts;

/// <summary>
/// Counts what one unpack has produced against <see cref="DecompressionLimits"/> and stops it the moment a
/// limit is passed, before the byte or entry that passes it is written: a bomb never fills the disk.
/// </summary>
internal sealed class DecompressionBudget(DecompressionLimits limits, string display)
{
    private long _bytes;
    private int _entries;

    public void AddEntry(string entryName)
    {
        _entries++;
        CheckCount(_entries, $" (at \"{entryName}\")");
    }

    /// <summary>A zip states its entry count up front: refuse before unpacking anything.</summary>
    public void CheckDeclaredCount(int entries) => CheckCount(entries, string.Empty);

    private void CheckCount(int entries, string where)
    {
        if (limits.FileCountLimit > 0 && entries > limits.FileCountLimit)
        {
            throw new ArtifactUnpackException(
                display,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"archive has more than {limits.FileCountLimit} entries{where}, over decompression_file_count_limit (--decompression-file-count-limit)"
                )
            );
        }
    }

    public void AddBytes(int count)
    {
        _bytes += count;
        if (limits.SizeLimit > 0 && _bytes > limits.SizeLimit)
        {
            throw new ArtifactUnpackException(
                display,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"unpacks to more than {limits.SizeLimit} bytes, over decompression_size_limit (--decompression-size-limit)"
                )
            );
        }
    }
}
