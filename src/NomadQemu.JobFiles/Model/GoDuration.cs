using System.Globalization;

namespace NomadQemu.JobFiles;

/// <summary>Parses Go duration strings ("5s", "1m30s", "1.5h", "250ms", "10us") as Nomad job files use them.</summary>
internal static class GoDuration
{
    private static readonly (string Unit, decimal Ticks)[] s_units =
    [
        ("ns", 0.01m),
        ("us", 10m),
        ("µs", 10m),
        ("μs", 10m),
        ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.Trim();
        if (s == "0")
        {
            return true;
        }
        var negative = s.StartsWith('-');
        s = s.TrimStart('-', '+');
        if (s.Length == 0)
        {
            return false;
        }
        decimal ticks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var numberStart = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }
            if (
                i == numberStart
                || !decimal.TryParse(
                    s[numberStart..i],
                    NumberStyles.AllowDecimalPoint,
                    CultureInfo.InvariantCulture,
                    out var amount
                )
            )
            {
                return false;
            }
            var unit = s_units
                .Where(u => string.CompareOrdinal(s, i, u.Unit, 0, u.Unit.Length) == 0)
                .OrderByDescending(u => u.Unit.Length)
                .FirstOrDefault();
            if (unit.Unit is null)
            {
                return false;
            }
            i += unit.Unit.Length;
            ticks += amount * unit.Ticks;
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
        }
        value = TimeSpan.FromTicks((long)(negative ? -ticks : ticks));
        return true;
    }
}
