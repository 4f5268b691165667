namespace NomadQemu.CloudInit.Iso;

/// <summary>
/// Writes ISO 9660 directory records (9.1) one after another into a directory's sector. Records never cross a
/// sector boundary; the seed's root fits one sector with room to spare, which <see cref="Add"/> checks.
/// </summary>
internal ref struct DirectoryRecordWriter
{
    private const byte DirectoryFlag = 0x02;

    private readonly Span<byte> _sector;
    private int _used;

    public DirectoryRecordWriter(Span<byte> sector)
    {
        _sector = sector;
    }

    /// <summary>The identifier of a directory's "." record.</summary>
    public static ReadOnlySpan<byte> Self => [0];

    /// <summary>The identifier of a directory's ".." record.</summary>
    public static ReadOnlySpan<byte> Parent => [1];

    public void Add(
        uint extent,
        uint dataLength,
        bool isDirectory,
        ReadOnlySpan<byte> identifier,
        ReadOnlySpan<byte> systemUse
    )
    {
        // The identifier is followed by a pad byte when its length is even, so the System Use area starts on an
        // even offset; the record's total length is even too.
        var headerAndId = 33 + identifier.Length + (identifier.Length % 2 == 0 ? 1 : 0);
        var length = headerAndId + systemUse.Length;
        length += length % 2;
        if (length > byte.MaxValue || _used + length > _sector.Length)
        {
            throw new InvalidOperationException($"directory record of {length} bytes does not fit the root sector");
        }

        var record = _sector.Slice(_used, length);
        record.Clear();
        record[0] = (byte)length;
        record[1] = 0; // no extended attribute record
        IsoBytes.BothEndian32(record[2..], extent);
        IsoBytes.BothEndian32(record[10..], dataLength);
        IsoBytes.RecordingDate(record[18..], IsoBytes.Timestamp);
        record[25] = isDirectory ? DirectoryFlag : (byte)0;
        record[26] = 0; // not interleaved
        record[27] = 0;
        IsoBytes.BothEndian16(record[28..], 1); // volume sequence number
        record[32] = (byte)identifier.Length;
        identifier.CopyTo(record[33..]);
        systemUse.CopyTo(record[headerAndId..]);
        _used += length;
    }
}
