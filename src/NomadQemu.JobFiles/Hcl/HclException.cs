using System.Text;

namespace NomadQemu.JobFiles.Hcl;

/// <summary>
/// Any problem reading a job file: syntax, evaluation or job structure. Always names the file, line and column,
/// so a user can jump straight to the mistake.
/// </summary>
public sealed class HclException : Exception
{
    public HclException(HclPosition position, string detail, string? sourceLine = null)
        : base($"{position}: {detail}")
    {
        Position = position;
        Detail = detail;
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

    /// <summary>Renders <c>file:line:col: message</c>, then the source line and a caret under the column.</summary>
    public string Format()
    {
        var text = new StringBuilder(Message);
        if (SourceLine is not null && Line > 0)
        {
            text.Append('\n').Append(SourceLine).Append('\n');
            // Copy tabs from the source so the caret lines up however the terminal expands them.
            for (var i = 0; i < Column - 1; i++)
            {
                text.Append(i < SourceLine.Length && SourceLine[i] == '\t' ? '\t' : ' ');
            }
            text.Append('^');
        }
        return text.ToString();
    }
}
