namespace NomadQemu.JobFiles.Hcl;

/// <summary>The text of one parsed file plus a line index, so any character offset maps to line:column.</summary>
internal sealed class SourceFile
{
    private readonly int[] _lineStarts;

    public SourceFile(string name, string text)
    {
        Name = name;
        Text = text;
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }
        _lineStarts = starts.ToArray();
    }

    public string Name { get; }

    public string Text { get; }

    public HclPosition PositionOf(int offset)
    {
        offset = Math.Clamp(offset, 0, Text.Length);
        var line = Array.BinarySearch(_lineStarts, offset);
        if (line < 0)
        {
            line = ~line - 1;
        }
        return new HclPosition(Name, line + 1, offset - _lineStarts[line] + 1);
    }

    /// <summary>The text of a 1-based line without its line terminator, or null when out of range.</summary>
    public string? LineText(int line)
    {
        if (line < 1 || line > _lineStarts.Length)
        {
            return null;
        }
        var start = _lineStarts[line - 1];
        var end = line < _lineStarts.Length ? _lineStarts[line] - 1 : Text.Length;
        if (end > start && Text[end - 1] == '\r')
        {
            end--;
        }
        return Text[start..Math.Max(start, end)];
    }

    public HclException Error(int offset, string message)
    {
        var position = PositionOf(offset);
        return new HclException(position, message, LineText(position.Line));
    }
}
