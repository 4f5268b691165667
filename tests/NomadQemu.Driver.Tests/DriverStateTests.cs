using MessagePack;
using NomadQemu.Driver.Tasks;

namespace NomadQemu.Driver.Tests;

public sealed class DriverStateTests
{
    private static DriverState Sample() =>
        new()
        {
            TaskId = "a1/web/3f2e",
            TaskName = "web",
            AllocId = "a1",
            TaskDir = "/var/nomad/alloc/a1/web",
            RunDir = "/var/nomad/alloc/a1/web/.qemu",
            SupervisorPid = 4242,
            SupervisorStartTicks = 123456789012,
            QemuPid = 4243,
            QemuStartTicks = 123456789099,
            QmpSocket = "/var/nomad/alloc/a1/web/.qemu/qmp.sock",
            OverlayPath = null,
            DriverConfig = [0x81, 0xa1, 0x61, 0x01],
            Accelerator = "tcg",
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_123),
            GuestPorts = new Dictionary<string, int> { ["http"] = 80, ["ssh"] = 22 },
        };

    [Fact]
    public void EncodeDecode_RoundTrips_EveryField()
    {
        var state = Sample();

        var decoded = DriverState.Decode(state.Encode());

        Assert.Equal(state with { GuestPorts = decoded.GuestPorts, DriverConfig = decoded.DriverConfig }, decoded);
        Assert.Equal(state.DriverConfig, decoded.DriverConfig);
        Assert.Equal(state.GuestPorts, decoded.GuestPorts);
    }

    [Fact]
    public void Encode_IsAStringKeyedMsgpackMap_ThatGenericDecodersRead()
    {
        // `nomad operator client-state` decodes driver_state into a generic map and aborts on anything else.
        var reader = new MessagePackReader(Sample().Encode());
        var count = reader.ReadMapHeader();
        var keys = new List<string>();
        for (var i = 0; i < count; i++)
        {
            keys.Add(reader.ReadString()!);
            reader.Skip();
        }

        Assert.True(reader.End);
        Assert.Contains("version", keys);
        Assert.Contains("qemu_pid", keys);
        Assert.Contains("driver_config", keys);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xc1 })]
    [InlineData(new byte[] { 0x81, 0xa7 })]
    [InlineData(
        new byte[] { 0x81, 0xa7, (byte)'v', (byte)'e', (byte)'r', (byte)'s', (byte)'i', (byte)'o', (byte)'n', 0x63 }
    )]
    public void Decode_Garbage_IsAFormatException(byte[] bytes) =>
        Assert.Throws<FormatException>(() => DriverState.Decode(bytes));
}
