namespace NomadQemu.CloudInit.Iso;

/// <summary>
/// Where everything goes. The seed has one directory (the root) and at most four small files, so the metadata has
/// a fixed shape: one sector each for the descriptors, the four path tables, the two root directories and the
/// Rock Ridge continuation area, then the files' data, each starting on its own sector in name order.
/// </summary>
internal sealed class IsoLayout
{
    public const uint PrimaryDescriptorSector = 16; // sectors 0-15 are the system area, left zero
    public const uint JolietDescriptorSector = 17;
    public const uint TerminatorSector = 18;
    public const uint PrimaryLPathTableSector = 19;
    public const uint PrimaryMPathTableSector = 20;
    public const uint JolietLPathTableSector = 21;
    public const uint JolietMPathTableSector = 22;
    public const uint PrimaryRootSector = 23;
    public const uint ContinuationSector = 24;
    public const uint JolietRootSector = 25;
    public const uint FirstDataSector = 26;

    /// <summary>
    /// Zero sectors after the last file, counted in the volume (what mkisofs/genisoimage add by default). Readers
    /// read past the data: Linux CD-ROM readahead runs into the end of a too-short medium, and busybox's volume_id
    /// (findfs, mount by LABEL=) reads the first 68 KiB of a device before it looks for ISO 9660 at all, so a
    /// smaller seed has no label to it. 300 KiB covers both.
    /// </summary>
    public const uint TrailingPadSectors = 150;

    // Level-1 names (8.3, d-characters) for readers that see neither extension; unique by construction.
    private static readonly Dictionary<string, string> s_level1Names = new(StringComparer.Ordinal)
    {
        [SeedFileNames.UserData] = "USER_DAT.;1",
        [SeedFileNames.MetaData] = "META_DAT.;1",
        [SeedFileNames.VendorData] = "VENDOR_D.;1",
        [SeedFileNames.NetworkConfig] = "NETWORK_.;1",
    };

    private IsoLayout(IReadOnlyList<IsoFile> files, uint totalSectors)
    {
        Files = files;
        TotalSectors = totalSectors;
    }

    /// <summary>The files in directory order (ordinal by name, which is also the Joliet and level-1 order).</summary>
    public IReadOnlyList<IsoFile> Files { get; }

    public uint TotalSectors { get; }

    public long TotalBytes => (long)TotalSectors * IsoBytes.SectorSize;

    public static IsoLayout Plan(CloudInitSeed seed)
    {
        var files = new List<IsoFile>();
        var next = FirstDataSector;
        foreach (var (name, data) in seed.Files().OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            var file = new IsoFile(name, s_level1Names[name], data, data.Length == 0 ? 0 : next);
            files.Add(file);
            next += file.Sectors;
        }
        return new IsoLayout(files, next + TrailingPadSectors);
    }
}
