using System.Text.Json;
using NomadQemu.Qmp.GuestAgent.Wire;

namespace NomadQemu.Qmp.GuestAgent;

// Typed helpers for the agent's informational, time, power and filesystem-freeze commands.
public sealed partial class GuestAgentClient
{
    private static readonly long s_maxTicksSinceEpoch = (DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).Ticks;

    /// <summary><c>guest-ping</c>: completes when the agent answers. The cheapest liveness probe.</summary>
    /// <exception cref="GuestAgentUnavailableException">No connection, or no answer in time.</exception>
    public Task PingAsync(CancellationToken cancellationToken = default) =>
        CallAsync("guest-ping", GuestAgentWire.EncodeCommand("guest-ping", null), _ => true, cancellationToken);

    /// <summary><c>guest-info</c>: the agent's version and which commands it knows and has enabled.</summary>
    public Task<GuestAgentInfo> GetInfoAsync(CancellationToken cancellationToken = default)
    {
        const string command = "guest-info";
        return CallAsync(
            command,
            GuestAgentWire.EncodeCommand(command, null),
            value =>
            {
                var reply = GuestAgentWire.Deserialize(value, GuestAgentJsonContext.Default.InfoReply, command);
                return new GuestAgentInfo(
                    reply.Version,
                    [
                        .. reply.SupportedCommands.Select(c => new GuestAgentCommandInfo(
                            c.Name,
                            c.Enabled,
                            c.SuccessResponse
                        )),
                    ]
                );
            },
            cancellationToken
        );
    }

    /// <summary>
    /// <c>guest-network-get-interfaces</c>: the guest's interfaces and addresses, as the guest reports them
    /// (untrusted: the guest controls every field).
    /// </summary>
    public Task<IReadOnlyList<GuestNetworkInterface>> GetNetworkInterfacesAsync(
        CancellationToken cancellationToken = default
    )
    {
        const string command = "guest-network-get-interfaces";
        return CallAsync<IReadOnlyList<GuestNetworkInterface>>(
            command,
            GuestAgentWire.EncodeCommand(command, null),
            value =>
                [
                    .. GuestAgentWire
                        .Deserialize(value, GuestAgentJsonContext.Default.IReadOnlyListNetworkInterfaceReply, command)
                        .Select(ToInterface),
                ],
            cancellationToken
        );
    }

