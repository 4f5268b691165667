using MessagePack;

namespace NomadQemu.Micro;

/// <summary>
/// The floor for config decoding: one pass of MessagePack's own reader over the bytes, materialising every
/// string (as the real decoder must) but building no values, checking no schema and applying no defaults.
/// </summary>
public static class RawMsgpackWalk
{
    /// <summary>Returns the number of values visited, so the work cannot be optimised away.</summary>
    public static int Walk(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        return Value(ref reader);
    }

    private static int Value(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                var pairs = reader.ReadMapHeader();
                var mapCount = 1;
                for (var i = 0; i < pairs; i++)
                {
                    mapCount += Value(ref reader) + Value(ref reader);
                }
                return mapCount;
            case MessagePackType.Array:
                var items = reader.ReadArrayHeader();
                var arrayCount = 1;
                for (var i = 0; i < items; i++)
                {
                    arrayCount += Value(ref reader);
                }
                return arrayCount;
            case MessagePackType.String:
                return reader.ReadString() is null ? 0 : 1;
            case MessagePackType.Integer:
                reader.ReadInt64();
                return 1;
            case MessagePackType.Boolean:
                reader.ReadBoolean();
                return 1;
            case MessagePackType.Float:
                reader.ReadDouble();
                return 1;
            default:
                reader.Skip();
                return 1;
        }
    }
}
