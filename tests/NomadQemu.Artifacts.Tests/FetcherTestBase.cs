namespace NomadQemu.Artifacts.Tests;

/// <summary>Per-test loopback server, directories and fetcher. Every async test also carries a Timeout.</summary>
public abstract class FetcherTestBase : IAsyncLifetime
{
    protected const int TestTimeoutMs = 20_000;

    private ArtifactFetcher? _fetcher;

    internal LoopbackHttpServer Server { get; } = new();
    internal TestDirectories Dirs { get; } = new();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected ArtifactFetcher Fetcher => _fetcher ??= NewFetcher();

    protected ArtifactFetcher NewFetcher(ArtifactFetcherOptions? options = null) =>
        new(new ArtifactCache(Dirs.CacheDir), options);

    protected Task<ArtifactResult> FetchAsync(ArtifactRequest request, IProgress<ArtifactProgress>? progress = null) =>
        Fetcher.FetchAsync(request, Dirs.TaskDir, progress, Ct);

    protected static Dictionary<string, string> Options(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);

    /// <summary>The "nothing left behind" guarantee: no task files, no cache temp files.</summary>
    protected void AssertNothingLeft()
    {
        Assert.Empty(Dirs.TaskFiles());
        Assert.Empty(Dirs.CacheTempFiles());
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _fetcher?.Dispose();
        await Server.DisposeAsync();
        Dirs.Dispose();
        GC.SuppressFinalize(this);
    }
}