    /// <summary><c>guest-get-time</c>: the guest's wall clock.</summary>
    /// <exception cref="GuestAgentProtocolException">The agent sent a time outside what <see cref="DateTimeOffset"/> holds.</exception>
    public Task<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default)
    {
        const string command = "guest-get-time";
        return CallAsync(
            command,
            GuestAgentWire.EncodeCommand(command, null),
            value =>
            {
                var nanoseconds = GuestAgentWire.Deserialize(value, GuestAgentJsonContext.Default.Int64, command);
                if (nanoseconds < 0 || nanoseconds / 100 > s_maxTicksSinceEpoch)
                {
                    throw new GuestAgentProtocolException(
                        $"The guest agent's reply to '{command}' is {nanoseconds} ns since 1970, which is not a time."
                    );
                }

                return DateTimeOffset.UnixEpoch.AddTicks(nanoseconds / 100);
            },
            cancellationToken
        );
    }

    /// <summary>
    /// <c>guest-set-time</c>: sets the guest's clock to <paramref name="time"/> (and its hardware clock from it), or
    /// with null makes the guest set its clock from its hardware clock (which QEMU keeps at host time), the way to
    /// catch up after the VM was paused.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A time before 1970 or beyond what nanoseconds since 1970 hold in 64 bits.</exception>
    /// <exception cref="GuestAgentCommandException">The guest refused (e.g. no hwclock program for the null form).</exception>
    public Task SetTimeAsync(DateTimeOffset? time, CancellationToken cancellationToken = default)
    {
        const string command = "guest-set-time";
        long? nanoseconds = null;
        if (time is { } t)
        {
            var ticks = (t - DateTimeOffset.UnixEpoch).Ticks;
            if (ticks < 0 || ticks > long.MaxValue / 100)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(time),
                    t,
                    "The guest agent sets times as nanoseconds since 1970 in 64 bits: 1970 to 2262."
                );
            }

            nanoseconds = ticks * 100;
        }

        var encoded = GuestAgentWire.EncodeCommand(
            command,
            new SetTimeArguments(nanoseconds),
            GuestAgentJsonContext.Default.SetTimeArguments
        );
        return CallAsync(command, encoded, _ => true, cancellationToken);
    }

    /// <summary>
    /// <c>guest-shutdown</c>: asks the guest OS to power off, halt or reboot. The agent replies only when this
    /// fails: an error within <see cref="GuestAgentOptions.NoReplyGrace"/> is thrown; silence (or the connection
    /// closing) counts as accepted, so completion means "asked", not "done": watch QEMU for the VM going down.
    /// </summary>
    /// <exception cref="GuestAgentCommandException">The agent refused (e.g. the command is disabled, or the guest's shutdown program failed quickly).</exception>
    public Task ShutdownAsync(
        GuestShutdownMode mode = GuestShutdownMode.Powerdown,
        CancellationToken cancellationToken = default
    )
    {
        const string command = "guest-shutdown";
        var wireMode = mode switch
        {
            GuestShutdownMode.Powerdown => "powerdown",
            GuestShutdownMode.Halt => "halt",
            GuestShutdownMode.Reboot => "reboot",
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown shutdown mode."),
        };
        var encoded = GuestAgentWire.EncodeCommand(
            command,
            new ShutdownArguments(wireMode),
            GuestAgentJsonContext.Default.ShutdownArguments
        );
        return CallWithoutSuccessReplyAsync(command, encoded, cancellationToken);
    }

    /// <summary><c>guest-fsfreeze-status</c>: whether the guest's filesystems are frozen.</summary>
    public Task<GuestFsfreezeStatus> GetFsfreezeStatusAsync(CancellationToken cancellationToken = default)
    {
        const string command = "guest-fsfreeze-status";
        return CallAsync(
            command,
            GuestAgentWire.EncodeCommand(command, null),
            value =>
                GuestAgentWire.Deserialize(value, GuestAgentJsonContext.Default.String, command) switch
                {
                    "thawed" => GuestFsfreezeStatus.Thawed,
                    "frozen" => GuestFsfreezeStatus.Frozen,
                    var other => throw new GuestAgentProtocolException(
                        $"The guest agent's reply to '{command}' is '{other}', not 'thawed' or 'frozen'."
                    ),
                },
            cancellationToken
        );
    }

    /// <summary>
    /// <c>guest-fsfreeze-freeze</c> (all filesystems) or <c>guest-fsfreeze-freeze-list</c> (the given mount
    /// points): flushes and freezes them so a host-side snapshot is consistent. Always thaw soon after: writes in
    /// the guest block meanwhile (Windows guests thaw by themselves after about 10 s).
    /// </summary>
    /// <returns>How many filesystems were frozen.</returns>
    public Task<int> FreezeFilesystemsAsync(
        IReadOnlyList<string>? mountpoints = null,
        CancellationToken cancellationToken = default
    )
    {
        if (mountpoints is null)
        {
            const string all = "guest-fsfreeze-freeze";
            return CallAsync(all, GuestAgentWire.EncodeCommand(all, null), DecodeCount(all), cancellationToken);
        }

        const string some = "guest-fsfreeze-freeze-list";
        foreach (var mountpoint in mountpoints)
        {
            RequireNoNul(mountpoint, nameof(mountpoints));
        }

        var encoded = GuestAgentWire.EncodeCommand(
            some,
            new FreezeListArguments(mountpoints),
            GuestAgentJsonContext.Default.FreezeListArguments
        );
        return CallAsync(some, encoded, DecodeCount(some), cancellationToken);
    }

    /// <summary><c>guest-fsfreeze-thaw</c>: thaws every frozen filesystem.</summary>
    /// <returns>How many filesystems were thawed.</returns>
    public Task<int> ThawFilesystemsAsync(CancellationToken cancellationToken = default)
    {
        const string command = "guest-fsfreeze-thaw";
        return CallAsync(command, GuestAgentWire.EncodeCommand(command, null), DecodeCount(command), cancellationToken);
    }

    private static Func<JsonElement, int> DecodeCount(string command) =>
        value => GuestAgentWire.Deserialize(value, GuestAgentJsonContext.Default.Int32, command);

    private static GuestNetworkInterface ToInterface(NetworkInterfaceReply reply) =>
        new(
            reply.Name,
            reply.HardwareAddress,
            [.. (reply.IpAddresses ?? []).Select(a => new GuestIpAddress(a.IpAddress, a.IpAddressType, a.Prefix))],
            reply.Statistics is { } s
                ? new GuestNetworkStatistics(
                    s.RxBytes,
                    s.RxPackets,
                    s.RxErrs,
                    s.RxDropped,
                    s.TxBytes,
                    s.TxPackets,
                    s.TxErrs,
                    s.TxDropped
                )
                : null
        );

    /// <summary>The agent is C: a NUL would silently cut the string there, so a value holding one is refused.</summary>
    private static void RequireNoNul(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"{name} must not contain a NUL character (the guest would cut it there).",
                name
            );
        }
    }
}
