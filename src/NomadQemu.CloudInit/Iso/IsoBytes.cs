using System.Buffers.Binary;
using System.Text;

namespace NomadQemu.CloudInit.Iso;

/// <summary>
/// ISO 9660's field encodings: numbers recorded in both byte orders, padded text fields (ASCII in the primary
/// descriptor, UCS-2 big-endian in Joliet's) and the two date formats.
/// </summary>
internal static class IsoBytes
{
    public const int SectorSize = 2048;

    /// <summary>
    /// Every timestamp in the image. Fixed, so the same inputs give the same bytes; cloud-init reads no
    /// timestamps from the seed, and the guest's view of "when" comes from its own clock.
    /// </summary>
    public static readonly DateTime Timestamp = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>A 32-bit number in both byte orders (ISO 9660 7.3.3): 8 bytes.</summary>
    public static void BothEndian32(Span<byte> destination, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], value);
    }

    /// <summary>A 16-bit number in both byte orders (ISO 9660 7.2.3): 4 bytes.</summary>
    public static void BothEndian16(Span<byte> destination, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, value);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], value);
    }

    /// <summary>ASCII text padded with spaces to the field's width (a- and d-character fields).</summary>
    public static void AsciiField(Span<byte> field, string text)
    {
        field.Fill((byte)' ');
        Encoding.ASCII.GetBytes(text, field);
    }

    /// <summary>UCS-2 big-endian text padded with UCS-2 spaces (Joliet); an odd trailing byte stays zero.</summary>
    public static void Ucs2Field(Span<byte> field, string text)
    {
        field.Clear();
        for (var i = 0; i + 1 < field.Length; i += 2)
        {
            field[i + 1] = (byte)' ';
        }
        Encoding.BigEndianUnicode.GetBytes(text, field);
    }

    /// <summary>The 7-byte date of directory records and Rock Ridge TF entries (ISO 9660 9.1.5), in UTC.</summary>
    public static void RecordingDate(Span<byte> destination, DateTime time)
    {
        destination[0] = (byte)(time.Year - 1900);
        destination[1] = (byte)time.Month;
        destination[2] = (byte)time.Day;
        destination[3] = (byte)time.Hour;
        destination[4] = (byte)time.Minute;
        destination[5] = (byte)time.Second;
        destination[6] = 0; // offset from GMT in 15-minute units
    }

    /// <summary>The 17-byte volume descriptor date (ISO 9660 8.4.26.1): 16 ASCII digits and a GMT offset.</summary>
    public static void VolumeDate(Span<byte> destination, DateTime? time)
    {
        var digits = time is { } t
            ? t.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + "00"
            : "0000000000000000"; // "not specified"
        Encoding.ASCII.GetBytes(digits, destination);
        destination[16] = 0;
    }
}
