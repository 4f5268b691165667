using System.Globalization;
using System.Text.RegularExpressions;

namespace NomadQemu.Core.WarmStart;

/// <summary>
/// Durations written the way Nomad job files write them (Go's <c>time.ParseDuration</c>: "5s", "2m", "1m30s",
/// "500ms"), positive and whole-millisecond; a bare number is refused because its unit would be a guess.
/// </summary>
public static partial class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text) || !WholePattern().IsMatch(text))
        {
            return false;
        }
        double ms = 0;
        foreach (Match part in PartPattern().Matches(text))
        {
            var number = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            ms += part.Groups[2].Value switch
            {
                "ms" => number,
                "s" => number * 1000,
                "m" => number * 60_000,
                _ => number * 3_600_000,
            };
            if (ms > TimeSpan.FromDays(1).TotalMilliseconds)
            {
                return false;
            }
        }
        value = TimeSpan.FromMilliseconds(Math.Round(ms));
        return value > TimeSpan.Zero;
    }

    [GeneratedRegex(@"^(\d+(\.\d+)?(ms|s|m|h))+$")]
    private static partial Regex WholePattern();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h)")]
    private static partial Regex PartPattern();
}
