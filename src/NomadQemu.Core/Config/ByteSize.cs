using System.Globalization;

namespace NomadQemu.Core.Config;

/// <summary>
/// Sizes written the way Nomad's agent config writes them ("100GB", "512MiB", "4096"): decimal units (KB, MB,
/// GB, TB, or K, M, G, T) are powers of 1000, binary ones (KiB, MiB, GiB, TiB) powers of 1024, no unit is bytes.
/// </summary>
public static class ByteSize
{
    private static readonly (string Suffix, long Factor)[] s_units =
    [
        ("kib", 1L << 10),
        ("mib", 1L << 20),
        ("gib", 1L << 30),
        ("tib", 1L << 40),
        ("kb", 1000L),
        ("mb", 1000L * 1000),
        ("gb", 1000L * 1000 * 1000),
        ("tb", 1000L * 1000 * 1000 * 1000),
        ("k", 1000L),
        ("m", 1000L * 1000),
        ("g", 1000L * 1000 * 1000),
        ("t", 1000L * 1000 * 1000 * 1000),
        ("b", 1L),
    ];

    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        var value = (text ?? string.Empty).Trim().ToLowerInvariant();
        var factor = 1L;
        foreach ((var suffix, var unit) in s_units)
        {
            if (value.EndsWith(suffix, StringComparison.Ordinal))
            {
                value = value[..^suffix.Length].TrimEnd();
                factor = unit;
                break;
            }
        }

        if (
            !decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            || number * factor > long.MaxValue
        )
        {
            return false;
        }

        bytes = (long)(number * factor);
        return true;
    }
}
