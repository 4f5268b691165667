using NomadQemu.JobFiles.Files;

namespace NomadQemu.JobFiles.Tests.Files;

/// <summary>The bounded read under both callers: exactly the file up to the limit, one byte past it beyond.</summary>
public sealed class RegularFileTests : IDisposable
{
    private readonly SpecialFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(0, 0)]
    [InlineData(10, 10)]
    [InlineData(11, 11)]
    [InlineData(200_000, 11)]
    public void ReadBounded_StopsOneBytePastTheLimit(int size, int expected)
    {
        var content = Enumerable.Range(0, size).Select(i => (byte)('a' + i % 26)).ToArray();
        var path = Path.Combine(_files.Directory, "sized");
        File.WriteAllBytes(path, content);

        var read = RegularFile.ReadBounded(path, maxBytes: 10);

        Assert.Equal(content.Take(expected), read);
    }

    [Fact]
    public async Task OpenRead_OnAFifo_NamesTheKindAndTheRule()
    {
        var error = await Returns.ThrowingAsync<IOException>(() => RegularFile.OpenRead(_files.Fifo).Dispose());
        Assert.Equal($"it is a FIFO (named pipe), and {RegularFile.Rule}", error.Message);
    }
}
