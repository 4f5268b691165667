using System.Text;

namespace NomadQemu.CloudInit.Iso;

/// <summary>
/// Builds the System Use area of one primary-tree directory record: SUSP entries (SP, CE, ER) and Rock Ridge
/// (RRIP 1991A: RR, PX, TF, NM). Rock Ridge is what gives Linux readers the real lower-case names and POSIX modes;
/// entry layouts follow SUSP 1.10 and RRIP 1.10 (each entry: two signature bytes, length, version 1, payload).
/// </summary>
internal sealed class RockRidgeEntries
{
    // The extension identifier and the two texts RRIP 1.10 asks an ER entry to carry for "RRIP_1991A".
    private const string ExtensionId = "RRIP_1991A";
    private const string ExtensionDescriptor =
        "THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS";
    private const string ExtensionSource =
        "PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION.";

    // RR entry flags: which RRIP entries follow (RRIP 1.10 4.1.7; Linux stops reading entries after an RR
    // entry whose flags name none of PX, TF, SL, CL).
    public const byte RrPx = 0x01;
    public const byte RrNm = 0x08;
    public const byte RrTf = 0x80;

    // POSIX modes: the seed is read-only for everyone; directories are searchable.
    public const uint RegularFileMode = 0x8000 | 0x124; // S_IFREG | 0444
    public const uint DirectoryMode = 0x4000 | 0x16D; // S_IFDIR | 0555

    private readonly List<byte> _bytes = [];

    public int Length => _bytes.Count;

    public byte[] ToArray() => [.. _bytes];

    /// <summary>SP: marks SUSP in use; must be the first entry of the root's "." record.</summary>
    public RockRidgeEntries Sp() => Entry("SP", [0xBE, 0xEF, 0]);

    public RockRidgeEntries Rr(byte flags) => Entry("RR", [flags]);

    /// <summary>PX: mode, link count, uid, gid (root owns everything), each in both byte orders.</summary>
    public RockRidgeEntries Px(uint mode, uint links)
    {
        var payload = new byte[32];
        IsoBytes.BothEndian32(payload, mode);
        IsoBytes.BothEndian32(payload.AsSpan(8), links);
        return Entry("PX", payload);
    }

    /// <summary>TF: modification, access and attribute-change times, short (7-byte) form.</summary>
    public RockRidgeEntries Tf(DateTime time)
    {
        const byte modify = 0x02,
            access = 0x04,
            attributes = 0x08;
        var payload = new byte[1 + (3 * 7)];
        payload[0] = modify | access | attributes;
        for (var i = 0; i < 3; i++)
        {
            IsoBytes.RecordingDate(payload.AsSpan(1 + (i * 7), 7), time);
        }
        return Entry("TF", payload);
    }

    /// <summary>NM: the file's real name (flags 0: complete, not "." or "..").</summary>
    public RockRidgeEntries Nm(string name)
    {
        var payload = new byte[1 + Encoding.ASCII.GetByteCount(name)];
        Encoding.ASCII.GetBytes(name, payload.AsSpan(1));
        return Entry("NM", payload);
    }

    /// <summary>CE: the rest of this record's entries live at <paramref name="sector"/> (offset 0).</summary>
    public RockRidgeEntries Ce(uint sector, uint length)
    {
        var payload = new byte[24];
        IsoBytes.BothEndian32(payload, sector);
        IsoBytes.BothEndian32(payload.AsSpan(8), 0);
        IsoBytes.BothEndian32(payload.AsSpan(16), length);
        return Entry("CE", payload);
    }

    /// <summary>ER: names the extension in use (Rock Ridge); too long for the root record, so it goes behind a CE.</summary>
    public RockRidgeEntries Er()
    {
        var id = Encoding.ASCII.GetBytes(ExtensionId);
        var descriptor = Encoding.ASCII.GetBytes(ExtensionDescriptor);
        var source = Encoding.ASCII.GetBytes(ExtensionSource);
        byte[] header = [(byte)id.Length, (byte)descriptor.Length, (byte)source.Length, 1];
        return Entry("ER", [.. header, .. id, .. descriptor, .. source]);
    }

    private RockRidgeEntries Entry(string signature, ReadOnlySpan<byte> payload)
    {
        var length = 4 + payload.Length;
        if (length > byte.MaxValue)
        {
            throw new InvalidOperationException(
                $"SUSP entry {signature} is {length} bytes, over the 255 a record allows"
            );
        }
        _bytes.Add((byte)signature[0]);
        _bytes.Add((byte)signature[1]);
        _bytes.Add((byte)length);
        _bytes.Add(1);
        _bytes.AddRange(payload);
        return this;
    }
}
