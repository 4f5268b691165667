using NomadQemu.CloudInit.Tests.Support;
using NomadQemu.TestKit;

namespace NomadQemu.CloudInit.Tests.Iso;

public sealed class IsoDeterminismTests
{
    [Fact]
    public void ToArray_SameInputsTwice_SameBytes()
    {
        var first = IsoSeedImage.ToArray(Seeds.Typical(metaData: "{\"role\": \"web\"}"));
        Thread.Sleep(1100); // a clock-derived timestamp would differ across a second boundary

        var second = IsoSeedImage.ToArray(Seeds.Typical(metaData: "{\"role\": \"web\"}"));

        Assert.Equal(first, second);
    }

    [Fact]
    public void ToArray_DifferentUserData_DifferentBytes()
    {
        var seed = Seeds.Typical();
        var changed = new CloudInitSeed
        {
            UserData = Seeds.Utf8("#!/bin/sh\necho changed\n"),
            MetaData = seed.MetaData,
        };

        Assert.NotEqual(IsoSeedImage.ToArray(seed), IsoSeedImage.ToArray(changed));
    }

    [Fact]
    public async Task Write_StreamAsyncStreamAndHandle_SameBytesAsToArray()
    {
        var seed = Seeds.Typical();
        var expected = IsoSeedImage.ToArray(seed);
        using var dir = new ShortTempDir();

        var stream = new MemoryStream();
        IsoSeedImage.Write(stream, seed);
        var asyncStream = new MemoryStream();
        await IsoSeedImage.WriteAsync(asyncStream, seed, TestContext.Current.CancellationToken);
        var path = Path.Combine(dir.Path, "seed.iso");
        using (var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write))
        {
            IsoSeedImage.Write(handle, seed);
        }

        Assert.Equal(expected, stream.ToArray());
        Assert.Equal(expected, asyncStream.ToArray());
        Assert.Equal(expected, File.ReadAllBytes(path));
        Assert.Equal(expected.Length, IsoSeedImage.GetLength(seed));
    }

    [Fact]
    public void Write_HandleOfLongerStaleFile_TruncatesToImage()
    {
        var seed = Seeds.Typical();
        using var dir = new ShortTempDir();
        var path = Path.Combine(dir.Path, "seed.iso");
        File.WriteAllBytes(path, Seeds.RandomBytes(3 * 1024 * 1024, seed: 1));

        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write))
        {
            IsoSeedImage.Write(handle, seed);
        }

        Assert.Equal(IsoSeedImage.ToArray(seed), File.ReadAllBytes(path));
    }

    [Fact]
    public void GetLength_TypicalSeed_MetadataSectorsPlusEachFileRoundedUp()
    {
        var seed = Seeds.Typical();
        long Sectors(int bytes) => (bytes + 2047) / 2048;
        var expected =
            (
                26
                + Sectors(seed.UserData.Length)
                + Sectors(seed.MetaData.Length)
                + Sectors(seed.VendorData!.Length)
                + Sectors(seed.NetworkConfig!.Length)
                + 150
            ) * 2048;

        Assert.Equal(expected, IsoSeedImage.GetLength(seed));
        Assert.Equal(180 * 2048, expected);
    }
}
