using System.Text;

namespace NomadQemu.CloudInit.Iso;

/// <summary>
/// Everything in front of the files' data (sectors 0 to <see cref="IsoLayout.FirstDataSector"/>): descriptors,
/// path tables, both root directories and the Rock Ridge continuation area.
/// </summary>
internal static class IsoHeaderWriter
{
    public static byte[] Build(IsoLayout layout, string volumeLabel)
    {
        var header = new byte[IsoLayout.FirstDataSector * IsoBytes.SectorSize];
        VolumeDescriptorWriter.WritePrimary(Sector(header, IsoLayout.PrimaryDescriptorSector), layout, volumeLabel);
        VolumeDescriptorWriter.WriteJoliet(Sector(header, IsoLayout.JolietDescriptorSector), layout, volumeLabel);
        VolumeDescriptorWriter.WriteTerminator(Sector(header, IsoLayout.TerminatorSector));
        VolumeDescriptorWriter.WritePathTable(
            Sector(header, IsoLayout.PrimaryLPathTableSector),
            IsoLayout.PrimaryRootSector,
            bigEndian: false
        );
        VolumeDescriptorWriter.WritePathTable(
            Sector(header, IsoLayout.PrimaryMPathTableSector),
            IsoLayout.PrimaryRootSector,
            bigEndian: true
        );
        VolumeDescriptorWriter.WritePathTable(
            Sector(header, IsoLayout.JolietLPathTableSector),
            IsoLayout.JolietRootSector,
            bigEndian: false
        );
        VolumeDescriptorWriter.WritePathTable(
            Sector(header, IsoLayout.JolietMPathTableSector),
            IsoLayout.JolietRootSector,
            bigEndian: true
        );

        var extension = new RockRidgeEntries().Er().ToArray();
        extension.CopyTo(Sector(header, IsoLayout.ContinuationSector));
        WritePrimaryRoot(Sector(header, IsoLayout.PrimaryRootSector), layout, (uint)extension.Length);
        WriteJolietRoot(Sector(header, IsoLayout.JolietRootSector), layout);
        return header;
    }

    private static void WritePrimaryRoot(Span<byte> sector, IsoLayout layout, uint extensionLength)
    {
        var records = new DirectoryRecordWriter(sector);
        var self = new RockRidgeEntries()
            .Sp()
            .Rr(RockRidgeEntries.RrPx | RockRidgeEntries.RrTf)
            .Px(RockRidgeEntries.DirectoryMode, links: 2)
            .Tf(IsoBytes.Timestamp)
            .Ce(IsoLayout.ContinuationSector, extensionLength);
        records.Add(IsoLayout.PrimaryRootSector, IsoBytes.SectorSize, true, DirectoryRecordWriter.Self, self.ToArray());
        var parent = new RockRidgeEntries()
            .Rr(RockRidgeEntries.RrPx | RockRidgeEntries.RrTf)
            .Px(RockRidgeEntries.DirectoryMode, links: 2)
            .Tf(IsoBytes.Timestamp);
        records.Add(
            IsoLayout.PrimaryRootSector,
            IsoBytes.SectorSize,
            true,
            DirectoryRecordWriter.Parent,
            parent.ToArray()
        );

        foreach (var file in layout.Files)
        {
            var entries = new RockRidgeEntries()
                .Rr(RockRidgeEntries.RrPx | RockRidgeEntries.RrNm | RockRidgeEntries.RrTf)
                .Px(RockRidgeEntries.RegularFileMode, links: 1)
                .Tf(IsoBytes.Timestamp)
                .Nm(file.Name);
            records.Add(
                file.Extent,
                (uint)file.Data.Length,
                false,
                Encoding.ASCII.GetBytes(file.Level1Name),
                entries.ToArray()
            );
        }
    }

    // Joliet names carry no ";1" version suffix, as genisoimage and xorriso write them; readers accept both.
    private static void WriteJolietRoot(Span<byte> sector, IsoLayout layout)
    {
        var records = new DirectoryRecordWriter(sector);
        records.Add(IsoLayout.JolietRootSector, IsoBytes.SectorSize, true, DirectoryRecordWriter.Self, []);
        records.Add(IsoLayout.JolietRootSector, IsoBytes.SectorSize, true, DirectoryRecordWriter.Parent, []);
        foreach (var file in layout.Files)
        {
            records.Add(file.Extent, (uint)file.Data.Length, false, Encoding.BigEndianUnicode.GetBytes(file.Name), []);
        }
    }

    private static Span<byte> Sector(byte[] image, uint sector) =>
        image.AsSpan((int)(sector * IsoBytes.SectorSize), IsoBytes.SectorSize);
}
