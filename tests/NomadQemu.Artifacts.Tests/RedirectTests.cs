namespace NomadQemu.Artifacts.Tests;

/// <summary>Redirects against real loopback servers with a header recorder: hop limit, origin-bound secrets, schemes.</summary>
public sealed class RedirectTests : FetcherTestBase
{
    private readonly byte[] _payload = TestData.Bytes(5000, seed: 3);

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_RedirectToAnotherOrigin_SendsHeadersAndCredentialsOnlyToTheFirst()
    {
        await using var other = new LoopbackHttpServer();
        other.Serve("/file.bin", _payload);
        Server.Redirect("/start.bin", other.Url("/file.bin"));
        var source = Server.Url("/start.bin").Replace("http://", "http://user:s3cret@", StringComparison.Ordinal);

        var result = await FetchAsync(
            new ArtifactRequest
            {
                Source = source,
                Headers = new Dictionary<string, string> { ["X-Api-Key"] = "key-123" },
            }
        );

        Assert.Equal(_payload, await File.ReadAllBytesAsync(result.Path, Ct));
        var second = Assert.Single(other.Requests);
        Assert.False(second.Headers.ContainsKey("X-Api-Key"));
        Assert.False(second.Headers.ContainsKey("Authorization"));
        var first = Assert.Single(Server.Requests);
        Assert.Equal("key-123", first.Headers["X-Api-Key"]);
        Assert.Equal("Basic " + Convert.ToBase64String("user:s3cret"u8.ToArray()), first.Headers["Authorization"]);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_RedirectWithinTheOrigin_KeepsHeaders()
    {
        Server.Serve("/file.bin", _payload);
        Server.Redirect("/start.bin", "/file.bin", 301);

        await FetchAsync(
            new ArtifactRequest
            {
                Source = Server.Url("/start.bin"),
                Headers = new Dictionary<string, string> { ["X-Api-Key"] = "key-123" },
            }
        );

        Assert.All(Server.Requests, r => Assert.Equal("key-123", r.Headers["X-Api-Key"]));
        Assert.Equal(2, Server.RequestCount);
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("file:///etc/hostname")]
    [InlineData("ftp://127.0.0.1/file.bin")]
    public async Task FetchAsync_RedirectToOtherScheme_IsACleanDownloadError(string location)
    {
        Server.Redirect("/start.bin", location);

        var ex = await Assert.ThrowsAsync<ArtifactDownloadException>(() =>
            FetchAsync(new ArtifactRequest { Source = Server.Url("/start.bin") })
        );

        Assert.Contains(Server.Url("/start.bin"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("only http and https redirects are followed", ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData(10, true)]
    [InlineData(11, false)]
    public async Task FetchAsync_RedirectChain_IsFollowedForAtMostTenHops(int hops, bool succeeds)
    {
        Server.Serve("/file.bin", _payload);
        for (var i = 0; i < hops; i++)
        {
            Server.Redirect($"/r{i}", i + 1 < hops ? $"/r{i + 1}" : "/file.bin", 307);
        }

        var fetch = FetchAsync(
            new ArtifactRequest
            {
                Source = Server.Url("/r0"),
                Mode = "file",
                Destination = "local/f",
            }
        );

        if (succeeds)
        {
            await fetch;
            Assert.Equal(_payload, await File.ReadAllBytesAsync(Dirs.Local("f"), Ct));
        }
        else
        {
            var ex = await Assert.ThrowsAsync<ArtifactDownloadException>(() => fetch);
            Assert.Contains("10 redirects", ex.Message, StringComparison.Ordinal);
            Assert.Equal(0, Server.RequestsFor("/file.bin"));
            AssertNothingLeft();
        }
    }
}
