using System.Diagnostics;
using System.Net.Sockets;

namespace NomadQemu.Artifacts.Tests;

/// <summary>
/// Local sources that are not regular files, made for real (mkfifo, a bound unix socket, the kernel's own
/// devices). Before the fix a FIFO without a writer hung the fetch and /dev/zero never ended, so every fetch
/// runs on the thread pool under a deadline: a hang fails the test instead of stalling the run.
/// </summary>
public sealed class LocalSourceKindTests : FetcherTestBase
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(10);

    private string MakeFifo(string name)
    {
        var path = Path.Combine(Dirs.Scratch, name);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    /// <summary>Fetches on the thread pool so that even a blocking open inside the fetcher meets the deadline.</summary>
    private async Task<ArtifactDownloadException> RefusedAsync(ArtifactRequest request)
    {
        var fetch = Task.Run(() => FetchAsync(request), Ct);
        var ex = await Assert.ThrowsAsync<ArtifactDownloadException>(() => fetch.WaitAsync(s_deadline, Ct));
        AssertNothingLeft();
        return ex;
    }

    private static void AssertNamesPathKindAndRule(ArtifactDownloadException ex, string path, string kind)
    {
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"it is {kind};", ex.Message, StringComparison.Ordinal);
        Assert.Contains("only regular files and archives can be artifacts", ex.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_FifoWithoutWriter_IsRefusedAsFifo()
    {
        var fifo = MakeFifo("disk.img");

        var ex = await RefusedAsync(new ArtifactRequest { Source = fifo });

        AssertNamesPathKindAndRule(ex, fifo, "a FIFO (named pipe)");
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_FifoAsFileUrl_IsRefusedAsFifo()
    {
        var fifo = MakeFifo("disk.img");

        var ex = await RefusedAsync(new ArtifactRequest { Source = new Uri(fifo).AbsoluteUri });

        AssertNamesPathKindAndRule(ex, fifo, "a FIFO (named pipe)");
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_SymlinkToFifo_IsRefusedAfterFollowingTheLink()
    {
        var fifo = MakeFifo("real.fifo");
        var link = Path.Combine(Dirs.Scratch, "disk.img");
        File.CreateSymbolicLink(link, fifo);

        var ex = await RefusedAsync(new ArtifactRequest { Source = link });

        AssertNamesPathKindAndRule(ex, link, "a FIFO (named pipe)");
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    [InlineData("/dev/null")]
    public async Task FetchAsync_CharacterDevice_IsRefusedWithoutReading(string device)
    {
        var ex = await RefusedAsync(new ArtifactRequest { Source = device });

        AssertNamesPathKindAndRule(ex, device, "a character device");
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_Directory_IsRefusedAsDirectory()
    {
        var directory = Directory.CreateDirectory(Path.Combine(Dirs.Scratch, "images")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(directory, "disk.img"), [1, 2, 3], Ct);

        var ex = await RefusedAsync(new ArtifactRequest { Source = directory });

        AssertNamesPathKindAndRule(ex, directory, "a directory");
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_UnixSocket_IsRefusedAsSocket()
    {
        var path = Path.Combine(Dirs.Scratch, "disk.img");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));

        var ex = await RefusedAsync(new ArtifactRequest { Source = path });

        AssertNamesPathKindAndRule(ex, path, "a socket");
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ChecksumFileThatIsAFifo_IsRefusedAsFifo()
    {
        var image = Path.Combine(Dirs.Scratch, "disk.img");
        await File.WriteAllBytesAsync(image, TestData.Bytes(1000, seed: 3), Ct);
        var sums = MakeFifo("SHA256SUMS");

        var ex = await RefusedAsync(
            new ArtifactRequest { Source = image, Options = Options(("checksum", "file:" + sums)) }
        );

        AssertNamesPathKindAndRule(ex, sums, "a FIFO (named pipe)");
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_SymlinkToRegularFile_IsFollowedAndCopied()
    {
        var content = TestData.Bytes(70_000, seed: 5);
        var real = Path.Combine(Dirs.Scratch, "real.img");
        await File.WriteAllBytesAsync(real, content, Ct);
        var link = Path.Combine(Dirs.Scratch, "disk.img");
        File.CreateSymbolicLink(link, real);

        var result = await Task.Run(
                () =>
                    FetchAsync(
                        new ArtifactRequest { Source = link, Options = Options(("checksum", TestData.Sha256(content))) }
                    ),
                Ct
            )
            .WaitAsync(s_deadline, Ct);

        Assert.Equal(Dirs.Local("disk.img"), result.Path);
        Assert.Equal(content, await File.ReadAllBytesAsync(result.Path, Ct));
    }
}
