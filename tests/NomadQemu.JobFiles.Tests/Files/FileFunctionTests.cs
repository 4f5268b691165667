using NomadQemu.JobFiles.Files;
using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles.Tests.Files;

/// <summary>
/// <c>file()</c> on whatever a hostile job names: only a regular file is read; a FIFO, a device, a directory or a
/// symlink to one of them is refused at once with an error naming the function, the path and the rule.
/// </summary>
public sealed class FileFunctionTests : IDisposable
{
    private readonly SpecialFiles _files = new();

    public void Dispose() => _files.Dispose();

    private Task<HclException> FileErrorAsync(string path) => Returns.ThrowingAsync<HclException>(() => Evaluate(path));

    private HclValue Evaluate(string path) =>
        HclParser
            .ParseExpression($"file({HclValueText.Quote(path)})", "job.hcl")
            .Evaluate(new HclEvalContext(_files.Directory));

    private static void AssertRefused(HclException error, string path, string kind)
    {
        Assert.Contains($"file(): cannot read \"{path}\"", error.Detail, StringComparison.Ordinal);
        Assert.Contains($"it is {kind}, and {RegularFile.Rule}", error.Detail, StringComparison.Ordinal);
        Assert.Equal(("job.hcl", 1, 1), (error.FileName, error.Line, error.Column));
    }

    [Fact]
    public async Task FifoWithoutWriter_IsRefusedWithoutBlocking() =>
        AssertRefused(await FileErrorAsync(_files.Fifo), _files.Fifo, "a FIFO (named pipe)");

    [Fact]
    public async Task RelativePathToAFifo_IsResolvedAgainstTheJobDirectoryAndRefused() =>
        AssertRefused(await FileErrorAsync("pipe"), _files.Fifo, "a FIFO (named pipe)");

    [Fact]
    public async Task SymlinkToAFifo_IsJudgedByWhatItOpens() =>
        AssertRefused(await FileErrorAsync(_files.FifoLink), _files.FifoLink, "a FIFO (named pipe)");

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/null")]
    [InlineData("/dev/urandom")]
    public async Task CharacterDevice_IsRefused(string device) =>
        AssertRefused(await FileErrorAsync(device), device, "a character device");

    [Fact]
    public async Task Directory_IsRefused() =>
        AssertRefused(await FileErrorAsync(_files.Directory), _files.Directory, "a directory");

    [Fact]
    public async Task MissingFile_SaysSo()
    {
        var missing = Path.Combine(_files.Directory, "absent.txt");
        var error = await FileErrorAsync(missing);
        Assert.Contains(
            $"file(): cannot read \"{missing}\": No such file or directory",
            error.Detail,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public async Task RegularFileOverTheLimit_IsRefusedAtTheLimit()
    {
        var big = _files.Sparse("big.txt", HclLimits.MaxStringLength + 1L);
        var error = await FileErrorAsync(big);
        Assert.Contains(
            $"file(): \"{big}\" is longer than the limit of {HclLimits.MaxStringLength} characters",
            error.Detail,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void RegularFileThroughASymlink_IsRead()
    {
        var target = _files.Regular("greeting.txt", "\uFEFFhello, world\n");
        var link = Path.Combine(_files.Directory, "greeting-link");
        File.CreateSymbolicLink(link, target);
        // The byte-order mark is detected and dropped, as before the descriptor checks.
        Assert.Equal(new HclString("hello, world\n"), Evaluate(link));
    }
}
