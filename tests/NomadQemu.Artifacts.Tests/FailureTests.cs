namespace NomadQemu.Artifacts.Tests;

public sealed class FailureTests : FetcherTestBase
{
    private readonly byte[] _image = TestData.Bytes(400_000, seed: 3);

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData(500)]
    [InlineData(404)]
    public async Task FetchAsync_ServerErrorStatus_ThrowsWithStatusAndLeavesNothing(int status)
    {
        Server.Fail("/disk.img", status);

        var ex = await Assert.ThrowsAsync<ArtifactDownloadException>(() =>
            FetchAsync(
                new ArtifactRequest
                {
                    Source = Server.Url("/disk.img"),
                    Options = Options(("checksum", TestData.Sha256(_image))),
                }
            )
        );

        Assert.Equal(status, ex.StatusCode);
        Assert.Contains($"HTTP {status}", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Server.Url("/disk.img"), ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        AssertNothingLeft();
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_UnknownPath_Reports404()
    {
        var ex = await Assert.ThrowsAsync<ArtifactDownloadException>(() =>
            FetchAsync(new ArtifactRequest { Source = Server.Url("/missing.img") })
        );

        Assert.Equal(404, ex.StatusCode);
        AssertNothingLeft();
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FetchAsync_ConnectionCutHalfway_ThrowsAndLeavesNothing(bool withChecksum)
    {
        Server.CutHalfway("/disk.img", _image);
        var options = withChecksum ? Options(("checksum", TestData.Sha256(_image))) : Options();

        var ex = await Assert.ThrowsAsync<ArtifactDownloadException>(() =>
            FetchAsync(new ArtifactRequest { Source = Server.Url("/disk.img"), Options = options })
        );

        Assert.Null(ex.StatusCode);
        Assert.Contains("/disk.img", ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();
        Assert.Empty(Dirs.CacheObjects());
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_CancelledWhileServerIsSlow_ThrowsCancellationAndLeavesNothing()
    {
        Server.Delay("/disk.img", _image, TimeSpan.FromSeconds(30));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Fetcher.FetchAsync(new ArtifactRequest { Source = Server.Url("/disk.img") }, Dirs.TaskDir, null, cts.Token)
        );

        AssertNothingLeft();
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ConnectionRefused_ThrowsDownloadErrorNamingSource()
    {
        // Bind then release a port so nothing is listening on it.
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var ex = await Assert.ThrowsAsync<ArtifactDownloadException>(() =>
            FetchAsync(new ArtifactRequest { Source = $"http://127.0.0.1:{port}/disk.img" })
        );

        Assert.Contains($"127.0.0.1:{port}/disk.img", ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_CredentialsInUrl_AreRedactedInErrors()
    {
        Server.Fail("/disk.img", 500);
        var url = Server.Url("/disk.img").Replace("http://", "http://alice:s3cret@", StringComparison.Ordinal);

        var ex = await Assert.ThrowsAsync<ArtifactDownloadException>(() =>
            FetchAsync(new ArtifactRequest { Source = url })
        );

        Assert.DoesNotContain("s3cret", ex.Message, StringComparison.Ordinal);
        Assert.Contains("redacted@127.0.0.1", ex.Message, StringComparison.Ordinal);
    }
}
