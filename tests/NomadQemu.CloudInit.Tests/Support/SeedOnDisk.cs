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

    /// <summary>Extracts the whole image with xorriso (which reads the Rock Ridge tree) into a fresh dir.</summary>
    public async Task<string> ExtractWithXorrisoAsync()
    {
        var target = Path.Combine(_dir.Path, "xorriso-" + Guid.NewGuid().ToString("N")[..6]);
        await ExternalTool.RunCheckedAsync("xorriso", "-osirrox", "on", "-indev", ImagePath, "-extract", "/", target);
        return target;
    }

    /// <summary>One file through isoinfo: <c>-R</c> (Rock Ridge path) or <c>-J</c> (Joliet path).</summary>
    public async Task<byte[]> ExtractWithIsoinfoAsync(string extension, string path) =>
        (await ExternalTool.RunCheckedAsync("isoinfo", "-i", ImagePath, extension, "-x", path)).Stdout;

    public void Dispose() => _dir.Dispose();
}
