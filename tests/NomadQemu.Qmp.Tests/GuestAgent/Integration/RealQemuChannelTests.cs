using System.Diagnostics;
using NomadQemu.Qmp.GuestAgent;
using NomadQemu.Qmp.Tests.Integration;

namespace NomadQemu.Qmp.Tests.GuestAgent.Integration;

/// <summary>
/// The client against QEMU's real guest agent channel (a virtio-serial port behind a chardev socket) of a VM with
/// no guest OS: the socket accepts, nobody reads inside, so nothing ever answers. This is what a task sees when
/// its image has no qemu-ga or the guest is still booting.
/// </summary>
public sealed class RealQemuChannelTests
{
    [Fact]
    public async Task Calls_ChannelWithoutAnAgentInTheGuest_FailNotRespondingWithinTheSyncTimeoutEveryTime()
    {
        using var timeout = TestTimeout.Start(60);
        await using var qemu = QemuProcess.Start(
            "pc",
            "-accel",
            "tcg",
            "-device",
            "virtio-serial",
            "-chardev",
            "socket,path={dir}/qga.sock,server=on,wait=off,id=qga0",
            "-device",
            "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0"
        );
        await using var client = new GuestAgentClient(
            Path.Combine(qemu.Directory, "qga.sock"),
            HostGuestAgent.Options with
            {
                SyncTimeout = TimeSpan.FromSeconds(1),
            }
        );

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var clock = Stopwatch.StartNew();
            var ex = await Assert.ThrowsAsync<GuestAgentNotRespondingException>(() => client.PingAsync(timeout.Token));

            Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(900), TestTimeout.Scaled(10));
            Assert.Contains("not installed or not running in the guest", ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, client.SynchronizationCount);
        Assert.False(qemu.Process.HasExited, qemu.Output);
    }
}
