using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NomadQemu.Qmp;

/// <summary>Encodes commands and decodes server messages. Pure functions: no I/O, no state.</summary>
internal static class QmpWire
{
    /// <summary>Encodes <c>{"execute": command, "arguments": {...}, "id": id}</c> followed by a newline.</summary>
    public static byte[] EncodeCommand(string command, JsonObject? arguments, long id)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("execute", command);
            if (arguments is not null)
            {
                writer.WritePropertyName("arguments");
                arguments.WriteTo(writer);
            }

            writer.WriteNumber("id", id);
            writer.WriteEndObject();
        }

        // Utf8JsonWriter escapes control characters in strings, so the only newline is this terminator.
        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Classifies one message. Everything returned is cloned, so <paramref name="document"/> can be disposed.</summary>
    /// <exception cref="QmpProtocolException">The message has none of the known shapes, or a known shape is malformed.</exception>
    public static QmpInboundMessage Decode(JsonDocument document)
    {
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new QmpProtocolException($"QMP message is a JSON {root.ValueKind}, expected an object.");
        }

        if (root.TryGetProperty("QMP", out var greeting))
        {
            return new QmpGreetingMessage(DecodeGreeting(greeting));
        }

        if (root.TryGetProperty("event", out var eventName))
        {
            return new QmpEventMessage(DecodeEvent(root, eventName));
        }

        JsonElement? id = root.TryGetProperty("id", out var idElement) ? idElement.Clone() : null;
        if (root.TryGetProperty("return", out var result))
        {
            return new QmpReplyMessage(id, result.Clone(), null);
        }

        if (root.TryGetProperty("error", out var error))
        {
            var replyError = new QmpReplyError(
                RequireString(error, "class", "error reply"),
                RequireString(error, "desc", "error reply")
            );
            return new QmpReplyMessage(id, default, replyError);
        }

        throw new QmpProtocolException(
            $"QMP message has none of 'QMP', 'event', 'return' or 'error': {Truncate(root.GetRawText())}"
        );
    }

    private static QmpGreeting DecodeGreeting(JsonElement greeting)
    {
        const string where = "greeting";
        if (greeting.ValueKind != JsonValueKind.Object)
        {
            throw new QmpProtocolException($"QMP {where}: 'QMP' is a {greeting.ValueKind}, expected an object.");
        }

        var version = RequireObject(greeting, "version", where);
        var qmpVersion = DecodeVersion(version, "greeting.version");

        var capabilities = new List<string>();
        if (greeting.TryGetProperty("capabilities", out var caps))
        {
            if (caps.ValueKind != JsonValueKind.Array)
            {
                throw new QmpProtocolException(
                    $"QMP {where}: 'capabilities' is a {caps.ValueKind}, expected an array."
                );
            }

            foreach (var capability in caps.EnumerateArray())
            {
                if (capability.ValueKind == JsonValueKind.String)
                {
                    capabilities.Add(capability.GetString()!);
                }
            }
        }

        return new QmpGreeting(qmpVersion, capabilities);
    }

    /// <summary>Decodes <c>{"qemu": {"major","minor","micro"}, "package"}</c>, as in the greeting and query-version.</summary>
    public static QmpVersion DecodeVersion(JsonElement version, string where)
    {
        if (version.ValueKind != JsonValueKind.Object)
        {
            throw new QmpProtocolException($"QMP {where} is a {version.ValueKind}, expected an object.");
        }

        var qemu = RequireObject(version, "qemu", where);
        var qemuWhere = where + ".qemu";
        var package =
            version.TryGetProperty("package", out var p) && p.ValueKind == JsonValueKind.String
                ? p.GetString()!.Trim()
                : string.Empty;
        return new QmpVersion(
            RequireInt32(qemu, "major", qemuWhere),
            RequireInt32(qemu, "minor", qemuWhere),
            RequireInt32(qemu, "micro", qemuWhere),
            package
        );
    }

    private static QmpEvent DecodeEvent(JsonElement root, JsonElement eventName)
    {
        if (eventName.ValueKind != JsonValueKind.String)
        {
            throw new QmpProtocolException($"QMP event: 'event' is a {eventName.ValueKind}, expected a string.");
        }

        var name = eventName.GetString()!;
        JsonElement? data = root.TryGetProperty("data", out var d) ? d.Clone() : null;
        return new QmpEvent(name, data, DecodeTimestamp(root));
    }

    // QEMU stamps events with {"seconds": s, "microseconds": us} since the Unix epoch. A missing or odd
    // timestamp is not worth dropping the event (or the connection) for: fall back to the receive time.
    private static DateTimeOffset DecodeTimestamp(JsonElement root)
    {
        if (
            root.TryGetProperty("timestamp", out var ts)
            && ts.ValueKind == JsonValueKind.Object
            && ts.TryGetProperty("seconds", out var s)
            && s.TryGetInt64(out var seconds)
            && ts.TryGetProperty("microseconds", out var us)
            && us.TryGetInt64(out var micros)
            && seconds >= 0
            && seconds < 253_402_300_800L
            && micros is >= 0 and < 1_000_000
        )
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(micros * TimeSpan.TicksPerMicrosecond);
        }

        return DateTimeOffset.UtcNow;
    }

    public static JsonElement RequireObject(JsonElement parent, string name, string where) =>
        Require(parent, name, where, JsonValueKind.Object);

    public static string RequireString(JsonElement parent, string name, string where) =>
        Require(parent, name, where, JsonValueKind.String).GetString()!;

    public static bool RequireBoolean(JsonElement parent, string name, string where)
    {
        if (
            parent.ValueKind == JsonValueKind.Object
            && parent.TryGetProperty(name, out var value)
            && value.ValueKind is JsonValueKind.True or JsonValueKind.False
        )
        {
            return value.GetBoolean();
        }

        throw Missing(parent, name, where, "a boolean");
    }

    public static int RequireInt32(JsonElement parent, string name, string where)
    {
        if (
            parent.ValueKind == JsonValueKind.Object
            && parent.TryGetProperty(name, out var value)
            && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt32(out var number)
        )
        {
            return number;
        }

        throw Missing(parent, name, where, "a 32-bit integer");
    }

    private static JsonElement Require(JsonElement parent, string name, string where, JsonValueKind kind)
    {
        if (
            parent.ValueKind == JsonValueKind.Object
            && parent.TryGetProperty(name, out var value)
            && value.ValueKind == kind
        )
        {
            return value;
        }

        throw Missing(
            parent,
            name,
            where,
            kind == JsonValueKind.Object ? "an object" : $"a {kind.ToString().ToLowerInvariant()}"
        );
    }

    private static QmpProtocolException Missing(JsonElement parent, string name, string where, string expected)
    {
        var found =
            parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var v)
                ? $"it is a {v.ValueKind}"
                : "it is missing";
        return new QmpProtocolException(
            $"QMP {where}: '{name}' should be {expected} but {found} in {Truncate(parent.GetRawText())}."
        );
    }

    private static string Truncate(string text) =>
        text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "...");
}
