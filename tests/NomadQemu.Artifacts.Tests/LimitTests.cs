using static NomadQemu.Artifacts.Tests.TestData;

namespace NomadQemu.Artifacts.Tests;

/// <summary>Decompression bombs and entry floods under small configured limits: refused, nothing left behind.</summary>
public sealed class LimitTests : FetcherTestBase
{
    private const int Limit = 1024 * 1024;

    /// <summary>16 MiB of zeros: compresses to a few KiB, unpacks to 16 times the limit.</summary>
    private static readonly byte[] s_zeros = new byte[16 * 1024 * 1024];

    private ArtifactFetcher Limited(long size = Limit, int count = 4096) =>
        NewFetcher(
            new ArtifactFetcherOptions
            {
                DecompressionLimits = new DecompressionLimits { SizeLimit = size, FileCountLimit = count },
            }
        );

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("bomb.tar.gz")]
    [InlineData("bomb.zip")]
    [InlineData("bomb.gz")]
    public async Task FetchAsync_BombOverSizeLimit_IsRefusedNamingArtifactAndLimitAndLeavesNothing(string name)
    {
        var body = name switch
        {
            "bomb.zip" => Zip(new Entry("zeros.bin", "", Data: s_zeros)),
            "bomb.gz" => Gzip(s_zeros),
            _ => Gzip(Tar(new Entry("zeros.bin", "", Data: s_zeros))),
        };
        Assert.True(body.Length < s_zeros.Length / 100);
        Server.Serve("/" + name, body);
        using var fetcher = Limited();

        var ex = await Assert.ThrowsAsync<ArtifactUnpackException>(() =>
            fetcher.FetchAsync(new ArtifactRequest { Source = Server.Url("/" + name) }, Dirs.TaskDir, null, Ct)
        );

        Assert.Contains(Server.Url("/" + name), ex.Message, StringComparison.Ordinal);
        Assert.Contains("decompression_size_limit", ex.Message, StringComparison.Ordinal);
        Assert.Contains(
            Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ex.Message,
            StringComparison.Ordinal
        );
        Assert.Empty(Directory.EnumerateFileSystemEntries(Dirs.TaskDir));
        AssertNothingLeft();
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ExactlyAtSizeLimit_Unpacks()
    {
        Server.Serve("/fits.tar.gz", Gzip(Tar(new Entry("zeros.bin", "", Data: new byte[Limit]))));
        using var fetcher = Limited();

        await fetcher.FetchAsync(new ArtifactRequest { Source = Server.Url("/fits.tar.gz") }, Dirs.TaskDir, null, Ct);

        Assert.Equal(Limit, new FileInfo(Dirs.Local("zeros.bin")).Length);
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("many.tar")]
    [InlineData("many.zip")]
    public async Task FetchAsync_MoreEntriesThanFileCountLimit_IsRefusedAndLeavesNothing(string name)
    {
        var entries = Enumerable.Range(0, 11).Select(i => new Entry($"f{i}.txt", "x")).ToArray();
        Server.Serve("/" + name, name.EndsWith(".zip", StringComparison.Ordinal) ? Zip(entries) : Tar(entries));
        using var fetcher = Limited(count: 10);

        var ex = await Assert.ThrowsAsync<ArtifactUnpackException>(() =>
            fetcher.FetchAsync(new ArtifactRequest { Source = Server.Url("/" + name) }, Dirs.TaskDir, null, Ct)
        );

        Assert.Contains("decompression_file_count_limit", ex.Message, StringComparison.Ordinal);
        Assert.Contains("more than 10 entries", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Dirs.TaskDir));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ExactlyFileCountLimit_Unpacks()
    {
        Server.Serve("/ten.tar", Tar([.. Enumerable.Range(0, 10).Select(i => new Entry($"f{i}.txt", "x"))]));
        using var fetcher = Limited(count: 10);

        await fetcher.FetchAsync(new ArtifactRequest { Source = Server.Url("/ten.tar") }, Dirs.TaskDir, null, Ct);

        Assert.Equal(10, Dirs.TaskFiles().Count);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ZeroLimits_MeanNoLimit()
    {
        Server.Serve("/bomb.gz", Gzip(s_zeros));
        using var fetcher = Limited(size: 0, count: 0);

        var result = await fetcher.FetchAsync(
            new ArtifactRequest { Source = Server.Url("/bomb.gz") },
            Dirs.TaskDir,
            null,
            Ct
        );

        Assert.Equal(s_zeros.Length, new FileInfo(result.Path).Length);
    }

    [Fact]
    public void DecompressionLimits_Defaults_AreNomads()
    {
        var limits = new DecompressionLimits();

        Assert.Equal(100_000_000_000, limits.SizeLimit);
        Assert.Equal(4096, limits.FileCountLimit);
    }
}
