using NomadQemu.Core.Config;
using static NomadQemu.Core.Tests.Config.ConfigTestData;

namespace NomadQemu.Core.Tests.Config;

public sealed class DiskConfigDecodeTests
{
    private static TaskConfig Decode(params Dictionary<string, object?>[] disks) =>
        TaskConfig.Decode(Encode(Task(("disk", disks))));

    private static ConfigException Refused(params Dictionary<string, object?>[] disks) =>
        Assert.Throws<ConfigException>(() => Decode(disks));

    [Fact]
    public void NoDisks_IsAnEmptyList()
    {
        Assert.Empty(TaskConfig.Decode(Encode(Task())).Disks);
        Assert.Empty(Decode().Disks);
    }

    [Fact]
    public void ImageAndBlank_ReadEveryKey_InOrder()
    {
        var disks = Decode(
            new Dictionary<string, object?>
            {
                ["source"] = "local/data.raw",
                ["format"] = "raw",
                ["interface"] = "scsi",
                ["read_only"] = true,
                ["cache"] = "none",
                ["discard"] = "unmap",
                ["serial"] = "data-1",
                ["boot_index"] = 2,
            },
            new Dictionary<string, object?> { ["size"] = "1GiB" }
        ).Disks;

        Assert.Equal(2, disks.Count);
        var image = disks[0];
        Assert.Equal("disk[0]", image.Name);
        Assert.Equal("local/data.raw", image.Source);
        Assert.Null(image.SizeBytes);
        Assert.Equal(ImageFormat.Raw, image.Format);
        Assert.Equal(DiskInterface.Scsi, image.Interface);
        Assert.True(image.ReadOnly);
        Assert.Equal("none", image.Cache);
        Assert.Equal("unmap", image.Discard);
        Assert.Equal("data-1", image.Serial);
        Assert.Equal(2, image.BootIndex);
        var blank = disks[1];
        Assert.Equal("disk[1]", blank.Name);
        Assert.True(blank.IsBlank);
        Assert.Equal(1L << 30, blank.SizeBytes);
        Assert.Equal(ImageFormat.Qcow2, blank.Format);
        Assert.Null(blank.Interface);
        Assert.False(blank.ReadOnly);
        Assert.Null(blank.Cache);
        Assert.Null(blank.BootIndex);
    }

    [Fact]
    public void OneBlockAsAnObject_IsAListOfOne()
    {
        var config = TaskConfig.Decode(Encode(Task(("disk", new Dictionary<string, object?> { ["size"] = "10MiB" }))));

        Assert.Equal(10L << 20, Assert.Single(config.Disks).SizeBytes);
    }

    [Theory]
    [InlineData("512MB", 512_000_000L)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1048576", 1L << 20)]
    public void Size_TakesNomadsUnits(string text, long bytes)
    {
        Assert.Equal(bytes, Assert.Single(Decode(new Dictionary<string, object?> { ["size"] = text }).Disks).SizeBytes);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1KiB")]
    [InlineData("65TiB")]
    [InlineData("lots")]
    [InlineData("-1GiB")]
    [InlineData("1048577")]
    public void Size_OutOfRangeOrMalformed_IsRefusedByFullKey(string text)
    {
        var e = Refused(
            new Dictionary<string, object?> { ["size"] = "1GiB" },
            new Dictionary<string, object?> { ["size"] = text }
        );

        Assert.Equal("disk[1].size", e.Key);
        Assert.Contains("\"disk[1].size\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NeitherSourceNorSize_IsRefused()
    {
        var e = Refused(new Dictionary<string, object?> { ["serial"] = "x" });

        Assert.Equal("disk[0]", e.Key);
        Assert.Contains("disk[0].source", e.Message, StringComparison.Ordinal);
        Assert.Contains("disk[0].size", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BothSourceAndSize_IsRefused()
    {
        Assert.Equal(
            "disk[0]",
            Refused(
                new Dictionary<string, object?>
                {
                    ["source"] = "a",
                    ["format"] = "raw",
                    ["size"] = "1GiB",
                }
            ).Key
        );
    }

    [Fact]
    public void ImageWithoutFormat_IsRefused_FormatIsNeverProbed()
    {
        var e = Refused(new Dictionary<string, object?> { ["source"] = "local/a.img" });

        Assert.Equal("disk[0].format", e.Key);
        Assert.Contains("required", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("format", "raw", "disk[0].format")]
    [InlineData("read_only", true, "disk[0].read_only")]
    public void BlankDisk_RawOrReadOnly_IsRefused(string key, object value, string expectedKey)
    {
        Assert.Equal(expectedKey, Refused(new Dictionary<string, object?> { ["size"] = "1GiB", [key] = value }).Key);
    }

    [Theory]
    [InlineData("interface", "floppy")]
    [InlineData("cache", "fast")]
    [InlineData("discard", "on")]
    [InlineData("format", "vmdk")]
    [InlineData("serial", "has,comma")]
    [InlineData("serial", "twenty-one-characters")]
    [InlineData("boot_index", -1)]
    [InlineData("boot_index", 1.5)]
    public void BadValue_IsRefusedByFullKey(string key, object value)
    {
        var e = Refused(
            new Dictionary<string, object?>
            {
                ["source"] = "local/a.img",
                ["format"] = "qcow2",
                [key] = value,
            }
        );

        Assert.Equal($"disk[0].{key}", e.Key);
    }

    [Fact]
    public void TooManyDisks_AreRefused()
    {
        var disks = Enumerable
            .Range(0, DiskConfig.MaxDisks + 1)
            .Select(_ => new Dictionary<string, object?> { ["size"] = "1MiB" })
            .ToArray();

        Assert.Equal("disk", Refused(disks).Key);
    }
}
