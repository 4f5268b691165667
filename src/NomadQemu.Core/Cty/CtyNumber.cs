using System.Globalization;
using System.Numerics;

namespace NomadQemu.Core.Cty;

/// <summary>
/// An exact number, as cty keeps it (cty uses 512-bit big floats; a decimal significand is enough for config):
/// value = <see cref="Significand"/> × 10^<see cref="Exponent"/>, normalised so equal values compare equal.
/// </summary>
public sealed record CtyNumber : CtyValue
{
    // Bounds that keep hostile input ("1e999999999", a megabyte of digits) from costing CPU or memory.
    internal const int MaxTextLength = 1000;
    internal const int MaxExponent = 10_000;

    private CtyNumber(BigInteger significand, int exponent)
    {
        if (significand.IsZero)
        {
            exponent = 0;
        }
        else
        {
            while (significand % 10 == 0)
            {
                significand /= 10;
                exponent++;
            }
        }

        Significand = significand;
        Exponent = exponent;
    }

    public override CtyKind Kind => CtyKind.Number;

    public BigInteger Significand { get; }

    public int Exponent { get; }

    public bool IsInteger => Exponent >= 0;

    /// <summary>The nearest double (±Infinity when out of range).</summary>
    public double Double => double.Parse(ScientificText, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Plain decimal text without an exponent, like Go's <c>big.Float.Text('f', -1)</c>.</summary>
    public string Text
    {
        get
        {
            if (Exponent >= 0)
            {
                return Significand.IsZero
                    ? "0"
                    : Significand.ToString(CultureInfo.InvariantCulture) + new string('0', Exponent);
            }

            var digits = BigInteger.Abs(Significand).ToString(CultureInfo.InvariantCulture);
            var fractionDigits = -Exponent;
            if (digits.Length <= fractionDigits)
            {
                digits = new string('0', fractionDigits - digits.Length + 1) + digits;
            }

            var sign = Significand.Sign < 0 ? "-" : "";
            return $"{sign}{digits[..^fractionDigits]}.{digits[^fractionDigits..]}";
        }
    }

    private string ScientificText =>
        $"{Significand.ToString(CultureInfo.InvariantCulture)}E{Exponent.ToString(CultureInfo.InvariantCulture)}";

    public static CtyNumber FromInt64(long value) => new(value, 0);

    public static CtyNumber FromBigInteger(BigInteger value) => new(value, 0);

    /// <summary>The exact value of a finite double (0.1 becomes 0.1000000000000000055511151231257827...).</summary>
    public static CtyNumber FromDouble(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "config numbers must be finite");
        }

        var bits = BitConverter.DoubleToInt64Bits(value);
        var negative = bits < 0;
        var rawExponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
        if (rawExponent == 0)
        {
            rawExponent = 1; // subnormal: no implicit leading bit
        }
        else
        {
            mantissa |= 1L << 52;
        }

        var binaryExponent = rawExponent - 1075;
        BigInteger significand = mantissa;
        var exponent = 0;
        if (binaryExponent >= 0)
        {
            significand <<= binaryExponent;
        }
        else
        {
            // m / 2^k == m × 5^k / 10^k
            significand *= BigInteger.Pow(5, -binaryExponent);
            exponent = binaryExponent;
        }

        return new CtyNumber(negative ? -significand : significand, exponent);
    }

    /// <summary>
    /// Parses decimal text the way cty does for numbers given as strings: optional sign, digits, optional fraction,
    /// optional exponent ("123", "-1.5", "1e20"). Surrounding whitespace is not allowed.
    /// </summary>
    public static bool TryParse(string text, out CtyNumber number)
    {
        number = null!;
        if (text.Length is 0 or > MaxTextLength)
        {
            return false;
        }

        ReadOnlySpan<char> s = text;
        var negative = s[0] == '-';
        if (s[0] is '-' or '+')
        {
            s = s[1..];
        }

        var mantissaEnd = s.IndexOfAny('e', 'E');
        var mantissa = mantissaEnd < 0 ? s : s[..mantissaEnd];
        var exponent = 0;
        if (mantissaEnd >= 0)
        {
            var exponentText = s[(mantissaEnd + 1)..];
            if (
                !IsSignedDigits(exponentText)
                || !int.TryParse(
                    exponentText,
                    NumberStyles.AllowLeadingSign,
                    CultureInfo.InvariantCulture,
                    out exponent
                )
                || Math.Abs(exponent) > MaxExponent
            )
            {
                return false;
            }
        }

        var dot = mantissa.IndexOf('.');
        var whole = dot < 0 ? mantissa : mantissa[..dot];
        var fraction = dot < 0 ? [] : mantissa[(dot + 1)..];
        if (whole.Length + fraction.Length == 0 || !IsDigits(whole) || !IsDigits(fraction))
        {
            return false;
        }

        var significand = BigInteger.Parse(
            string.Concat(whole, fraction),
            NumberStyles.None,
            CultureInfo.InvariantCulture
        );
        number = new CtyNumber(negative ? -significand : significand, exponent - fraction.Length);
        return true;
    }

    public bool TryGetInt64(out long value)
    {
        value = 0;
        if (!IsInteger || Exponent > 19)
        {
            return false;
        }

        var whole = Significand * BigInteger.Pow(10, Exponent);
        if (whole < long.MinValue || whole > long.MaxValue)
        {
            return false;
        }

        value = (long)whole;
        return true;
    }

    /// <summary>True when a float64 holds this value exactly (cty then sends float64 rather than text).</summary>
    public bool IsExactDouble
    {
        get
        {
            var d = Double;
            return double.IsFinite(d) && FromDouble(d) == this;
        }
    }

    public override string ToString() => Text;

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsSignedDigits(ReadOnlySpan<char> s) =>
        s.Length > 0 && (s[0] is '+' or '-' ? s.Length > 1 && IsDigits(s[1..]) : IsDigits(s));
}
