using System.Security.Cryptography;
using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Qmp.Tests.GuestAgent.Integration;

/// <summary>Against a real qemu-ga 7.2 on this host (files: guest-file-open/write/read/close; see <see cref="HostGuestAgent"/> for what is blocked and why).</summary>
public sealed class RealGuestAgentFileTests
{
    [Fact]
    public async Task Files_RealAgent_WriteThenReadBackTheSameBytes()
    {
        using var timeout = TestTimeout.Start(30);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();
        var path = Path.Combine(host.Directory, "file.bin");
        var content = RandomNumberGenerator.GetBytes(100_000);

        var writer = await client.OpenFileAsync(path, "w", timeout.Token);
        var written = await client.WriteFileAsync(writer, content, timeout.Token);
        await client.CloseFileAsync(writer, timeout.Token);
        var reader = await client.OpenFileAsync(path, "r", timeout.Token);
        var read = new List<byte>();
        GuestFileReadResult chunk;
        do
        {
            chunk = await client.ReadFileAsync(reader, 30_000, timeout.Token);
            read.AddRange(chunk.Data);
        } while (!chunk.EndOfFile);

        await client.CloseFileAsync(reader, timeout.Token);

        Assert.Equal(content.Length, written);
        Assert.Equal(content, read);
        Assert.Equal(content, await File.ReadAllBytesAsync(path, timeout.Token));
    }
}
