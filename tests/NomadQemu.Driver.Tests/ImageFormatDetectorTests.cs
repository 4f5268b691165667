namespace NomadQemu.Driver.Tests;

public sealed class ImageFormatDetectorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nq-fmt").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Detect_Qcow2Magic() =>
        Assert.Equal(
            ImageFormatDetector.Kind.Qcow2,
            ImageFormatDetector.Detect(Write("a", [(byte)'Q', (byte)'F', (byte)'I', 0xFB, 0, 0, 0, 3]), null)
        );

    [Fact]
    public void Detect_Iso9660()
    {
        var iso = new byte[0x9000];
        "CD001"u8.CopyTo(iso.AsSpan(0x8001));
        Assert.Equal(ImageFormatDetector.Kind.Iso, ImageFormatDetector.Detect(Write("b.iso", iso), null));
    }

    [Fact]
    public void Detect_AnythingElse_IsRaw() =>
        Assert.Equal(ImageFormatDetector.Kind.Raw, ImageFormatDetector.Detect(Write("c", new byte[512]), null));

    [Fact]
    public void Detect_DeclaredFormatWins() =>
        Assert.Equal(
            ImageFormatDetector.Kind.Raw,
            ImageFormatDetector.Detect(Write("d", [(byte)'Q', (byte)'F', (byte)'I', 0xFB]), Core.Config.ImageFormat.Raw)
        );
}
