namespace NomadQemu.Artifacts.Tests;

public sealed class SourceAndDestinationTests : FetcherTestBase
{
    private readonly byte[] _image = TestData.Bytes(50_000, seed: 11);

    private string WriteScratch(string name, byte[] content)
    {
        var path = Path.Combine(Dirs.Scratch, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_FileUrlSource_CopiesFileAndVerifiesChecksum()
    {
        var path = WriteScratch("disk.img", _image);

        var result = await FetchAsync(
            new ArtifactRequest
            {
                Source = new Uri(path).AbsoluteUri,
                Options = Options(("checksum", TestData.Sha256(_image))),
            }
        );

        Assert.Equal(Dirs.Local("disk.img"), result.Path);
        Assert.Equal(_image, await File.ReadAllBytesAsync(result.Path, Ct));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_RelativeLocalPath_IsResolvedAgainstBaseDirectory()
    {
        WriteScratch("disk.img", _image);
        using var fetcher = NewFetcher(new ArtifactFetcherOptions { LocalBaseDirectory = Dirs.Scratch });

        var result = await fetcher.FetchAsync(new ArtifactRequest { Source = "disk.img" }, Dirs.TaskDir, null, Ct);

        Assert.Equal(_image, await File.ReadAllBytesAsync(result.Path, Ct));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_AbsoluteLocalPathWithQueryChecksum_IsVerified()
    {
        var path = WriteScratch("disk.img", _image);

        var ex = await Assert.ThrowsAsync<ArtifactChecksumException>(() =>
            FetchAsync(new ArtifactRequest { Source = $"{path}?checksum={TestData.Sha256([0])}" })
        );

        Assert.Equal(TestData.Hex("sha256", _image), ex.Actual);
        AssertNothingLeft();
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_MissingLocalFile_ThrowsDownloadError()
    {
        var missing = Path.Combine(Dirs.Scratch, "nope.img");

        var ex = await Assert.ThrowsAsync<ArtifactDownloadException>(() =>
            FetchAsync(new ArtifactRequest { Source = missing })
        );

        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_LocalChecksumFile_InBsdFormat_IsUsed()
    {
        var path = WriteScratch("disk.img", _image);
        var sums = WriteScratch(
            "SUMS",
            System.Text.Encoding.UTF8.GetBytes($"SHA512 (disk.img) = {TestData.Hex("sha512", _image)}\n")
        );

        var result = await FetchAsync(
            new ArtifactRequest { Source = path, Options = Options(("checksum", "file:" + sums)) }
        );

        Assert.Equal(ChecksumAlgorithm.Sha512, result.Checksum?.Algorithm);
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("../escape")]
    [InlineData("local/../../escape")]
    [InlineData("/etc")]
    public async Task FetchAsync_DestinationOutsideTaskDir_IsRejectedNamingSource(string destination)
    {
        Server.Serve("/disk.img", _image);

        var ex = await Assert.ThrowsAsync<ArtifactConfigException>(() =>
            FetchAsync(new ArtifactRequest { Source = Server.Url("/disk.img"), Destination = destination })
        );

        Assert.Equal("destination", ex.Option);
        Assert.Contains(Server.Url("/disk.img"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("outside the task directory", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, Server.RequestCount);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_AbsoluteDestinationInsideTaskDir_IsAccepted()
    {
        Server.Serve("/disk.img", _image);
        var inside = Path.Combine(Dirs.TaskDir, "alloc-data");

        var result = await FetchAsync(new ArtifactRequest { Source = Server.Url("/disk.img"), Destination = inside });

        Assert.Equal(Path.Combine(inside, "disk.img"), result.Path);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ModeFile_WritesToTheDestinationPathItself()
    {
        Server.Serve("/download", _image);

        var result = await FetchAsync(
            new ArtifactRequest
            {
                Source = Server.Url("/download?id=42"),
                Destination = "local/vm/root.qcow2",
                Mode = "file",
            }
        );

        Assert.Equal(Dirs.Local("vm", "root.qcow2"), result.Path);
        Assert.Equal(["local/vm/root.qcow2"], Dirs.TaskFiles());
        Assert.Equal("id=42", Assert.Single(Server.Requests).Query);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ModeFileWithDirectoryDestination_IsRejected()
    {
        var ex = await Assert.ThrowsAsync<ArtifactConfigException>(() =>
            FetchAsync(
                new ArtifactRequest
                {
                    Source = Server.Url("/disk.img"),
                    Destination = "local/",
                    Mode = "file",
                }
            )
        );

        Assert.Equal("destination", ex.Option);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ModeDirWithArchive_UnpacksIntoDestination()
    {
        Server.Serve("/bundle.zip", TestData.Zip(new TestData.Entry("a.txt", "a")));

        var result = await FetchAsync(
            new ArtifactRequest
            {
                Source = Server.Url("/bundle.zip"),
                Destination = "local/app",
                Mode = "dir",
            }
        );

        Assert.Equal(Dirs.Local("app"), result.Path);
        Assert.Equal(["local/app/a.txt"], Dirs.TaskFiles());
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ModeDirWithPlainFile_IsRejected()
    {
        var ex = await Assert.ThrowsAsync<ArtifactConfigException>(() =>
            FetchAsync(new ArtifactRequest { Source = Server.Url("/disk.img"), Mode = "dir" })
        );

        Assert.Equal("mode", ex.Option);
        Assert.Equal(0, Server.RequestCount);
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("s3://bucket/disk.img", "source", "unsupported scheme \"s3\"")]
    [InlineData("git::https://example.com/repo.git", "source", "unsupported getter")]
    [InlineData("http://127.0.0.1/x.img", "mode", "\"folder\" is not one of")]
    [InlineData("http://127.0.0.1/x.img?archive=rar", "archive", "\"rar\" is not supported")]
    [InlineData("http://127.0.0.1/images/", "source", "has no file name")]
    public async Task FetchAsync_BadConfiguration_ThrowsConfigErrorNamingOption(
        string source,
        string option,
        string text
    )
    {
        var ex = await Assert.ThrowsAsync<ArtifactConfigException>(() =>
            FetchAsync(new ArtifactRequest { Source = source, Mode = option == "mode" ? "folder" : "any" })
        );

        Assert.Equal(option, ex.Option);
        Assert.Contains(text, ex.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_HeadersAndExtraOptions_AreSentToServer()
    {
        Server.Serve("/disk.img", _image);

        await FetchAsync(
            new ArtifactRequest
            {
                Source = Server.Url("/disk.img"),
                Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer t0ken" },
                Options = Options(("version", "2")),
            }
        );

        var request = Assert.Single(Server.Requests);
        Assert.Equal("Bearer t0ken", request.Headers["Authorization"]);
        Assert.Equal("version=2", request.Query);
    }
}
