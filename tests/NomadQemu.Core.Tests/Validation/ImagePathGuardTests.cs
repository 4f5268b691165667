using NomadQemu.Core.Config;
using NomadQemu.Core.Validation;

namespace NomadQemu.Core.Tests.Validation;

public sealed class ImagePathGuardTests : IDisposable
{
    // Short root: keeps paths readable and well under socket-length limits.
    private readonly string _root = Directory.CreateTempSubdirectory("ipg").FullName;

    public ImagePathGuardTests()
    {
        Directory.CreateDirectory(Path.Join(_root, "alloc", "web", "local"));
        Directory.CreateDirectory(Path.Join(_root, "images"));
        Directory.CreateDirectory(Path.Join(_root, "outside"));
        File.WriteAllText(Path.Join(_root, "outside", "secret.img"), "x");
        File.WriteAllText(Path.Join(_root, "images", "base.img"), "x");

        // An escape via a file link, and via a directory link in the middle of the path.
        File.CreateSymbolicLink(
            Path.Join(_root, "alloc", "web", "local", "evil.img"),
            Path.Join(_root, "outside", "secret.img")
        );
        Directory.CreateSymbolicLink(Path.Join(_root, "alloc", "web", "local", "outdir"), Path.Join(_root, "outside"));
        // A relative link that stays inside an allowed root.
        File.CreateSymbolicLink(Path.Join(_root, "alloc", "web", "local", "ok.img"), "../../../images/base.img");
        // A link loop.
        File.CreateSymbolicLink(Path.Join(_root, "alloc", "loop"), Path.Join(_root, "alloc", "loop"));
    }

    private string AllocDir => Path.Join(_root, "alloc");

    private string TaskDir => Path.Join(_root, "alloc", "web");

    [Theory]
    [InlineData("local/disk.img", "alloc/web/local/disk.img")] // relative to the TASK dir (QEMU's cwd)
    [InlineData("../alloc/data/disk.img", "alloc/alloc/data/disk.img")] // the shared alloc dir
    [InlineData("local/../local/./disk.img", "alloc/web/local/disk.img")]
    [InlineData("{root}/images/base.img", "images/base.img")] // absolute, in image_paths
    [InlineData("{root}/images", "images")] // the root itself
    [InlineData("local/ok.img", "images/base.img")] // symlink into image_paths is fine
    public void Resolve_InsideAllowedRoot_ReturnsRealPath(string path, string expectedUnderRoot)
    {
        var resolved = ImagePathGuard.Resolve(
            "image_path",
            path.Replace("{root}", _root),
            TaskDir,
            AllocDir,
            [Path.Join(_root, "images")]
        );

        Assert.Equal(Path.Join(_root, expectedUnderRoot), resolved);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../image.img")] // built-in trap: climbs out of the alloc dir
    [InlineData("{root}/imagesevil.img")] // built-in trap: prefix without separator ("/tmpimage.img" vs "/tmp")
    [InlineData("local/evil.img")] // file symlink escape
    [InlineData("local/outdir/secret.img")] // directory symlink escape
    [InlineData("local/outdir/../outside/secret.img")] // ".." after a link is physical, as in the kernel
    public void Resolve_OutsideAllowedRoots_NamesKeyAndRoots(string path)
    {
        var ex = Assert.Throws<ConfigException>(() =>
            ImagePathGuard.Resolve(
                "kernel",
                path.Replace("{root}", _root),
                TaskDir,
                AllocDir,
                [Path.Join(_root, "images")]
            )
        );

        Assert.Equal("kernel", ex.Key);
        Assert.StartsWith("config key \"kernel\": ", ex.Message);
        Assert.Contains($"allowed directories: {AllocDir}, {Path.Join(_root, "images")}", ex.Message);
    }

    [Fact]
    public void Resolve_SymlinkEscape_ShowsWhereItResolves()
    {
        var ex = Assert.Throws<ConfigException>(() =>
            ImagePathGuard.Resolve("image_path", "local/evil.img", TaskDir, AllocDir, [])
        );

        Assert.Contains(
            $"\"local/evil.img\" (resolves to \"{Path.Join(_root, "outside", "secret.img")}\")",
            ex.Message
        );
    }

    [Fact]
    public void Resolve_SymlinkLoop_ThrowsConfigException()
    {
        var ex = Assert.Throws<ConfigException>(() =>
            ImagePathGuard.Resolve("image_path", "../loop", TaskDir, AllocDir, [])
        );

        Assert.Contains("too many levels of symbolic links", ex.Message);
    }

    [Fact]
    public void Resolve_Empty_Throws()
    {
        Assert.Throws<ConfigException>(() => ImagePathGuard.Resolve("image_path", " ", TaskDir, AllocDir, []));
    }

    [Theory]
    [InlineData("/tmp/image.img", "/tmp", true)]
    [InlineData("/tmp/image.img", "/tmp/", true)]
    [InlineData("/tmp", "/tmp", true)]
    [InlineData("/tmpimage.img", "/tmp", false)]
    [InlineData("/tm", "/tmp", false)]
    [InlineData("/anything", "/", true)]
    public void IsWithin_Table(string path, string root, bool expected)
    {
        Assert.Equal(expected, ImagePathGuard.IsWithin(path, root));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
