namespace NomadQemu.Artifacts.Tests;

public sealed class ProgressTests : FetcherTestBase
{
    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_Download_ReportsThrottledPhasesEndingWithFullSize()
    {
        var image = TestData.Bytes(8 * 1024 * 1024, seed: 5);
        Server.Serve("/big.img", image);
        var log = new ProgressLog();

        await FetchAsync(
            new ArtifactRequest
            {
                Source = Server.Url("/big.img"),
                Options = Options(("checksum", TestData.Sha256(image))),
            },
            log
        );

        var reports = log.Reports;
        var lastDownload = reports.Last(r => r.Phase == ArtifactPhase.Downloading);
        Assert.Equal(image.Length, lastDownload.BytesDone);
        Assert.Equal(image.Length, lastDownload.TotalBytes);
        Assert.Equal(ArtifactPhase.Verifying, reports[^1].Phase);
        // 8 MiB arrives in well over 30 network reads; throttling keeps the reports to a handful.
        Assert.InRange(reports.Count, 2, 12);
        Assert.All(reports, r => Assert.Equal(Server.Url("/big.img"), r.Source));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_CacheHit_ReportsCachedPhase()
    {
        var image = TestData.Bytes(1000);
        Server.Serve("/small.img", image);
        var request = new ArtifactRequest
        {
            Source = Server.Url("/small.img"),
            Options = Options(("checksum", TestData.Sha256(image))),
        };
        await FetchAsync(request with { Destination = "local/a" });
        var log = new ProgressLog();

        await FetchAsync(request with { Destination = "local/b" }, log);

        var only = Assert.Single(log.Reports);
        Assert.Equal(new ArtifactProgress(Server.Url("/small.img"), ArtifactPhase.Cached, 1000, 1000), only);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_Archive_ReportsUnpackingPhase()
    {
        var tar = TestData.Tar(new TestData.Entry("a.txt", "a"));
        Server.Serve("/a.tar", tar);
        var log = new ProgressLog();

        await FetchAsync(new ArtifactRequest { Source = Server.Url("/a.tar") }, log);

        var last = log.Reports[^1];
        Assert.Equal(ArtifactPhase.Unpacking, last.Phase);
        Assert.Equal(tar.Length, last.TotalBytes);
        Assert.Equal(tar.Length, last.BytesDone);
    }
}
