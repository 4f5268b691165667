using System.Text;
using MessagePack;
using NomadQemu.Core.Config;

namespace NomadQemu.Core.Cty;

/// <summary>
/// Reads cty-msgpack into <see cref="CtyValue"/> with depth, element and string-size limits. Every failure,
/// including the MessagePack library's own exceptions, surfaces as a <see cref="ConfigException"/>.
/// </summary>
internal sealed class CtyMsgpackDecoder
{
    private static readonly UTF8Encoding s_strictUtf8 = new(
        encoderShouldEmitUTF8Identifier: false,
        throwOnInvalidBytes: true
    );

    private int _elements;

    public static CtyValue Decode(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return CtyValue.Null;
        }

        try
        {
            MessagePackReader reader = new(bytes);
            var value = new CtyMsgpackDecoder().ReadValue(ref reader, depth: 0);
            if (!reader.End)
            {
                throw Invalid($"{bytes.Length - reader.Consumed} trailing bytes after the config value");
            }

            return value;
        }
        catch (Exception ex)
            when (ex
                    is EndOfStreamException
                        or MessagePackSerializationException
                        or OverflowException
                        or DecoderFallbackException
                        or InvalidOperationException
                        or ArgumentException
            )
        {
            throw new ConfigException(null, $"config is not valid msgpack: {ex.Message}", ex);
        }
    }

    private static ConfigException Invalid(string detail) => new(null, $"config is not valid msgpack: {detail}");

    private CtyValue ReadValue(ref MessagePackReader reader, int depth)
    {
        if (++_elements > CtyLimits.MaxElements)
        {
            throw new ConfigException(null, $"config is too large: more than {CtyLimits.MaxElements} values");
        }

        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return CtyValue.Null;
            case MessagePackType.Boolean:
                return reader.ReadBoolean() ? CtyBool.True : CtyBool.False;
            case MessagePackType.Integer:
                return reader.NextCode == MessagePackCode.UInt64
                    ? CtyNumber.FromBigInteger(reader.ReadUInt64())
                    : CtyNumber.FromInt64(reader.ReadInt64());
            case MessagePackType.Float:
                return ReadFloat(ref reader);
            case MessagePackType.String:
                return new CtyString(ReadString(ref reader));
            case MessagePackType.Array:
                return ReadArray(ref reader, depth);
            case MessagePackType.Map:
                return ReadMap(ref reader, depth);
            case MessagePackType.Binary:
                throw Invalid("unexpected binary value outside a dynamic-type wrapper");
            case MessagePackType.Extension:
                // cty marks unknown values with an extension; Nomad only encodes known values.
                var type = reader.ReadExtensionFormatHeader().TypeCode;
                throw new ConfigException(
                    null,
                    $"config contains an unknown (not yet computed) value (msgpack extension type {type})"
                );
            default:
                throw Invalid($"unsupported msgpack code 0x{reader.NextCode:x2}");
        }
    }

    private static CtyNumber ReadFloat(ref MessagePackReader reader)
    {
        var value = reader.ReadDouble();
        if (!double.IsFinite(value))
        {
            throw new ConfigException(null, $"config contains a number that is not finite ({value})");
        }

        return CtyNumber.FromDouble(value);
    }

    private static string ReadString(ref MessagePackReader reader)
    {
        // Read the slice first (no allocation) so an oversized string is refused before it is materialised.
        var bytes = reader.ReadStringSequence() ?? default;
        if (bytes.Length > CtyLimits.MaxStringBytes)
        {
            throw new ConfigException(
                null,
                $"config contains a string of {bytes.Length} bytes; the limit is {CtyLimits.MaxStringBytes}"
            );
        }

        return s_strictUtf8.GetString(bytes);
    }

    private CtyValue ReadArray(ref MessagePackReader reader, int depth)
    {
        var count = ReadCollectionHeader(ref reader, depth, isMap: false);
        if (count == 2 && reader.NextMessagePackType == MessagePackType.Binary)
        {
            // cty's wrapper for values whose declared type is "dynamic": [bin(JSON type), value].
            // The value carries its own shape, so the type JSON is only bounds-checked and skipped.
            var typeJson = reader.ReadBytes() ?? default;
            if (typeJson.Length > CtyLimits.MaxStringBytes)
            {
                throw Invalid("oversized dynamic type descriptor");
            }

            return ReadValue(ref reader, depth + 1);
        }

        List<CtyValue> items = new(Math.Min(count, 64));
        for (var i = 0; i < count; i++)
        {
            items.Add(ReadValue(ref reader, depth + 1));
        }

        return new CtyList(items);
    }

    private CtyMap ReadMap(ref MessagePackReader reader, int depth)
    {
        var count = ReadCollectionHeader(ref reader, depth, isMap: true);
        List<KeyValuePair<string, CtyValue>> entries = new(Math.Min(count, 64));
        HashSet<string> seen = new(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                throw Invalid($"map key is {reader.NextMessagePackType}, expected a string");
            }

            _elements++;
            var key = ReadString(ref reader);
            if (!seen.Add(key))
            {
                throw Invalid($"duplicate map key \"{key}\"");
            }

            entries.Add(new(key, ReadValue(ref reader, depth + 1)));
        }

        return new CtyMap(entries);
    }

    private static int ReadCollectionHeader(ref MessagePackReader reader, int depth, bool isMap)
    {
        if (depth >= CtyLimits.MaxDepth)
        {
            throw new ConfigException(null, $"config is nested more than {CtyLimits.MaxDepth} levels deep");
        }

        var count = isMap ? reader.ReadMapHeader() : reader.ReadArrayHeader();

        // Each element takes at least one byte; a larger count is a truncated or forged header.
        var minimumBytes = isMap ? 2L * count : count;
        if (count < 0 || minimumBytes > reader.Sequence.Length - reader.Consumed)
        {
            throw Invalid($"{(isMap ? "map" : "array")} header announces {count} elements but the input ends first");
        }

        return count;
    }
}
