namespace NomadQemu.Artifacts.Tests;

public sealed class ChecksumFetchTests : FetcherTestBase
{
    private readonly byte[] _image = TestData.Bytes(300_000);

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("md5")]
    [InlineData("sha1")]
    [InlineData("sha256")]
    [InlineData("sha512")]
    public async Task FetchAsync_CorrectChecksumOption_PlacesFileUnderUrlName(string algorithm)
    {
        Server.Serve("/disk.img", _image);
        var checksum = $"{algorithm}:{TestData.Hex(algorithm, _image)}";

        var result = await FetchAsync(
            new ArtifactRequest { Source = Server.Url("/disk.img"), Options = Options(("checksum", checksum)) }
        );

        Assert.Equal(Dirs.Local("disk.img"), result.Path);
        Assert.Equal(_image, await File.ReadAllBytesAsync(result.Path, Ct));
        Assert.Equal(checksum, result.Checksum?.ToString());
        Assert.Empty(Dirs.CacheTempFiles());
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_UpperCaseHexChecksum_IsAccepted()
    {
        Server.Serve("/disk.img", _image);

        var result = await FetchAsync(
            new ArtifactRequest
            {
                Source = Server.Url("/disk.img"),
                Options = Options(("checksum", "SHA256:" + TestData.Hex("sha256", _image).ToUpperInvariant())),
            }
        );

        Assert.True(File.Exists(result.Path));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ChecksumFileUrl_PicksTheLineForTheArtifact()
    {
        Server.Serve("/disk.img", _image);
        var sums = $"{TestData.Hex("sha256", [1, 2, 3])}  other.img\n{TestData.Hex("sha256", _image)} *disk.img\n";
        Server.Serve("/SHA256SUMS", System.Text.Encoding.UTF8.GetBytes(sums));

        var result = await FetchAsync(
            new ArtifactRequest
            {
                Source = Server.Url("/disk.img"),
                Options = Options(("checksum", "file:" + Server.Url("/SHA256SUMS"))),
            }
        );

        Assert.Equal("sha256:" + TestData.Hex("sha256", _image), result.Checksum?.ToString());
        Assert.Equal(_image, await File.ReadAllBytesAsync(result.Path, Ct));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ChecksumFileWithoutEntry_ThrowsConfigErrorBeforeDownloading()
    {
        Server.Serve("/disk.img", _image);
        Server.Serve(
            "/SHA256SUMS",
            System.Text.Encoding.UTF8.GetBytes($"{TestData.Hex("sha256", _image)}  other.img\n")
        );

        var ex = await Assert.ThrowsAsync<ArtifactConfigException>(() =>
            FetchAsync(
                new ArtifactRequest
                {
                    Source = Server.Url("/disk.img"),
                    Options = Options(("checksum", "file:" + Server.Url("/SHA256SUMS"))),
                }
            )
        );

        Assert.Contains("disk.img", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, Server.RequestsFor("/disk.img"));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ChecksumInQueryString_IsVerifiedAndNotSentToServer()
    {
        Server.Serve("/disk.img", _image);
        var checksum = TestData.Sha256(_image);

        var result = await FetchAsync(
            new ArtifactRequest { Source = Server.Url($"/disk.img?token=abc&checksum={checksum}") }
        );

        Assert.Equal(checksum, result.Checksum?.ToString());
        Assert.Equal("token=abc", Assert.Single(Server.Requests).Query);
        Assert.Equal(Dirs.Local("disk.img"), result.Path);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_WrongChecksum_ThrowsWithBothSumsAndLeavesNothing()
    {
        Server.Serve("/disk.img", _image);
        var wrong = TestData.Hex("sha256", [9, 9, 9]);

        var ex = await Assert.ThrowsAsync<ArtifactChecksumException>(() =>
            FetchAsync(
                new ArtifactRequest
                {
                    Source = Server.Url("/disk.img"),
                    Options = Options(("checksum", "sha256:" + wrong)),
                }
            )
        );

        var actual = TestData.Hex("sha256", _image);
        Assert.Contains("sha256", ex.Message, StringComparison.Ordinal);
        Assert.Contains(wrong, ex.Message, StringComparison.Ordinal);
        Assert.Contains(actual, ex.Message, StringComparison.Ordinal);
        Assert.Contains("/disk.img", ex.Message, StringComparison.Ordinal);
        Assert.Equal(actual, ex.Actual);
        AssertNothingLeft();
        Assert.Empty(Dirs.CacheObjects());
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("crc32:abcd", "unknown checksum type")]
    [InlineData("sha256:zz", "64 hex digits")]
    [InlineData("md5:0123456789abcdef0123456789abcdeg", "not hexadecimal")]
    [InlineData("sha1:0123", "40 hex digits")]
    [InlineData("nocolon", "type:hex")]
    public async Task FetchAsync_MalformedChecksum_ThrowsConfigErrorWithoutRequest(string checksum, string expectedText)
    {
        Server.Serve("/disk.img", _image);

        var ex = await Assert.ThrowsAsync<ArtifactConfigException>(() =>
            FetchAsync(
                new ArtifactRequest { Source = Server.Url("/disk.img"), Options = Options(("checksum", checksum)) }
            )
        );

        Assert.Equal("checksum", ex.Option);
        Assert.Contains(expectedText, ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, Server.RequestCount);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ConflictingChecksumInQueryAndOptions_ThrowsConfigError()
    {
        Server.Serve("/disk.img", _image);

        var ex = await Assert.ThrowsAsync<ArtifactConfigException>(() =>
            FetchAsync(
                new ArtifactRequest
                {
                    Source = Server.Url($"/disk.img?checksum={TestData.Sha256(_image)}"),
                    Options = Options(("checksum", TestData.Sha256([1]))),
                }
            )
        );

        Assert.Equal("checksum", ex.Option);
    }
}
