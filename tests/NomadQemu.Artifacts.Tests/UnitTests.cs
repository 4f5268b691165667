using System.Security.Cryptography;

namespace NomadQemu.Artifacts.Tests;

public sealed class ChecksumVerifierTests : IDisposable
{
    private readonly TestDirectories _dirs = new();

    [Theory(Timeout = 20_000)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(ChecksumVerifier.BufferSize + 17)]
    public async Task ComputeHexAsync_AnySize_MatchesOneShotHash(int length)
    {
        var data = TestData.Bytes(length);
        var path = Path.Combine(_dirs.Scratch, "f.bin");
        await File.WriteAllBytesAsync(path, data, TestContext.Current.CancellationToken);

        var hex = await ChecksumVerifier.ComputeHexAsync(
            path,
            ChecksumAlgorithm.Sha256,
            TestContext.Current.CancellationToken
        );

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), hex);
    }

    [Fact(Timeout = 20_000)]
    public async Task VerifyAsync_WrongDigest_ReturnsFalse()
    {
        var path = Path.Combine(_dirs.Scratch, "f.bin");
        await File.WriteAllBytesAsync(path, [1, 2, 3], TestContext.Current.CancellationToken);

        var ok = await ChecksumVerifier.VerifyAsync(
            path,
            ArtifactChecksum.Parse(TestData.Sha256([4]), "test"),
            TestContext.Current.CancellationToken
        );

        Assert.False(ok);
    }

    public void Dispose() => _dirs.Dispose();
}

public sealed class ParsingTests
{
    private const string Sha256OfX = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";

    [Theory]
    [InlineData($"{Sha256OfX}  disk.img", ChecksumAlgorithm.Sha256)]
    [InlineData($"{Sha256OfX} *disk.img", ChecksumAlgorithm.Sha256)]
    [InlineData($"{Sha256OfX}  ./images/disk.img", ChecksumAlgorithm.Sha256)]
    [InlineData($"SHA256 (disk.img) = {Sha256OfX}", ChecksumAlgorithm.Sha256)]
    [InlineData("0cc175b9c0f1b6a831c399e269772661  disk.img", ChecksumAlgorithm.Md5)]
    public void FindChecksum_SupportedLineFormats_FindEntry(string line, ChecksumAlgorithm algorithm)
    {
        var checksum = ChecksumFileParser.FindChecksum(
            $"# header\n\nabc  unrelated\n{line}\n",
            "disk.img",
            "SUMS",
            "src"
        );

        Assert.Equal(algorithm, checksum.Algorithm);
    }

    [Fact]
    public void FindChecksum_SimilarNameOnly_IsNotAMatch()
    {
        var ex = Assert.Throws<ArtifactConfigException>(() =>
            ChecksumFileParser.FindChecksum($"{Sha256OfX}  disk.img.sig\n", "disk.img", "SUMS", "src")
        );

        Assert.Contains("no entry for \"disk.img\"", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://u:p@host/x?y=1", "https://redacted@host/x?y=1")]
    [InlineData("https://host/x", "https://host/x")]
    [InlineData("/var/images/x.img", "/var/images/x.img")]
    public void Redact_UrlWithCredentials_HidesThem(string source, string expected)
    {
        Assert.Equal(expected, SourceLocation.Redact(source));
    }

    [Theory]
    [InlineData("a.TAR.GZ", "TarGz")]
    [InlineData("a.tgz", "TarGz")]
    [InlineData("a.tar", "Tar")]
    [InlineData("a.zip", "Zip")]
    [InlineData("a.raw.gz", "Gzip")]
    [InlineData("a.qcow2", "None")]
    [InlineData("a.tar.xz", "None")]
    public void DetectArchive_ByExtension_PicksKind(string name, string kind)
    {
        Assert.Equal(kind, ArtifactPlanner.DetectArchive(name).ToString());
    }
}
