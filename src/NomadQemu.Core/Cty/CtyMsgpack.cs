using System.Buffers;

namespace NomadQemu.Core.Cty;

/// <summary>
/// cty's msgpack encoding as Nomad uses it for <c>msgpack_config</c> / <c>msgpack_driver_config</c>
/// (go-cty <c>cty/msgpack</c>; Nomad encodes with the schema's implied type, <c>helper/pluginutils/hclutils</c>).
/// </summary>
public static class CtyMsgpack
{
    /// <summary>
    /// Decodes config bytes. Empty input means "no config" and yields <see cref="CtyValue.Null"/>.
    /// </summary>
    /// <exception cref="Config.ConfigException">The bytes are not valid msgpack or exceed <see cref="CtyLimits"/>.</exception>
    public static CtyValue Decode(ReadOnlyMemory<byte> bytes) => CtyMsgpackDecoder.Decode(bytes);

    /// <inheritdoc cref="Decode(ReadOnlyMemory{byte})"/>
    public static CtyValue Decode(ReadOnlySpan<byte> bytes) => CtyMsgpackDecoder.Decode(bytes.ToArray());

    /// <summary>Encodes a value exactly as go-cty would marshal a value of that shape.</summary>
    public static byte[] Encode(CtyValue value)
    {
        ArrayBufferWriter<byte> buffer = new();
        CtyMsgpackEncoder.Encode(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }
}
