using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using NomadQemu.Qmp.Framing;

namespace NomadQemu.Qmp.GuestAgent;

/// <summary>Encodes guest agent commands and decodes replies. Pure functions: no I/O, no state.</summary>
/// <remarks>
/// The agent speaks QMP's JSON-lines dialect without ids or greeting: one command in, at most one reply out,
/// in order. The only framing extra is resynchronisation: a 0xFF byte (never valid in UTF-8) resets the agent's
/// parser, and <c>guest-sync-delimited</c>'s reply is preceded by a 0xFF so a client can find it in a stream
/// polluted by an earlier session.
/// </remarks>
internal static class GuestAgentWire
{
    public const byte Delimiter = 0xFF;
    public const string SyncCommand = "guest-sync-delimited";

    private const string MessageNoun = "Guest agent message";
    private const string PeerNoun = "the guest agent";

    /// <summary>Encodes <c>{"execute": command, "arguments": ...}</c> and the terminating newline.</summary>
    public static byte[] EncodeCommand<TArguments>(string command, TArguments arguments, JsonTypeInfo<TArguments> type)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("execute", command);
            writer.WritePropertyName("arguments");
            JsonSerializer.Serialize(writer, arguments, type);
            writer.WriteEndObject();
        }

        // Utf8JsonWriter escapes control characters in strings, so the only newline is this terminator.
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes a command with a caller-built arguments object, or none.</summary>
    public static byte[] EncodeCommand(string command, JsonObject? arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("execute", command);
            if (arguments is not null)
            {
                writer.WritePropertyName("arguments");
                arguments.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>0xFF (resets the agent's parser, whatever half-command it holds) followed by the sync command.</summary>
    public static byte[] EncodeSync(long id)
    {
        var command = EncodeCommand(
            SyncCommand,
            new Wire.SyncArguments(id),
            Wire.GuestAgentJsonContext.Default.SyncArguments
        );
        var bytes = new byte[command.Length + 1];
        bytes[0] = Delimiter;
        command.CopyTo(bytes, 1);
        return bytes;
    }

    /// <summary>
    /// True when <paramref name="line"/> (what followed a 0xFF) is <c>{"return": id}</c> for this id. A stray
    /// 0xFF inside the line (an agent that died mid-reply and restarted) moves the start past it. Anything
    /// unparsable is simply not the reply.
    /// </summary>
    public static bool IsSyncReply(ReadOnlySpan<byte> line, long id)
    {
        var lastDelimiter = line.LastIndexOf(Delimiter);
        if (lastDelimiter >= 0)
        {
            line = line[(lastDelimiter + 1)..];
        }

        try
        {
            using var document = JsonLines.Parse(line, MessageNoun, PeerNoun, ProtocolError);
            return document is { RootElement.ValueKind: JsonValueKind.Object } reply
                && reply.RootElement.TryGetProperty("return", out var value)
                && value.ValueKind == JsonValueKind.Number
                && value.TryGetInt64(out var returned)
                && returned == id;
        }
        catch (GuestAgentProtocolException)
        {
            return false;
        }
    }

    /// <summary>Parses one reply line; null for a blank line.</summary>
    /// <exception cref="GuestAgentProtocolException">Not valid UTF-8 JSON, or a stray 0xFF.</exception>
    public static JsonDocument? ParseLine(ReadOnlySpan<byte> line)
    {
        if (line.IndexOf(Delimiter) is var at and >= 0)
        {
            throw new GuestAgentProtocolException(
                $"The guest agent sent a 0xFF delimiter at byte {at} of a reply outside resynchronisation."
            );
        }

        return JsonLines.Parse(line, MessageNoun, PeerNoun, ProtocolError);
    }

    /// <summary>Returns the <c>return</c> value of a reply (valid while <paramref name="reply"/> lives).</summary>
    /// <exception cref="GuestAgentCommandException">The reply is an error.</exception>
    /// <exception cref="GuestAgentProtocolException">The reply has neither shape.</exception>
    public static JsonElement GetReturnValue(JsonDocument reply, string command)
    {
        var root = reply.RootElement;
        if (root.ValueKind == JsonValueKind.Object)
        {
            if (root.TryGetProperty("return", out var value))
            {
                return value;
            }

            if (
                root.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("class", out var errorClass)
                && errorClass.ValueKind == JsonValueKind.String
                && error.TryGetProperty("desc", out var description)
                && description.ValueKind == JsonValueKind.String
            )
            {
                throw new GuestAgentCommandException(command, errorClass.GetString()!, description.GetString()!);
            }
        }

        throw new GuestAgentProtocolException(
            $"The guest agent's reply to '{command}' is neither {{\"return\": ...}} nor {{\"error\": {{\"class\", \"desc\"}}}}: {Truncate(root.GetRawText())}"
        );
    }

    /// <summary>Deserialises a <c>return</c> value, reporting a mismatch as a protocol error naming the command.</summary>
    public static T Deserialize<T>(JsonElement value, JsonTypeInfo<T> type, string command)
    {
        try
        {
            return value.Deserialize(type)
                ?? throw new GuestAgentProtocolException($"The guest agent's reply to '{command}' is null.");
        }
        catch (JsonException ex)
        {
            throw new GuestAgentProtocolException(
                $"The guest agent's reply to '{command}' does not have the expected shape ({ex.Message}): {Truncate(value.GetRawText())}",
                ex
            );
        }
    }

    private static GuestAgentProtocolException ProtocolError(string message, Exception? innerException) =>
        new(message, innerException);

    private static string Truncate(string text) =>
        text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "...");
}
