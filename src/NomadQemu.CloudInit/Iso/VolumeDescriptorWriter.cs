using System.Buffers.Binary;
using System.Text;

namespace NomadQemu.CloudInit.Iso;

/// <summary>
/// The volume descriptors (ISO 9660 8.4, 8.5, 8.3): the primary one, Joliet's supplementary one (the same layout
/// with UCS-2 text and the "%/E" escape sequence for UCS-2 level 3), and the set terminator.
/// </summary>
internal static class VolumeDescriptorWriter
{
    private const byte PrimaryType = 1;
    private const byte SupplementaryType = 2;
    private const byte TerminatorType = 255;
    private const int PathTableLength = 10; // the root's record alone
    private const string ApplicationId = "NOMAD-DRIVER-QEMU CLOUD-INIT SEED";

    public static void WritePrimary(Span<byte> sector, IsoLayout layout, string volumeLabel) =>
        Write(sector, layout, volumeLabel, joliet: false);

    public static void WriteJoliet(Span<byte> sector, IsoLayout layout, string volumeLabel) =>
        Write(sector, layout, volumeLabel, joliet: true);

    public static void WriteTerminator(Span<byte> sector)
    {
        sector.Clear();
        Header(sector, TerminatorType);
    }

    /// <summary>A path table holding only the root (ISO 9660 9.4), in little- or big-endian form.</summary>
    public static void WritePathTable(Span<byte> sector, uint rootSector, bool bigEndian)
    {
        sector.Clear();
        sector[0] = 1; // identifier length: the root's identifier is one zero byte
        sector[1] = 0;
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(sector[2..], rootSector);
            BinaryPrimitives.WriteUInt16BigEndian(sector[6..], 1);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(sector[2..], rootSector);
            BinaryPrimitives.WriteUInt16LittleEndian(sector[6..], 1);
        }
        sector[8] = 0; // identifier
        sector[9] = 0; // pad to even
    }

    private static void Write(Span<byte> sector, IsoLayout layout, string volumeLabel, bool joliet)
    {
        sector.Clear();
        Header(sector, joliet ? SupplementaryType : PrimaryType);
        var text = joliet ? (TextField)IsoBytes.Ucs2Field : IsoBytes.AsciiField;

        text(sector.Slice(8, 32), ""); // system identifier
        text(sector.Slice(40, 32), volumeLabel);
        IsoBytes.BothEndian32(sector[80..], layout.TotalSectors);
        if (joliet)
        {
            Encoding.ASCII.GetBytes("%/E", sector[88..]);
        }
        IsoBytes.BothEndian16(sector[120..], 1); // volume set size
        IsoBytes.BothEndian16(sector[124..], 1); // volume sequence number
        IsoBytes.BothEndian16(sector[128..], IsoBytes.SectorSize);
        IsoBytes.BothEndian32(sector[132..], PathTableLength);
        var (lTable, mTable, root) = joliet
            ? (IsoLayout.JolietLPathTableSector, IsoLayout.JolietMPathTableSector, IsoLayout.JolietRootSector)
            : (IsoLayout.PrimaryLPathTableSector, IsoLayout.PrimaryMPathTableSector, IsoLayout.PrimaryRootSector);
        BinaryPrimitives.WriteUInt32LittleEndian(sector[140..], lTable);
        BinaryPrimitives.WriteUInt32BigEndian(sector[148..], mTable);

        var rootRecord = new DirectoryRecordWriter(sector.Slice(156, 34));
        rootRecord.Add(root, IsoBytes.SectorSize, isDirectory: true, DirectoryRecordWriter.Self, []);

        text(sector.Slice(190, 128), ""); // volume set
        text(sector.Slice(318, 128), ""); // publisher
        text(sector.Slice(446, 128), ""); // data preparer
        text(sector.Slice(574, 128), ApplicationId);
        text(sector.Slice(702, 37), ""); // copyright file
        text(sector.Slice(739, 37), ""); // abstract file
        text(sector.Slice(776, 37), ""); // bibliographic file
        IsoBytes.VolumeDate(sector.Slice(813, 17), IsoBytes.Timestamp); // creation
        IsoBytes.VolumeDate(sector.Slice(830, 17), IsoBytes.Timestamp); // modification
        IsoBytes.VolumeDate(sector.Slice(847, 17), null); // expiration
        IsoBytes.VolumeDate(sector.Slice(864, 17), null); // effective
        sector[881] = 1; // file structure version
    }

    private static void Header(Span<byte> sector, byte type)
    {
        sector[0] = type;
        Encoding.ASCII.GetBytes("CD001", sector[1..]);
        sector[6] = 1; // descriptor version
    }

    private delegate void TextField(Span<byte> field, string text);
}
