using System.Formats.Tar;
using System.Text;
using Entry = NomadQemu.Artifacts.Tests.TestData.Entry;

namespace NomadQemu.Artifacts.Tests;

public sealed class ArchiveFetchTests : FetcherTestBase
{
    private const UnixFileMode Executable = (UnixFileMode)0x1ED; // 0755

    private static readonly Entry[] s_sampleEntries =
    [
        new("bin/", "", Executable, TarEntryType.Directory),
        new("bin/run.sh", "#!/bin/sh\necho hi\n", Executable),
        new("conf/app.conf", "port = 8080\n"),
    ];

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("bundle.tar")]
    [InlineData("bundle.tar.gz")]
    [InlineData("bundle.tgz")]
    public async Task FetchAsync_Tarball_UnpacksIntoDestinationKeepingModes(string fileName)
    {
        var tar = TestData.Tar(s_sampleEntries);
        Server.Serve("/" + fileName, fileName.EndsWith(".tar", StringComparison.Ordinal) ? tar : TestData.Gzip(tar));

        var result = await FetchAsync(new ArtifactRequest { Source = Server.Url("/" + fileName) });

        Assert.True(result.Unpacked);
        Assert.Equal(Dirs.Local(), result.Path.TrimEnd('/'));
        Assert.Equal(["local/bin/run.sh", "local/conf/app.conf"], Dirs.TaskFiles());
        Assert.Equal("port = 8080\n", await File.ReadAllTextAsync(Dirs.Local("conf", "app.conf"), Ct));
        Assert.Equal(Executable, File.GetUnixFileMode(Dirs.Local("bin", "run.sh")));
        Assert.Equal((UnixFileMode)0x1A4, File.GetUnixFileMode(Dirs.Local("conf", "app.conf")));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_Zip_UnpacksWithUnixModes()
    {
        Server.Serve(
            "/bundle.zip",
            TestData.Zip(new Entry("bin/run.sh", "echo\n", Executable), new Entry("readme.txt", "hello"))
        );

        var result = await FetchAsync(new ArtifactRequest { Source = Server.Url("/bundle.zip") });

        Assert.True(result.Unpacked);
        Assert.Equal(["local/bin/run.sh", "local/readme.txt"], Dirs.TaskFiles());
        Assert.Equal("hello", await File.ReadAllTextAsync(Dirs.Local("readme.txt"), Ct));
        Assert.Equal(Executable, File.GetUnixFileMode(Dirs.Local("bin", "run.sh")));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ArchiveFalse_KeepsArchivePacked()
    {
        var tgz = TestData.Gzip(TestData.Tar(s_sampleEntries));
        Server.Serve("/bundle.tgz", tgz);

        var result = await FetchAsync(
            new ArtifactRequest { Source = Server.Url("/bundle.tgz"), Options = Options(("archive", "false")) }
        );

        Assert.False(result.Unpacked);
        Assert.Equal(["local/bundle.tgz"], Dirs.TaskFiles());
        Assert.Equal(tgz, await File.ReadAllBytesAsync(result.Path, Ct));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ArchiveFalseInQueryString_KeepsArchivePackedAndStripsParameter()
    {
        Server.Serve("/bundle.zip", TestData.Zip(new Entry("a.txt", "a")));

        var result = await FetchAsync(new ArtifactRequest { Source = Server.Url("/bundle.zip?archive=false") });

        Assert.Equal(Dirs.Local("bundle.zip"), result.Path);
        Assert.Equal(string.Empty, Assert.Single(Server.Requests).Query);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_ZipSlipEntry_IsRejectedBeforeWritingAnything()
    {
        Server.Serve("/evil.zip", TestData.Zip(new Entry("good.txt", "fine"), new Entry("../../escaped.txt", "pwned")));

        var ex = await Assert.ThrowsAsync<ArtifactUnpackException>(() =>
            FetchAsync(new ArtifactRequest { Source = Server.Url("/evil.zip") })
        );

        Assert.Contains("../../escaped.txt", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Dirs.Root, "escaped.txt")));
        Assert.False(File.Exists(Path.Combine(Dirs.TaskDir, "escaped.txt")));
        AssertNothingLeft();
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_TarSlipEntryAfterGoodOnes_RollsBackEverything()
    {
        Server.Serve(
            "/evil.tar",
            TestData.Tar(new Entry("sub/good.txt", "fine"), new Entry("../escaped.txt", "pwned"))
        );

        await Assert.ThrowsAsync<ArtifactUnpackException>(() =>
            FetchAsync(new ArtifactRequest { Source = Server.Url("/evil.tar") })
        );

        Assert.False(File.Exists(Path.Combine(Dirs.TaskDir, "escaped.txt")));
        AssertNothingLeft();
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_TarSymlinkLeavingDestination_IsRejected()
    {
        Server.Serve(
            "/links.tar",
            TestData.Tar(new Entry("etc", "", Type: TarEntryType.SymbolicLink, LinkName: "/etc"))
        );

        var ex = await Assert.ThrowsAsync<ArtifactUnpackException>(() =>
            FetchAsync(new ArtifactRequest { Source = Server.Url("/links.tar") })
        );

        Assert.Contains("symlink target", ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_TarSymlinkInsideDestination_IsCreated()
    {
        Server.Serve(
            "/links.tar",
            TestData.Tar(
                new Entry("data/real.txt", "content"),
                new Entry("current", "", Type: TarEntryType.SymbolicLink, LinkName: "data/real.txt")
            )
        );

        await FetchAsync(new ArtifactRequest { Source = Server.Url("/links.tar") });

        Assert.Equal("data/real.txt", new FileInfo(Dirs.Local("current")).LinkTarget);
        Assert.Equal("content", await File.ReadAllTextAsync(Dirs.Local("current"), Ct));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_TarEntryThroughPreexistingOutsideSymlink_IsRejected()
    {
        var outside = Directory.CreateDirectory(Path.Combine(Dirs.Root, "outside")).FullName;
        Directory.CreateDirectory(Dirs.Local());
        File.CreateSymbolicLink(Dirs.Local("sneaky"), outside);
        Server.Serve("/through.tar", TestData.Tar(new Entry("sneaky/planted.txt", "pwned")));

        await Assert.ThrowsAsync<ArtifactUnpackException>(() =>
            FetchAsync(new ArtifactRequest { Source = Server.Url("/through.tar") })
        );

        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_GzipSingleFile_IsDecompressedWithoutExtension()
    {
        var payload = Encoding.UTF8.GetBytes("kernel command line");
        Server.Serve("/cmdline.txt.gz", TestData.Gzip(payload));

        var result = await FetchAsync(new ArtifactRequest { Source = Server.Url("/cmdline.txt.gz") });

        Assert.Equal(Dirs.Local("cmdline.txt"), result.Path);
        Assert.Equal(payload, await File.ReadAllBytesAsync(result.Path, Ct));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_CorruptTarGz_ThrowsUnpackErrorAndLeavesNothing()
    {
        Server.Serve("/broken.tar.gz", TestData.Bytes(5000));

        var ex = await Assert.ThrowsAsync<ArtifactUnpackException>(() =>
            FetchAsync(new ArtifactRequest { Source = Server.Url("/broken.tar.gz") })
        );

        Assert.Contains("broken.tar.gz", ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }
}
