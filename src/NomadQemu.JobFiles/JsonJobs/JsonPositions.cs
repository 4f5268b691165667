using System.Text;
using System.Text.Json;
using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles;

/// <summary>
/// Where each value of a JSON document starts, by JSON-pointer-like path ("/Job/TaskGroups/0"). JsonDocument
/// keeps no positions, so one extra pass with Utf8JsonReader records them for error messages.
/// </summary>
internal sealed class JsonPositions
{
    private readonly byte[] _utf8;
    private readonly string _fileName;
    private readonly Dictionary<string, long> _offsets = new(StringComparer.Ordinal);

    private JsonPositions(byte[] utf8, string fileName)
    {
        _utf8 = utf8;
        _fileName = fileName;
    }

    public static JsonPositions Build(byte[] utf8, string fileName, JsonReaderOptions options)
    {
        var positions = new JsonPositions(utf8, fileName);
        var reader = new Utf8JsonReader(utf8, options);
        var stack = new Stack<Frame>();
        string? property = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = reader.GetString();
                    continue;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    stack.Pop();
                    continue;
            }
            var path = stack.Count == 0 ? "" : stack.Peek().ChildPath(property);
            positions._offsets[path] = reader.TokenStartIndex;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                stack.Push(new Frame(path, reader.TokenType == JsonTokenType.StartArray));
            }
        }
        return positions;
    }

    /// <summary>The 1-based line and column (in characters) where the value at <paramref name="path"/> starts.</summary>
    public HclPosition Of(string path)
    {
        if (!_offsets.TryGetValue(path, out var offset))
        {
            return new HclPosition(_fileName, 0, 0);
        }
        int line = 1,
            column = 1;
        for (var i = 0; i < offset; i++)
        {
            if (_utf8[i] == '\n')
            {
                line++;
                column = 1;
            }
            else if ((_utf8[i] & 0xC0) != 0x80)
            {
                column++; // count characters, not UTF-8 continuation bytes
            }
        }
        return new HclPosition(_fileName, line, column);
    }

    public string? LineText(int line)
    {
        var text = Encoding.UTF8.GetString(_utf8).Split('\n');
        return line >= 1 && line <= text.Length ? text[line - 1].TrimEnd('\r') : null;
    }

    private sealed class Frame(string path, bool isArray)
    {
        private int _nextIndex;

        public string ChildPath(string? property) => isArray ? $"{path}/{_nextIndex++}" : $"{path}/{property}";
    }
}
