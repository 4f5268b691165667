using NomadQemu.CloudInit.Tests.Support;

namespace NomadQemu.CloudInit.Tests.Iso;

/// <summary>The image as independent ISO 9660 readers see it: genisoimage's isoinfo and isovfy, xorriso, blkid.</summary>
public sealed class IsoToolReadBackTests
{
    [Fact]
    public async Task Isovfy_TypicalSeed_FindsNoErrors()
    {
        using var disk = new SeedOnDisk(Seeds.Typical());

        var result = await ExternalTool.RunCheckedAsync("isovfy", disk.ImagePath);

        Assert.Contains("No errors found", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Isoinfo_TypicalSeed_ReportsLabelJolietAndRockRidge()
    {
        using var disk = new SeedOnDisk(Seeds.Typical());

        var info = (await ExternalTool.RunCheckedAsync("isoinfo", "-d", "-i", disk.ImagePath)).Text;

        Assert.Contains("Volume id: CIDATA", info, StringComparison.Ordinal);
        Assert.Contains("Joliet with UCS level 3 found", info, StringComparison.Ordinal);
        Assert.Contains("Rock Ridge signatures version 1 found", info, StringComparison.Ordinal);
        Assert.Contains("Logical block size is: 2048", info, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Isoinfo_RockRidgeListing_ShowsRealNamesReadOnlyForEveryone()
    {
        using var disk = new SeedOnDisk(Seeds.Typical());

        var listing = (await ExternalTool.RunCheckedAsync("isoinfo", "-R", "-l", "-i", disk.ImagePath)).Text;

        foreach (var name in new[] { "meta-data", "network-config", "user-data", "vendor-data" })
        {
            Assert.Matches($@"(?m)^-r--r--r-- +1 +0 +0 +\d+ .* {name} *$", listing);
        }
        Assert.Matches(@"(?m)^dr-xr-xr-x .* \. *$", listing);
    }

    [Fact]
    public async Task Isoinfo_JolietListing_ShowsRealNames()
    {
        using var disk = new SeedOnDisk(Seeds.Typical());

        var listing = (await ExternalTool.RunCheckedAsync("isoinfo", "-J", "-l", "-i", disk.ImagePath)).Text;

        foreach (var name in new[] { "meta-data", "network-config", "user-data", "vendor-data" })
        {
            Assert.Matches($@"(?m) {name} *$", listing);
        }
    }

    [Fact]
    public async Task Isoinfo_BothExtensions_ExtractEveryFileByteExact()
    {
        var seed = Seeds.Typical();
        using var disk = new SeedOnDisk(seed);

        foreach (var extension in new[] { "-R", "-J" })
        {
            Assert.Equal(seed.UserData, await disk.ExtractWithIsoinfoAsync(extension, "/user-data"));
            Assert.Equal(seed.MetaData, await disk.ExtractWithIsoinfoAsync(extension, "/meta-data"));
            Assert.Equal(seed.VendorData!, await disk.ExtractWithIsoinfoAsync(extension, "/vendor-data"));
            Assert.Equal(seed.NetworkConfig!, await disk.ExtractWithIsoinfoAsync(extension, "/network-config"));
        }
    }

    [Fact]
    public async Task Xorriso_LargeBinaryUserData_ExtractsByteExact()
    {
        // 1 MiB + 1 byte of random data: spans 513 sectors with a 1-byte tail, like a big gzip'd MIME archive.
        var userData = Seeds.RandomBytes((1024 * 1024) + 1, seed: 7);
        var vendorData = Seeds.Gzip(Seeds.CloudConfig);
        var seed = SeedBuilder.Build(
            new SeedRequest
            {
                AllocId = Seeds.AllocId,
                TaskName = Seeds.TaskName,
                UserData = userData,
                VendorData = vendorData,
            }
        );
        using var disk = new SeedOnDisk(seed);

        var root = await disk.ExtractWithXorrisoAsync();

        Assert.Equal(userData, File.ReadAllBytes(Path.Combine(root, "user-data")));
        Assert.Equal(vendorData, File.ReadAllBytes(Path.Combine(root, "vendor-data")));
        Assert.Equal(seed.MetaData, File.ReadAllBytes(Path.Combine(root, "meta-data")));
        Assert.False(File.Exists(Path.Combine(root, "network-config")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2047)]
    [InlineData(2048)]
    [InlineData(2049)]
    [InlineData(4096)]
    public async Task Xorriso_UserDataAroundSectorBoundaries_ExtractsByteExactAndIsovfyAgrees(int length)
    {
        var userData = Seeds.RandomBytes(length, seed: length);
        var seed = SeedBuilder.Build(
            new SeedRequest
            {
                AllocId = Seeds.AllocId,
                TaskName = Seeds.TaskName,
                UserData = userData,
                VendorData = Seeds.RandomBytes(length + 1, seed: -length),
            }
        );
        using var disk = new SeedOnDisk(seed);

        var root = await disk.ExtractWithXorrisoAsync();

        Assert.Equal(userData, File.ReadAllBytes(Path.Combine(root, "user-data")));
        Assert.Equal(seed.VendorData, File.ReadAllBytes(Path.Combine(root, "vendor-data")));
        var verify = await ExternalTool.RunCheckedAsync("isovfy", disk.ImagePath);
        Assert.Contains("No errors found", verify.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Xorriso_EmptyUserData_ExtractsEmptyFileNextToMetaData()
    {
        var seed = SeedBuilder.Build(new SeedRequest { AllocId = Seeds.AllocId, TaskName = Seeds.TaskName });
        using var disk = new SeedOnDisk(seed);

        var root = await disk.ExtractWithXorrisoAsync();

        Assert.Equal(["meta-data", "user-data"], Directory.GetFiles(root).Select(Path.GetFileName).Order());
        Assert.Empty(File.ReadAllBytes(Path.Combine(root, "user-data")));
        Assert.Equal(seed.MetaData, File.ReadAllBytes(Path.Combine(root, "meta-data")));
        var verify = await ExternalTool.RunCheckedAsync("isovfy", disk.ImagePath);
        Assert.Contains("No errors found", verify.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blkid_TypicalSeed_ReportsCidataIso9660()
    {
        using var disk = new SeedOnDisk(Seeds.Typical());

        // -p probes the file itself (no cache), with the same libblkid cloud-init's device search uses.
        var probe = (await ExternalTool.RunCheckedAsync("blkid", "-p", "-o", "export", disk.ImagePath)).Text;

        Assert.Contains("LABEL=CIDATA\n", probe, StringComparison.Ordinal);
        Assert.Contains("TYPE=iso9660\n", probe, StringComparison.Ordinal);
        Assert.Contains("USAGE=filesystem\n", probe, StringComparison.Ordinal);
    }
}
