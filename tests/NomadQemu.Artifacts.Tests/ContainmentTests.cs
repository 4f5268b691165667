using System.Formats.Tar;
using static NomadQemu.Artifacts.Tests.TestData;

namespace NomadQemu.Artifacts.Tests;

/// <summary>
/// Archive and destination attacks, judged by outcome on the real file system: nothing appears outside the
/// destination, no link leads out of it, and a refused artifact leaves nothing in the task directory.
/// </summary>
public sealed class ContainmentTests : FetcherTestBase
{
    /// <summary>
    /// "up" points at the destination root; "up/x2" is created through it, so its "../.." really means two
    /// levels above the root although, read as text next to "d/up/x2", it stays inside. The file then goes
    /// through both links. Today's main checked each link as text and wrote the file outside the task dir.
    /// </summary>
    private static readonly Entry[] s_chainWritingThrough =
    [
        new("d/", "", (UnixFileMode)0x1ED, TarEntryType.Directory),
        Link("d/up", ".."),
        Link("d/up/x2", "../.."),
        new("d/up/x2/pwned.txt", "pwned"),
    ];

    /// <summary>The same chain without the write: leaves a link "x" whose real target is outside the destination.</summary>
    private static readonly Entry[] s_chainLeaving =
    [
        new("d/", "", (UnixFileMode)0x1ED, TarEntryType.Directory),
        Link("d/up", ".."),
        Link("d/up/x", ".."),
    ];

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("chain.tar")]
    [InlineData("chain.zip")]
    public async Task FetchAsync_LinkChainWritingThroughLinks_IsRefusedAndNothingLandsOutside(string name)
    {
        Server.Serve("/" + name, Archive(name, s_chainWritingThrough));

        var ex = await Record.ExceptionAsync(() => FetchAsync(new ArtifactRequest { Source = Server.Url("/" + name) }));

        // Outcome first: on a vulnerable build the file exists two levels above the destination.
        Assert.Empty(Outcome.FilesNamed(Dirs.Root, "pwned.txt"));
        Assert.IsType<ArtifactUnpackException>(ex);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Dirs.TaskDir));
        AssertNothingLeft();
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("chain.tar")]
    [InlineData("chain.zip")]
    public async Task FetchAsync_LinkChainLeavingDestination_IsRefusedByResolvingNotByText(string name)
    {
        Server.Serve("/" + name, Archive(name, s_chainLeaving));

        var ex = await Record.ExceptionAsync(() => FetchAsync(new ArtifactRequest { Source = Server.Url("/" + name) }));

        Assert.Empty(Outcome.LinksLeaving(Dirs.TaskDir, Dirs.Local()));
        Assert.IsType<ArtifactUnpackException>(ex);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Dirs.TaskDir));
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("chain.tar")]
    [InlineData("chain.zip")]
    public async Task FetchAsync_LinkToLinkToOutside_IsRefused(string name)
    {
        // Each link alone looks harmless as text except the last; the first two only lead to it.
        Server.Serve(
            "/" + name,
            Archive(name, [Link("a", "b"), Link("b", "sub/c"), new("sub/keep.txt", "k"), Link("sub/c", "../../..")])
        );

        var ex = await Assert.ThrowsAsync<ArtifactUnpackException>(() =>
            FetchAsync(new ArtifactRequest { Source = Server.Url("/" + name) })
        );

        Assert.Contains("leads outside", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Dirs.TaskDir));
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("links.tar")]
    [InlineData("links.zip")]
    public async Task FetchAsync_LinkChainStayingInside_IsKept(string name)
    {
        Server.Serve(
            "/" + name,
            Archive(
                name,
                [new("data/real.txt", "content"), Link("a", "b"), Link("b", "data/real.txt"), Link("dir", "data")]
            )
        );

        await FetchAsync(new ArtifactRequest { Source = Server.Url("/" + name) });

        Assert.Equal("b", new FileInfo(Dirs.Local("a")).LinkTarget);
        Assert.Equal("content", await File.ReadAllTextAsync(Dirs.Local("a"), Ct));
        Assert.Equal("content", await File.ReadAllTextAsync(Dirs.Local("dir", "real.txt"), Ct));
        Assert.Empty(Outcome.LinksLeaving(Dirs.TaskDir, Dirs.Local()));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_DanglingLink_IsRefused()
    {
        Server.Serve("/dangling.tar", Tar(Link("nowhere", "missing/file")));

        var ex = await Assert.ThrowsAsync<ArtifactUnpackException>(() =>
            FetchAsync(new ArtifactRequest { Source = Server.Url("/dangling.tar") })
        );

        Assert.Contains("dangling", ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("bundle.tar", "local/out/sub")]
    [InlineData("disk.img", "local/out/disk.img")]
    [InlineData("cmdline.gz", "local/out/cmdline")]
    public async Task FetchAsync_DestinationThroughLinkToOutside_IsRefusedAndOutsideUntouched(
        string name,
        string destination
    )
    {
        var outside = Directory.CreateDirectory(Path.Combine(Dirs.Root, "outside")).FullName;
        Directory.CreateDirectory(Dirs.Local());
        File.CreateSymbolicLink(Dirs.Local("out"), outside);
        Server.Serve(
            "/" + name,
            name switch
            {
                "bundle.tar" => Tar(new Entry("planted.txt", "pwned")),
                "cmdline.gz" => Gzip("pwned"u8.ToArray()),
                _ => "pwned"u8.ToArray(),
            }
        );
        var mode = name == "bundle.tar" ? "any" : "file";

        var ex = await Record.ExceptionAsync(() =>
            FetchAsync(
                new ArtifactRequest
                {
                    Source = Server.Url("/" + name),
                    Destination = destination,
                    Mode = mode,
                }
            )
        );

        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.Equal("destination", Assert.IsType<ArtifactConfigException>(ex).Option);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_DestinationThroughLinkInside_IsFollowed()
    {
        Directory.CreateDirectory(Dirs.Local("real"));
        File.CreateSymbolicLink(Dirs.Local("current"), "real");
        Server.Serve("/disk.img", "image"u8.ToArray());

        await FetchAsync(new ArtifactRequest { Source = Server.Url("/disk.img"), Destination = "local/current" });

        Assert.Equal("image", await File.ReadAllTextAsync(Dirs.Local("real", "disk.img"), Ct));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_AbsoluteEntryName_LandsInsideDestination()
    {
        var name = $"/tmp/nq-absolute-{Guid.NewGuid():N}.txt";
        Server.Serve("/abs.tar", Tar(new Entry(name, "x")));

        await FetchAsync(new ArtifactRequest { Source = Server.Url("/abs.tar") });

        Assert.False(File.Exists(name));
        Assert.True(File.Exists(Dirs.Local(name.TrimStart('/'))));
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("../../../../../../etc/hostname")]
    [InlineData("via/hostname")]
    public async Task FetchAsync_HardLinkToOutside_IsRefused(string target)
    {
        Server.Serve(
            "/hard.tar",
            Tar(Link("via", "/etc"), new Entry("copy", "", Type: TarEntryType.HardLink, LinkName: target))
        );

        await Assert.ThrowsAsync<ArtifactUnpackException>(() =>
            FetchAsync(new ArtifactRequest { Source = Server.Url("/hard.tar") })
        );

        AssertNothingLeft();
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_HardLinkInside_IsAnIndependentCopy()
    {
        Server.Serve(
            "/hard.tar",
            Tar(new Entry("a.txt", "same"), new Entry("b.txt", "", Type: TarEntryType.HardLink, LinkName: "a.txt"))
        );

        await FetchAsync(new ArtifactRequest { Source = Server.Url("/hard.tar") });

        await File.WriteAllTextAsync(Dirs.Local("b.txt"), "changed", Ct);
        Assert.Equal("same", await File.ReadAllTextAsync(Dirs.Local("a.txt"), Ct));
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData(TarEntryType.CharacterDevice, "character device")]
    [InlineData(TarEntryType.BlockDevice, "block device")]
    [InlineData(TarEntryType.Fifo, "fifo")]
    public async Task FetchAsync_SpecialFile_IsRefused(TarEntryType type, string kind)
    {
        Server.Serve("/special.tar", Tar(new Entry("ok.txt", "fine"), new Entry("node", "", Type: type)));

        var ex = await Assert.ThrowsAsync<ArtifactUnpackException>(() =>
            FetchAsync(new ArtifactRequest { Source = Server.Url("/special.tar") })
        );

        Assert.Contains(kind, ex.Message, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_SetuidAndStickyBits_AreStripped()
    {
        Server.Serve(
            "/modes.tar",
            Tar(
                new Entry("bin/", "", (UnixFileMode)0x3ED, TarEntryType.Directory), // 01755
                new Entry("bin/su", "x", (UnixFileMode)0xDED) // 06755
            )
        );

        await FetchAsync(new ArtifactRequest { Source = Server.Url("/modes.tar") });

        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Dirs.Local("bin", "su")));
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Dirs.Local("bin")));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task FetchAsync_IntoExistingDirectory_MergesAndReplacesOutsideLinkNotItsTarget()
    {
        var outsideFile = Path.Combine(Dirs.Root, "outside.txt");
        await File.WriteAllTextAsync(outsideFile, "original", Ct);
        Directory.CreateDirectory(Dirs.Local("conf"));
        await File.WriteAllTextAsync(Dirs.Local("keep.txt"), "kept", Ct);
        File.CreateSymbolicLink(Dirs.Local("conf", "app.conf"), outsideFile);
        Server.Serve("/conf.tar", Tar(new Entry("conf/app.conf", "new"), new Entry("conf/other.conf", "o")));

        await FetchAsync(new ArtifactRequest { Source = Server.Url("/conf.tar") });

        Assert.Equal("original", await File.ReadAllTextAsync(outsideFile, Ct));
        Assert.Null(new FileInfo(Dirs.Local("conf", "app.conf")).LinkTarget);
        Assert.Equal("new", await File.ReadAllTextAsync(Dirs.Local("conf", "app.conf"), Ct));
        Assert.Equal("kept", await File.ReadAllTextAsync(Dirs.Local("keep.txt"), Ct));
        Assert.Equal(["local/conf/app.conf", "local/conf/other.conf", "local/keep.txt"], Dirs.TaskFiles());
    }

    private static byte[] Archive(string name, Entry[] entries) =>
        name.EndsWith(".zip", StringComparison.Ordinal)
            ? Zip([.. entries.Where(e => e.Type != TarEntryType.Directory)])
            : Tar(entries);
}
