using NomadQemu.Qmp.GuestAgent.Wire;

namespace NomadQemu.Qmp.GuestAgent;

// guest-file-open/read/write/close: moving small files (secrets, rendered templates) in and out of the guest.
public sealed partial class GuestAgentClient
{
    /// <summary>
    /// The most one <see cref="ReadFileAsync"/> asks for: its reply (base64, 4 bytes per 3) stays well inside
    /// <see cref="GuestAgentOptions.DefaultMaxReplyBytes"/>. Read larger files in a loop.
    /// </summary>
    public const int MaxFileReadBytes = 16 * 1024 * 1024;

    /// <summary>The most one <see cref="WriteFileAsync"/> sends, for the same reason as <see cref="GuestExecRequest.MaxInputBytes"/>.</summary>
    public const int MaxFileWriteBytes = 32 * 1024 * 1024;

    /// <summary><c>guest-file-open</c>: opens a file in the guest, with fopen(3) modes ("r", "w", "a", "r+", ...).</summary>
    /// <returns>The handle for the other file calls. Close it: the agent keeps it open until then.</returns>
    /// <exception cref="GuestAgentCommandException">The guest could not open it (the description says why).</exception>
    public Task<long> OpenFileAsync(string path, string mode = "r", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        RequireNoNul(path, nameof(path));
        ArgumentException.ThrowIfNullOrEmpty(mode);
        RequireNoNul(mode, nameof(mode));
        const string command = "guest-file-open";
        var encoded = GuestAgentWire.EncodeCommand(
            command,
            new FileOpenArguments(path, mode),
            GuestAgentJsonContext.Default.FileOpenArguments
        );
        return CallAsync(
            command,
            encoded,
            value => GuestAgentWire.Deserialize(value, GuestAgentJsonContext.Default.Int64, command),
            cancellationToken
        );
    }

    /// <summary><c>guest-file-read</c>: reads up to <paramref name="count"/> bytes from the current position.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not within 1..<see cref="MaxFileReadBytes"/>.</exception>
    public Task<GuestFileReadResult> ReadFileAsync(
        long handle,
        int count = 64 * 1024,
        CancellationToken cancellationToken = default
    )
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxFileReadBytes);
        const string command = "guest-file-read";
        var encoded = GuestAgentWire.EncodeCommand(
            command,
            new FileReadArguments(handle, count),
            GuestAgentJsonContext.Default.FileReadArguments
        );
        return CallAsync(
            command,
            encoded,
            value =>
            {
                var reply = GuestAgentWire.Deserialize(value, GuestAgentJsonContext.Default.FileReadReply, command);
                if (reply.Count != reply.BufB64.Length)
                {
                    throw new GuestAgentProtocolException(
                        $"The guest agent's reply to '{command}' says {reply.Count} bytes but carries {reply.BufB64.Length}."
                    );
                }

                return new GuestFileReadResult(reply.BufB64, reply.Eof);
            },
            cancellationToken
        );
    }

    /// <summary><c>guest-file-write</c>: writes <paramref name="data"/> at the current position.</summary>
    /// <returns>How many bytes the guest wrote.</returns>
    /// <exception cref="ArgumentException"><paramref name="data"/> is longer than <see cref="MaxFileWriteBytes"/>.</exception>
    public Task<int> WriteFileAsync(
        long handle,
        ReadOnlyMemory<byte> data,
        CancellationToken cancellationToken = default
    )
    {
        if (data.Length > MaxFileWriteBytes)
        {
            throw new ArgumentException(
                $"data is {data.Length} bytes; one guest-file-write carries at most {MaxFileWriteBytes}.",
                nameof(data)
            );
        }

        const string command = "guest-file-write";
        var encoded = GuestAgentWire.EncodeCommand(
            command,
            new FileWriteArguments(handle, data),
            GuestAgentJsonContext.Default.FileWriteArguments
        );
        return CallAsync(
            command,
            encoded,
            value => GuestAgentWire.Deserialize(value, GuestAgentJsonContext.Default.FileWriteReply, command).Count,
            cancellationToken
        );
    }

    /// <summary><c>guest-file-close</c>: closes a handle from <see cref="OpenFileAsync"/>.</summary>
    public Task CloseFileAsync(long handle, CancellationToken cancellationToken = default)
    {
        const string command = "guest-file-close";
        var encoded = GuestAgentWire.EncodeCommand(
            command,
            new HandleArguments(handle),
            GuestAgentJsonContext.Default.HandleArguments
        );
        return CallAsync(command, encoded, _ => true, cancellationToken);
    }
}
