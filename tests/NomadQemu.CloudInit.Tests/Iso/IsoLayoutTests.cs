using System.Text;
using NomadQemu.CloudInit.Iso;
using NomadQemu.CloudInit.Tests.Support;

namespace NomadQemu.CloudInit.Tests.Iso;

public sealed class IsoLayoutTests
{
    [Fact]
    public void Plan_AllFiles_NameOrderIsAlsoLevel1OrderAndExtentsAreConsecutive()
    {
        var layout = IsoLayout.Plan(Seeds.Typical());

        var names = layout.Files.Select(f => f.Name).ToArray();
        Assert.Equal(["meta-data", "network-config", "user-data", "vendor-data"], names);
        // ISO 9660 requires directory records sorted by identifier; the same order must hold for level-1 names.
        Assert.Equal(
            layout.Files.Select(f => f.Level1Name).Order(StringComparer.Ordinal),
            layout.Files.Select(f => f.Level1Name)
        );
        var next = IsoLayout.FirstDataSector;
        foreach (var file in layout.Files)
        {
            Assert.Equal(next, file.Extent);
            next += file.Sectors;
        }
        Assert.Equal(next + IsoLayout.TrailingPadSectors, layout.TotalSectors);
    }

    [Fact]
    public void Plan_EmptyUserData_OwnsNoSector()
    {
        var layout = IsoLayout.Plan(new CloudInitSeed { UserData = [], MetaData = Encoding.ASCII.GetBytes("a: 1\n") });

        var userData = layout.Files.Single(f => f.Name == "user-data");
        Assert.Equal(0u, userData.Extent);
        Assert.Equal(0u, userData.Sectors);
        Assert.Equal(IsoLayout.FirstDataSector + 1 + IsoLayout.TrailingPadSectors, layout.TotalSectors);
    }
}
