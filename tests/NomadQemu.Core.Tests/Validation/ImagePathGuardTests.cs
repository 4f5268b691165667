using NomadQemu.Core.Config;
using NomadQemu.Core.Validation;

namespace NomadQemu.Core.Tests.Validation;

/// <summary>The lexical half of the file rule (the driver's openat2 tests cover the resolving half).</summary>
public sealed class ImagePathGuardTests
{
    private const string AllocDir = "/nomad/alloc/a1";
    private const string TaskDir = "/nomad/alloc/a1/web";
    private static readonly IReadOnlyList<string> s_roots = ImagePathGuard.Roots(AllocDir, ["/srv/images/", " "]);

    [Fact]
    public void Roots_AllocDirFirst_BlankImagePathsDropped() => Assert.Equal([AllocDir, "/srv/images"], s_roots);

    [Theory]
    [InlineData("local/disk.qcow2", AllocDir, "web/local/disk.qcow2")]
    [InlineData("../alloc/data/d.img", AllocDir, "web/../alloc/data/d.img")]
    [InlineData("/srv/images/base.qcow2", "/srv/images", "base.qcow2")]
    [InlineData("local/../../../../etc/shadow", AllocDir, "web/local/../../../../etc/shadow")]
    public void Candidates_KeepDotDotForTheKernelToResolveBeneathTheRoot(string path, string root, string beneath)
    {
        var candidate = Assert.Single(ImagePathGuard.Candidates("image_path", path, TaskDir, s_roots));
        Assert.Equal(new ImagePathGuard.Candidate(root, beneath), candidate);
    }

    [Theory]
    [InlineData("/etc/shadow")]
    [InlineData("/srv/imagesX/a.img")]
    [InlineData("/nomad/alloc/a10/web/local/d.img")]
    public void Candidates_OutsideEveryRoot_NamesKeyValueAndRule(string path)
    {
        var e = Assert.Throws<ConfigException>(() => ImagePathGuard.Candidates("kernel", path, TaskDir, s_roots));
        Assert.Contains("\"kernel\"", e.Message);
        Assert.Contains($"\"{path}\" is outside the allowed directories: {AllocDir}, /srv/images", e.Message);
    }

    [Fact]
    public void Candidates_Empty_Throws() =>
        Assert.Throws<ConfigException>(() => ImagePathGuard.Candidates("image_path", " ", TaskDir, s_roots));

    [Theory]
    [InlineData("/tmp/a.img", "/tmp", true)]
    [InlineData("/tmpimage.img", "/tmp", false)]
    [InlineData("/tmp", "/tmp/", true)]
    [InlineData("/x", "/", true)]
    public void IsWithin_Table(string path, string root, bool expected) =>
        Assert.Equal(expected, ImagePathGuard.IsWithin(path, root));
}
