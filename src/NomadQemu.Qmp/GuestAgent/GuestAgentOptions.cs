namespace NomadQemu.Qmp.GuestAgent;

/// <summary>Bounds and pacing of a <see cref="GuestAgentClient"/>. Every wait the client makes is bounded by one of these.</summary>
public sealed record GuestAgentOptions
{
    /// <summary>
    /// The largest reply accepted: two exec output streams of 16 MiB each (the agent's cap) in base64 plus room.
    /// </summary>
    public const int DefaultMaxReplyBytes = 48 * 1024 * 1024;

    /// <summary>How long to keep retrying while the socket is missing or refuses connections.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one <c>guest-sync-delimited</c> handshake may take before the agent counts as not answering.</summary>
    public TimeSpan SyncTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most one call may take, from joining the queue to the decoded reply, unless its token fires first.
    /// Multi-command helpers (<see cref="GuestAgentClient.RunAsync"/>, <see cref="GuestAgentClient.WaitForExitAsync"/>)
    /// apply it to each command and rely on the caller's token for the whole.
    /// </summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long to wait for an error reply to a command that sends none on success (<c>guest-shutdown</c>):
    /// silence for this long counts as accepted.
    /// </summary>
    public TimeSpan NoReplyGrace { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The first pause between <c>guest-exec-status</c> polls; it doubles up to <see cref="ExecPollMaxInterval"/>.</summary>
    public TimeSpan ExecPollInitialInterval { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest pause between <c>guest-exec-status</c> polls.</summary>
    public TimeSpan ExecPollMaxInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long killing and reaping a process may take when <see cref="GuestAgentClient.RunAsync"/> is abandoned.</summary>
    public TimeSpan KillTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest reply line accepted; longer ones fail with <see cref="GuestAgentProtocolException"/>.</summary>
    public int MaxReplyBytes { get; init; } = DefaultMaxReplyBytes;

    internal void Validate()
    {
        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));
        RequirePositive(SyncTimeout, nameof(SyncTimeout));
        RequirePositive(CommandTimeout, nameof(CommandTimeout));
        RequirePositive(NoReplyGrace, nameof(NoReplyGrace));
        RequirePositive(ExecPollInitialInterval, nameof(ExecPollInitialInterval));
        RequirePositive(ExecPollMaxInterval, nameof(ExecPollMaxInterval));
        RequirePositive(KillTimeout, nameof(KillTimeout));
        if (MaxReplyBytes < 1024)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxReplyBytes),
                MaxReplyBytes,
                "GuestAgentOptions.MaxReplyBytes must be at least 1024."
            );
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(
                name,
                value,
                $"GuestAgentOptions.{name} must be positive and at most a day."
            );
        }
    }
}
