using System.Text;

namespace NomadQemu.JobFiles.Hcl;

/// <summary>
/// Any problem reading a job file: syntax, evaluation or job structure. Always names the file, line and column,
/// so a user can jump straight to the mistake.
/// </summary>
public sealed class HclException : Exception
{
    /// <summary>Longest detail kept: messages quote values, and a hostile value can be megabytes long.</summary>
    private const int MaxDetailLength = 1000;

    /// <summary>Characters of the source line shown on each side of the column by <see cref="Format"/>.</summary>
    private const int SourceWindow = 100;

    public HclException(HclPosition position, string detail, string? sourceLine = null)
        : base($"{position}: {Shorten(detail)}")
    {
        Position = position;
        Detail = Shorten(detail);
        SourceLine = sourceLine;
    }

    public HclPosition Position { get; }

    public string FileName => Position.File;

    /// <summary>1-based line, or 0 when the error is about the file as a whole.</summary>
    public int Line => Position.Line;

    /// <summary>1-based column.</summary>
    public int Column => Position.Column;

    /// <summary>The message without the position prefix.</summary>
    public string Detail { get; }

    /// <summary>The offending source line, when known, for <see cref="Format"/>.</summary>
    public string? SourceLine { get; }

    /// <summary>
    /// Renders <c>file:line:col: message</c>, then the source line and a caret under the column. A long line
    /// (minified JSON, a generated expression) is shown as a window around the column.
    /// </summary>
    public string Format()
    {
        var text = new StringBuilder(Message);
        if (SourceLine is not null && Line > 0)
        {
            var column = Math.Clamp(Column - 1, 0, SourceLine.Length);
            var from = Math.Max(0, column - SourceWindow);
            var to = Math.Min(SourceLine.Length, column + SourceWindow);
            var prefix = from > 0 ? "..." : "";
            text.Append('\n').Append(prefix).Append(SourceLine, from, to - from);
            text.Append(to < SourceLine.Length ? "...\n" : "\n").Append(' ', prefix.Length);
            // Copy tabs from the source so the caret lines up however the terminal expands them.
            for (var i = from; i < column; i++)
            {
                text.Append(SourceLine[i] == '\t' ? '\t' : ' ');
            }
            text.Append('^');
        }
        return text.ToString();
    }

    private static string Shorten(string detail) =>
        detail.Length <= MaxDetailLength
            ? detail
            : $"{detail[..(MaxDetailLength - 100)]}... ({detail.Length - MaxDetailLength + 100} more characters)... {detail[^80..]}";
}
