using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace NomadQemu.Qmp.Framing;

/// <summary>
/// Parses one line of a JSON-lines protocol into a document, refusing what a well-behaved QEMU never sends
/// with a message that quotes the start of the line.
/// </summary>
internal static class JsonLines
{
    private const int MaxSnippetChars = 120;

    /// <summary>
    /// Returns the line's JSON value (copied: the line's buffer may be reused), or null for a blank line.
    /// </summary>
    /// <param name="line">One line, without its "\n".</param>
    /// <param name="messageNoun">How messages read in errors, e.g. "QMP message".</param>
    /// <param name="peerNoun">How the sender reads in errors, e.g. "QMP peer".</param>
    /// <param name="protocolError">Makes the exception to throw from a message and an optional cause.</param>
    public static JsonDocument? Parse(
        ReadOnlySpan<byte> line,
        string messageNoun,
        string peerNoun,
        Func<string, Exception?, Exception> protocolError
    )
    {
        if (line.Trim(" \t\r"u8).IsEmpty)
        {
            return null; // a blank line, e.g. a stray "\r\n"
        }

        // Utf8JsonReader does not reject every invalid UTF-8 sequence inside strings; decoding them later throws
        // InvalidOperationException far from here, so refuse the message up front.
        if (!Utf8.IsValid(line))
        {
            throw protocolError($"{messageNoun} is not valid UTF-8: '{Snippet(line)}'.", null);
        }

        // AllowMultipleValues lets us report "two values on one line" clearly instead of as malformed JSON.
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { AllowMultipleValues = true });
        try
        {
            reader.Read();

            // ParseValue copies what it needs, so the buffer can be reused afterwards.
            var document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                document.Dispose();
                throw protocolError(
                    $"{messageNoun} has data after its JSON value at byte {reader.TokenStartIndex}: '{Snippet(line)}'.",
                    null
                );
            }

            return document;
        }
        catch (JsonException ex)
        {
            throw protocolError(
                $"Malformed JSON from {peerNoun} (line {line.Length} bytes, at byte {ex.BytePositionInLine}): '{Snippet(line)}'.",
                ex
            );
        }
    }

    /// <summary>The start of <paramref name="line"/> as text, for error messages.</summary>
    public static string Snippet(ReadOnlySpan<byte> line)
    {
        var text = Encoding.UTF8.GetString(line[..Math.Min(line.Length, MaxSnippetChars * 4)]).TrimEnd('\r');
        return text.Length <= MaxSnippetChars ? text : string.Concat(text.AsSpan(0, MaxSnippetChars), "...");
    }
}
