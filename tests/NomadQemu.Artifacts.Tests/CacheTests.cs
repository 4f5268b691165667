namespace NomadQemu.Artifacts.Tests;

public sealed class CacheTests : FetcherTestBase
{
    private readonly byte[] _image = TestData.Bytes(200_000, seed: 7);

    private ArtifactRequest ImageRequest(string destination = "local/") =>
        new()
        {
            Source = Server.Url("/disk.img"),
            Destination = destination,
            Options = Options(("checksum", TestData.Sha256(_image))),
        };

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_SameChecksumTwice_SecondIsCacheHitWithoutRequest()
    {
        Server.Serve("/disk.img", _image);

        var first = await FetchAsync(ImageRequest("local/a"));
        var requestsAfterFirst = Server.RequestCount;
        var second = await FetchAsync(ImageRequest("local/b"));

        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(1, requestsAfterFirst);
        Assert.Equal(1, Server.RequestCount);
        Assert.Equal(_image, await File.ReadAllBytesAsync(second.Path, Ct));
        Assert.Single(Dirs.CacheObjects());
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_NewFetcherAndCacheInstance_StillHitsCache()
    {
        Server.Serve("/disk.img", _image);
        await FetchAsync(ImageRequest());

        using var fresh = NewFetcher();
        var result = await fresh.FetchAsync(ImageRequest("local/again"), Dirs.TaskDir, null, Ct);

        Assert.True(result.FromCache);
        Assert.Equal(1, Server.RequestCount);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_WithoutChecksum_DownloadsEveryTimeAndCachesNothing()
    {
        Server.Serve("/disk.img", _image);
        var request = new ArtifactRequest { Source = Server.Url("/disk.img") };

        await FetchAsync(request);
        var second = await FetchAsync(request);

        Assert.False(second.FromCache);
        Assert.Equal(2, Server.RequestCount);
        Assert.Empty(Dirs.CacheObjects());
        Assert.Empty(Dirs.CacheTempFiles());
        Assert.Equal(_image, await File.ReadAllBytesAsync(second.Path, Ct));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_CacheHitCopy_IsWritableAndIndependentOfCacheObject()
    {
        Server.Serve("/disk.img", _image);
        await FetchAsync(ImageRequest("local/a"));
        var hit = await FetchAsync(ImageRequest("local/b"));

        // A VM writing its disk must not change what the cache serves next time.
        await File.WriteAllBytesAsync(hit.Path, [1, 2, 3], Ct);

        var cacheObject = Assert.Single(Dirs.CacheObjects());
        Assert.Equal(_image, await File.ReadAllBytesAsync(cacheObject, Ct));
        Assert.True(await ChecksumVerifier.VerifyAsync(cacheObject, hit.Checksum!, Ct));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_HardLinkMode_TaskFileIsTheReadOnlyCacheObject()
    {
        Server.Serve("/disk.img", _image);
        using var linking = NewFetcher(new ArtifactFetcherOptions { CacheLinkMode = CacheLinkMode.HardLink });
        await linking.FetchAsync(ImageRequest("local/a"), Dirs.TaskDir, null, Ct);

        var hit = await linking.FetchAsync(ImageRequest("local/b"), Dirs.TaskDir, null, Ct);

        Assert.True(hit.FromCache);
        Assert.Equal(_image, await File.ReadAllBytesAsync(hit.Path, Ct));
        // Same inode as the cache object, so it carries the object's read-only mode.
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(hit.Path)
        );
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_CachedArchive_IsUnpackedAgainWithoutRequest()
    {
        var tgz = TestData.Gzip(TestData.Tar(new TestData.Entry("app.conf", "x = 1")));
        Server.Serve("/conf.tgz", tgz);
        var request = new ArtifactRequest
        {
            Source = Server.Url("/conf.tgz"),
            Options = Options(("checksum", TestData.Sha256(tgz))),
        };

        await FetchAsync(request with { Destination = "local/one" });
        var hit = await FetchAsync(request with { Destination = "local/two" });

        Assert.True(hit.FromCache);
        Assert.Equal(1, Server.RequestCount);
        Assert.Equal("x = 1", await File.ReadAllTextAsync(Dirs.Local("two", "app.conf"), Ct));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task ArtifactCache_ObjectPath_IsKeyedBySha256()
    {
        var cache = new ArtifactCache(Dirs.CacheDir);
        var checksum = ArtifactChecksum.Parse(TestData.Sha256(_image), "test");

        var path = cache.ObjectPath(checksum.Hex);

        Assert.Equal(Path.Combine(Dirs.CacheDir, "objects", "sha256", checksum.Hex), path);
        Assert.Null((await cache.LookUpAsync(checksum, Ct)).ObjectPath);
    }
}
