using System.Text;

namespace NomadQemu.Runner;

/// <summary>
/// The terminal, shared by every task's console and the runner's own messages. Console output from
/// several VMs is interleaved line by line, each line prefixed with its task name, and the runner's own
/// lines never land in the middle of a guest's line.
/// </summary>
internal sealed class ConsoleSink
{
    private readonly Lock _gate = new();
    private readonly TextWriter _out;
    private string? _openLineOwner;

    public ConsoleSink(TextWriter output)
    {
        _out = output;
    }

    public static ConsoleSink Stdout { get; } = new(Console.Out);

    /// <summary>A whole line from the runner itself.</summary>
    public void Line(string text)
    {
        lock (_gate)
        {
            EndOpenLine();
            _out.WriteLine(text);
            _out.Flush();
        }
    }

    /// <summary>Part of a guest's console output; <paramref name="prefix"/> starts each of its lines.</summary>
    public void Write(string owner, string prefix, string text, ref bool atLineStart)
    {
        lock (_gate)
        {
            if (_openLineOwner is not null && _openLineOwner != owner)
            {
                // Another stream left a line open (a prompt without newline): finish it so prefixes stay aligned.
                EndOpenLine();
                atLineStart = true;
            }
            var builder = new StringBuilder(text.Length + prefix.Length);
            foreach (var c in text)
            {
                if (c == '\r')
                {
                    continue;
                }
                if (atLineStart)
                {
                    builder.Append(prefix);
                    atLineStart = false;
                }
                builder.Append(c);
                if (c == '\n')
                {
                    atLineStart = true;
                }
            }
            _out.Write(builder.ToString());
            _out.Flush();
            _openLineOwner = atLineStart ? null : owner;
        }
    }

    private void EndOpenLine()
    {
        if (_openLineOwner is not null)
        {
            _out.WriteLine();
            _openLineOwner = null;
        }
    }
}
