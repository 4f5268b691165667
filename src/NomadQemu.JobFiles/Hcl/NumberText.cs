using System.Globalization;

namespace NomadQemu.JobFiles.Hcl;

/// <summary>Parses HCL/JSON number text (int, decimal, exponent) into an exact decimal.</summary>
internal static class NumberText
{
    public static bool TryParse(string text, out decimal value)
    {
        text = text.Trim();
        if (text.Length > HclLimits.MaxNumberLength)
        {
            // Checked first: decimal parsing is linear, but no real number needs this many characters.
            value = 0;
            return false;
        }
        // decimal.Parse accepts forms HCL does not (thousands separators, leading '+', hex): allow only digits,
        // one leading '-', '.', and an exponent.
        foreach (var c in text)
        {
            if (!(char.IsAsciiDigit(c) || c is '-' or '.' or 'e' or 'E' or '+'))
            {
                value = 0;
                return false;
            }
        }
        try
        {
            return decimal.TryParse(
                text,
                NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture,
                out value
            );
        }
        catch (OverflowException)
        {
            value = 0;
            return false;
        }
    }

    /// <summary>Number text as an error message shows it: long ones cut in the middle.</summary>
    public static string Shorten(string text) =>
        text.Length <= 40 ? text : $"{text[..20]}...{text[^10..]} ({text.Length} characters)";
}
