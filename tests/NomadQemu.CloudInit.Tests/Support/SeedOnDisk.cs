using NomadQemu.TestKit;

namespace NomadQemu.CloudInit.Tests.Support;

/// <summary>A seed image written to a scratch dir, and what independent tools read back from it.</summary>
internal sealed class SeedOnDisk : IDisposable
{
    private readonly ShortTempDir _dir = new();

    public SeedOnDisk(CloudInitSeed seed)
    {
        ImagePath = Path.Combine(_dir.Path, "seed.iso");
        File.WriteAllBytes(ImagePath, IsoSeedImage.ToArray(seed));
    }

    public string ImagePath { get; }

    public string Scratch(string name) => Directory.CreateDirectory(Path.Combine(_dir.Path, name)).FullName;

    /// <summary>
    /// Extracts the whole image with xorriso (libisofs reads the Rock Ridge tree) into a fresh dir, failing on any
    /// complaint it reports while loading or reading (WARNING, SORRY, FAILURE).
    /// </summary>
    public async Task<string> ExtractWithXorrisoAsync()
    {
        var target = Path.Combine(_dir.Path, "xorriso-" + Guid.NewGuid().ToString("N")[..6]);
        var result = await ExternalTool.RunCheckedAsync(
            "xorriso",
            "-report_about",
            "WARNING",
            "-osirrox",
            "on",
            "-indev",
            ImagePath,
            "-extract",
            "/",
            target
        );
        Assert.DoesNotMatch(@"\b(WARNING|SORRY|FAILURE)\b", result.Stderr + result.Text);
        return target;
    }

    /// <summary>One file through isoinfo: <c>-R</c> (Rock Ridge path) or <c>-J</c> (Joliet path).</summary>
    public async Task<byte[]> ExtractWithIsoinfoAsync(string extension, string path) =>
        (await ExternalTool.RunCheckedAsync("isoinfo", "-i", ImagePath, extension, "-x", path)).Stdout;

    public void Dispose() => _dir.Dispose();
}
