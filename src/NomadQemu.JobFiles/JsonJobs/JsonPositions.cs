using System.Text;
using System.Text.Json;
using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles;

/// <summary>
/// Where each value of a JSON document starts, found by JSON-pointer-like path ("/Job/TaskGroups/0"). JsonDocument
/// keeps no positions, so one extra pass with Utf8JsonReader records them for error messages.
/// </summary>
/// <remarks>
/// Built in one linear pass and stored as a tree of small nodes, not as a map from path text: paths repeat
/// their ancestors' keys, so a document with long keys would make path text quadratic, and computing
/// line:column per lookup would make a job with many tasks quadratic in time. A task's free-form
/// <c>Config</c> is recorded as one value (errors inside it point at it), so its contents cost nothing here.
/// </remarks>
internal sealed class JsonPositions
{
    private readonly byte[] _utf8;
    private readonly string _fileName;
    private readonly Dictionary<(int Parent, string? Name, int Index), int> _children = [];
    private readonly List<(int Line, int Column)> _starts = [];

    private JsonPositions(byte[] utf8, string fileName)
    {
        _utf8 = utf8;
        _fileName = fileName;
    }

    public static JsonPositions Build(byte[] utf8, string fileName, JsonReaderOptions options)
    {
        var positions = new JsonPositions(utf8, fileName);
        var reader = new Utf8JsonReader(utf8, options);
        var open = new Stack<Container>();
        var skipped = 0; // depth inside a Config value, which is not recorded
        string? property = null;
        var cursor = new LineCursor(utf8);
        while (reader.Read())
        {
            var isStart = reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray;
            if (skipped > 0)
            {
                skipped +=
                    isStart ? 1
                    : reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray ? -1
                    : 0;
                continue;
            }
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = reader.GetString();
                    continue;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    open.Pop();
                    continue;
            }
            var id = positions._starts.Count;
            positions._starts.Add(cursor.MoveTo(reader.TokenStartIndex));
            if (open.Count > 0)
            {
                var parent = open.Peek();
                var key = parent.IsArray ? (parent.Id, null, parent.NextIndex++) : (parent.Id, property, -1);
                positions._children[key] = id;
            }
            if (isStart && open.Count > 0 && !open.Peek().IsArray && IsConfig(property))
            {
                skipped = 1;
            }
            else if (isStart)
            {
                open.Push(new Container(id, reader.TokenType == JsonTokenType.StartArray));
            }
        }
        return positions;
    }

    /// <summary>
    /// The 1-based line and column (in characters) where the value at <paramref name="path"/> starts; for a
    /// path not recorded, where its nearest recorded ancestor starts.
    /// </summary>
    public HclPosition Of(string path)
    {
        if (_starts.Count == 0)
        {
            return new HclPosition(_fileName, 0, 0);
        }
        var id = 0;
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (
                int.TryParse(segment, System.Globalization.CultureInfo.InvariantCulture, out var index)
                && _children.TryGetValue((id, null, index), out var item)
            )
            {
                id = item;
            }
            else if (_children.TryGetValue((id, segment, -1), out var child))
            {
                id = child;
            }
            else
            {
                break;
            }
        }
        var (line, column) = _starts[id];
        return new HclPosition(_fileName, line, column);
    }

    public string? LineText(int line)
    {
        var text = Encoding.UTF8.GetString(_utf8).Split('\n');
        return line >= 1 && line <= text.Length ? text[line - 1].TrimEnd('\r') : null;
    }

    private static bool IsConfig(string? property) =>
        string.Equals(property, "Config", StringComparison.OrdinalIgnoreCase);

    private sealed class Container(int id, bool isArray)
    {
        public int Id { get; } = id;

        public bool IsArray { get; } = isArray;

        public int NextIndex { get; set; }
    }

    /// <summary>Turns byte offsets, visited in increasing order, into line:column in one pass over the bytes.</summary>
    private sealed class LineCursor(byte[] utf8)
    {
        private long _offset;
        private int _line = 1;
        private int _column = 1;

        public (int Line, int Column) MoveTo(long offset)
        {
            for (; _offset < offset; _offset++)
            {
                if (utf8[_offset] == '\n')
                {
                    _line++;
                    _column = 1;
                }
                else if ((utf8[_offset] & 0xC0) != 0x80)
                {
                    _column++; // count characters, not UTF-8 continuation bytes
                }
            }
            return (_line, _column);
        }
    }
}
