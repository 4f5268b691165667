using System.Diagnostics;
using NomadQemu.Core.Config;
using NomadQemu.Driver.Files;

namespace NomadQemu.Driver.Tests.Files;

/// <summary>Real files, real symlinks, real openat2: what a job can and cannot make the driver open.</summary>
public sealed class ConfinedOpenerTests : IDisposable
{
    private readonly string _top = Directory.CreateTempSubdirectory("nq-open").FullName;
    private string Alloc => Path.Combine(_top, "alloc");
    private string Task => Path.Combine(Alloc, "web");
    private string Outside => Path.Combine(_top, "host-secret");
    private IReadOnlyList<string> Roots => [Alloc];

    public ConfinedOpenerTests()
    {
        Directory.CreateDirectory(Path.Combine(Task, "local"));
        File.WriteAllText(Path.Combine(Task, "local", "disk.img"), "image");
        File.WriteAllText(Outside, "secret");
    }

    public void Dispose() => Directory.Delete(_top, recursive: true);

    private OpenedFile Open(string path) => ConfinedOpener.Open("image_path", path, Task, Roots, writable: false);

    [Fact]
    public void PlainFile_IsOpened_AndTheDescriptorIsThatInode()
    {
        using var file = Open("local/disk.img");
        using var stream = file.ReadStream();
        Assert.Equal("image", new StreamReader(stream).ReadToEnd());
    }

    [Fact]
    public void RelativeSymlinkStayingInside_IsFollowed()
    {
        File.CreateSymbolicLink(Path.Combine(Task, "local", "link.img"), "disk.img");
        using var file = Open("local/link.img");
        Assert.Equal(5, file.Size);
    }

    [Theory]
    [InlineData("abs")] // absolute link to a host file
    [InlineData("rel")] // relative link climbing out
    public void SymlinkLeavingTheRoot_IsRefusedNamingKeyValueAndRule(string kind)
    {
        File.CreateSymbolicLink(
            Path.Combine(Task, "local", "evil.img"),
            kind == "abs" ? Outside : "../../../host-secret"
        );
        var e = Assert.Throws<ConfigException>(() => Open("local/evil.img"));
        Assert.Contains("\"image_path\"", e.Message);
        Assert.Contains("local/evil.img", e.Message);
        Assert.Contains("outside the allowed directories", e.Message);
    }

    [Fact]
    public void DirectorySymlinkThenDotDot_IsRefused()
    {
        Directory.CreateSymbolicLink(Path.Combine(Task, "local", "d"), _top);
        Assert.Throws<ConfigException>(() => Open("local/d/host-secret"));
    }

    [Fact]
    public void DotDotAboveTheRoot_IsRefused() => Assert.Throws<ConfigException>(() => Open("../../host-secret"));

    [Fact]
    public void MagicLinkThroughProc_IsRefused()
    {
        using var held = File.OpenHandle(Outside);
        File.CreateSymbolicLink(Path.Combine(Task, "local", "magic.img"), $"/proc/self/fd/{held.DangerousGetHandle()}");
        Assert.Throws<ConfigException>(() => Open("local/magic.img"));
    }

    [Fact]
    public void Fifo_IsRefusedWithoutBlocking()
    {
        var fifo = Path.Combine(Task, "local", "fifo.img");
        Process.Start("mkfifo", fifo)!.WaitForExit();
        var e = Assert.Throws<ConfigException>(() => Open("local/fifo.img"));
        Assert.Contains("not a regular file", e.Message);
    }

    [Fact]
    public void Missing_SaysSo() =>
        Assert.Contains("does not exist", Assert.Throws<ConfigException>(() => Open("local/none.img")).Message);

    [Fact]
    public void BackingFileOutsideTheRoots_IsRefusedNamingImageAndReference()
    {
        var image = Path.Combine(Task, "local", "over.qcow2");
        QemuImg("create", "-q", "-f", "qcow2", "-F", "raw", "-b", Outside, "-u", image, "1M");
        var e = Assert.Throws<ConfigException>(() =>
            ImageChainOpener.Open("local/over.qcow2", ImageFormat.Qcow2, false, Task, Roots)
        );
        Assert.Contains("local/over.qcow2", e.Message);
        Assert.Contains($"backing file \"{Outside}\"", e.Message);
    }

    [Fact]
    public void BackingFileInsideTheRoots_IsOpenedAsTheNextLayer()
    {
        var image = Path.Combine(Task, "local", "over.qcow2");
        QemuImg("create", "-q", "-f", "qcow2", "-F", "raw", "-b", "disk.img", "-u", image, "1M");
        var layer = ImageChainOpener.Open("local/over.qcow2", ImageFormat.Qcow2, false, Task, Roots);
        try
        {
            Assert.Equal(ImageFormatDetector.Kind.Qcow2, layer.Kind);
            Assert.Equal(ImageFormatDetector.Kind.Raw, layer.Backing?.Kind);
            Assert.Equal(5, layer.Backing?.File.Size);
        }
        finally
        {
            foreach (var file in layer.Files)
            {
                file.Dispose();
            }
        }
    }

    [Fact]
    public void BackingFormatNotRecorded_IsRefused()
    {
        var image = Path.Combine(Task, "local", "over.qcow2");
        QemuImg("create", "-q", "-f", "qcow2", "-o", "compat=0.10", "-b", "disk.img", "-F", "raw", "-u", image, "1M");
        // Strip the recorded format: overwrite the extension area's type with the end marker.
        var bytes = File.ReadAllBytes(image);
        Array.Clear(bytes, 72, 8);
        File.WriteAllBytes(image, bytes);
        var e = Assert.Throws<ConfigException>(() =>
            ImageChainOpener.Open("local/over.qcow2", ImageFormat.Qcow2, false, Task, Roots)
        );
        Assert.Contains("backing format", e.Message);
    }

    private static void QemuImg(params string[] args)
    {
        using var p = Process.Start("qemu-img", args)!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
