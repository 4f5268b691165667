namespace NomadQemu.Artifacts.Tests;

/// <summary>
/// The cache serves only content that hashes to its sha256 name and to the job's own checksum, whatever
/// algorithm the job used; anything else is thrown away and fetched again.
/// </summary>
public sealed class CacheTamperTests : FetcherTestBase
{
    private readonly byte[] _image = TestData.Bytes(100_000, seed: 11);
    private readonly byte[] _other = TestData.Bytes(100_000, seed: 12);

    private ArtifactRequest Request(
        string algorithm,
        string destination,
        string path = "/disk.img",
        byte[]? data = null
    ) =>
        new()
        {
            Source = Server.Url(path),
            Destination = destination,
            Mode = "file",
            Options = Options(("checksum", $"{algorithm}:{TestData.Hex(algorithm, data ?? _image)}")),
        };

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("sha256")]
    [InlineData("sha512")]
    public async Task FetchAsync_StrongChecksum_StoresObjectUnderItsSha256AndHitsWithoutRequest(string algorithm)
    {
        Server.Serve("/disk.img", _image);

        await FetchAsync(Request(algorithm, "local/a"));
        var hit = await FetchAsync(Request(algorithm, "local/b"));

        Assert.True(hit.FromCache);
        Assert.Equal(1, Server.RequestCount);
        var cacheObject = Assert.Single(Dirs.CacheObjects(), p => p.Contains("objects", StringComparison.Ordinal));
        Assert.Equal(Path.Combine(Dirs.CacheDir, "objects", "sha256", TestData.Hex("sha256", _image)), cacheObject);
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("md5")]
    [InlineData("sha1")]
    public async Task FetchAsync_CollidableChecksum_NeverServedFromTheCacheNorStoredInIt(string algorithm)
    {
        // What a job could plant: an object holding other content, indexed under the digest another job asks for.
        Server.Serve("/disk.img", _image);
        Server.Serve("/other.img", _other);
        await FetchAsync(Request("sha256", "local/o", "/other.img", _other));
        var index = Path.Combine(Dirs.CacheDir, "index", algorithm, TestData.Hex(algorithm, _image));
        Directory.CreateDirectory(Path.GetDirectoryName(index)!);
        await File.WriteAllTextAsync(index, TestData.Hex("sha256", _other), Ct);

        var first = await FetchAsync(Request(algorithm, "local/a"));
        var second = await FetchAsync(Request(algorithm, "local/b"));

        Assert.False(first.FromCache);
        Assert.False(second.FromCache);
        Assert.Equal(3, Server.RequestCount);
        Assert.Equal(_image, await File.ReadAllBytesAsync(Dirs.Local("b"), Ct));
        Assert.DoesNotContain(
            Path.Combine(Dirs.CacheDir, "objects", "sha256", TestData.Hex("sha256", _image)),
            Dirs.CacheObjects()
        );
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("sha256")]
    [InlineData("sha512")]
    public async Task FetchAsync_TamperedCacheObject_IsRefetchedNeverServed(string algorithm)
    {
        Server.Serve("/disk.img", _image);
        await FetchAsync(Request(algorithm, "local/a"));
        var cacheObject = Path.Combine(Dirs.CacheDir, "objects", "sha256", TestData.Hex("sha256", _image));
        File.SetUnixFileMode(cacheObject, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllBytesAsync(cacheObject, _other, Ct);

        var second = await FetchAsync(Request(algorithm, "local/b"));

        Assert.False(second.FromCache);
        Assert.Equal(2, Server.RequestCount);
        Assert.Equal(_image, await File.ReadAllBytesAsync(Dirs.Local("b"), Ct));
        Assert.Equal(_image, await File.ReadAllBytesAsync(cacheObject, Ct));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_Sha512IndexPointingAtAnotherObject_IsNotServedAndThatObjectSurvives()
    {
        Server.Serve("/disk.img", _image);
        Server.Serve("/other.img", _other);
        await FetchAsync(Request("sha512", "local/a"));
        await FetchAsync(Request("sha256", "local/o", "/other.img", _other));
        var index = Path.Combine(Dirs.CacheDir, "index", "sha512", TestData.Hex("sha512", _image));
        await File.WriteAllTextAsync(index, TestData.Hex("sha256", _other), Ct);

        var again = await FetchAsync(Request("sha512", "local/b"));

        Assert.False(again.FromCache);
        Assert.Equal(_image, await File.ReadAllBytesAsync(Dirs.Local("b"), Ct));
        var otherHit = await FetchAsync(Request("sha256", "local/o2", "/other.img", _other));
        Assert.True(otherHit.FromCache);
    }
}
