namespace NomadQemu.CloudInit.Iso;

/// <summary>
/// One seed file placed in the image: its real name (Rock Ridge and Joliet), its ISO 9660 level-1 name, and the
/// sector its data starts at (0 for an empty file, which owns no sectors).
/// </summary>
internal sealed record IsoFile(string Name, string Level1Name, byte[] Data, uint Extent)
{
    public uint Sectors => (uint)((Data.Length + IsoBytes.SectorSize - 1) / IsoBytes.SectorSize);
}
