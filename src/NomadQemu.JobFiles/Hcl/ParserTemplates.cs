using System.Globalization;
using System.Text;

namespace NomadQemu.JobFiles.Hcl;

/// <summary>Templates: quoted strings with escapes, heredocs, and <c>${ }</c> interpolation inside both.</summary>
internal sealed partial class Parser
{
    private string Text => _source.Text;

    /// <summary>Reads a quoted string whose opening quote was just taken.</summary>
    private TemplateExpression ParseQuotedTemplate(Token quote)
    {
        var builder = new TemplateBuilder();
        var p = _lexer.Position;
        while (true)
        {
            if (
                p >= _lexer.Limit
                || Text[p] == '\n'
                || (Text[p] == '\r' && p + 1 < _lexer.Limit && Text[p + 1] == '\n')
            )
            {
                throw Error(quote, "unterminated string: expected a closing '\"' before the end of the line");
            }
            var c = Text[p];
            if (c == '"')
            {
                p++;
                break;
            }
            if (c == '\\')
            {
                p = ReadEscape(p, builder, quote);
                continue;
            }
            p = ReadTemplateChar(p, builder);
        }
        _lexer.Position = p;
        return new TemplateExpression(_source, quote.Start, p, builder.Finish());
    }

    /// <summary>Handles one character (or <c>$${</c>, <c>%%{</c>, <c>${ }</c>, <c>%{</c>) common to both template forms.</summary>
    private int ReadTemplateChar(int p, TemplateBuilder builder)
    {
        var c = Text[p];
        var next = At(p + 1);
        if ((c == '$' || c == '%') && next == c && At(p + 2) == '{')
        {
            builder.Literal.Append(c).Append('{');
            return p + 3;
        }
        if (c == '$' && next == '{')
        {
            return ParseInterpolation(p, builder);
        }
        if (c == '%' && next == '{')
        {
            throw _source.Error(
                p,
                "template directives (%{ if }, %{ for }) are not supported; write %%{ for a literal %{"
            );
        }
        builder.Literal.Append(c);
        return p + 1;
    }

    private char At(int p) => p < _lexer.Limit ? Text[p] : '\0';

    private int ParseInterpolation(int p, TemplateBuilder builder)
    {
        var open = p;
        p += 2;
        if (At(p) == '~')
        {
            builder.TrimLiteralEnd();
            p++;
        }
        _lexer.Position = p;
        _peeked = null;
        _newlinesIgnored.Push(true);
        if (Peek().Kind == TokenKind.RightBrace)
        {
            throw Error(Peek(), "empty interpolation: expected an expression inside ${ }");
        }
        var expression = ParseExpression();
        var trimAfter = false;
        if (Peek().Kind == TokenKind.Tilde)
        {
            Take();
            trimAfter = true;
        }
        var close = Peek();
        if (close.Kind != TokenKind.RightBrace)
        {
            throw Error(
                close,
                $"expected '}}' to close the interpolation opened at {_source.PositionOf(open)}, found {close.Describe()}"
            );
        }
        Take();
        _newlinesIgnored.Pop();
        builder.AddExpression(expression, trimAfter);
        return _lexer.Position;
    }

    private int ReadEscape(int p, TemplateBuilder builder, Token quote)
    {
        if (p + 1 >= _lexer.Limit)
        {
            throw Error(quote, "unterminated string: expected a closing '\"'");
        }
        var kind = Text[p + 1];
        switch (kind)
        {
            case 'n':
                builder.Literal.Append('\n');
                return p + 2;
            case 'r':
                builder.Literal.Append('\r');
                return p + 2;
            case 't':
                builder.Literal.Append('\t');
                return p + 2;
            case '"':
                builder.Literal.Append('"');
                return p + 2;
            case '\\':
                builder.Literal.Append('\\');
                return p + 2;
            case 'u' or 'U':
                var digits = kind == 'u' ? 4 : 8;
                var hex = p + 2 + digits <= _lexer.Limit ? Text.Substring(p + 2, digits) : "";
                if (
                    hex.Length != digits
                    || !int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                    || code < 0
                    || code > 0x10FFFF
                    || (code >= 0xD800 && code <= 0xDFFF)
                )
                {
                    throw _source.Error(
                        p,
                        $"invalid escape sequence: \\{kind} needs {digits} hex digits naming a Unicode character"
                    );
                }
                builder.Literal.Append(char.ConvertFromUtf32(code));
                return p + 2 + digits;
            default:
                var shown = char.IsControl(kind) ? $"U+{(int)kind:X4}" : kind.ToString();
                throw _source.Error(
                    p,
                    $"invalid escape sequence \"\\{shown}\": use \\n, \\r, \\t, \\\", \\\\, \\uNNNN or \\UNNNNNNNN"
                );
        }
    }

    /// <summary>Reads a heredoc whose <c>&lt;&lt;MARKER</c> line was just taken.</summary>
    private TemplateExpression ParseHeredoc(Token header)
    {
        var marker = header.HeredocMarker!;
        var bodyStart = header.End;
        var lineStart = bodyStart;
        int closeLineStart;
        int closeEnd;
        while (true)
        {
            if (lineStart >= _lexer.Limit)
            {
                throw Error(header, $"unterminated heredoc: expected a line containing only {marker} to close it");
            }
            var lineEnd = Text.IndexOf('\n', lineStart, _lexer.Limit - lineStart);
            var contentEnd = lineEnd < 0 ? _lexer.Limit : lineEnd;
            var line = Text[lineStart..contentEnd];
            if (line.Trim() == marker)
            {
                closeLineStart = lineStart;
                closeEnd = lineStart + line.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
                break;
            }
            lineStart = lineEnd < 0 ? _lexer.Limit : lineEnd + 1;
        }

        var savedLimit = _lexer.Limit;
        _lexer.Limit = closeLineStart;
        var builder = new TemplateBuilder();
        var p = bodyStart;
        while (p < closeLineStart)
        {
            p = ReadTemplateChar(p, builder);
        }
        _lexer.Limit = savedLimit;
        _lexer.Position = closeEnd;

        var parts = builder.Finish();
        if (header.HeredocFlush)
        {
            parts = StripIndentation(parts, CommonIndentation(bodyStart, closeLineStart));
        }
        return new TemplateExpression(_source, header.Start, closeEnd, parts);
    }

    /// <summary>The smallest leading-whitespace width over the non-blank lines of a heredoc body.</summary>
    private int CommonIndentation(int start, int end)
    {
        var smallest = int.MaxValue;
        foreach (var line in Text[start..end].Split('\n'))
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }
            var width = line.Length - line.TrimStart(' ', '\t').Length;
            smallest = Math.Min(smallest, width);
        }
        return smallest == int.MaxValue ? 0 : smallest;
    }

    private static List<object> StripIndentation(List<object> parts, int width)
    {
        var result = new List<object>(parts.Count);
        var atLineStart = true;
        foreach (var part in parts)
        {
            if (part is not string literal)
            {
                atLineStart = false;
                result.Add(part);
                continue;
            }
            var text = new StringBuilder();
            var i = 0;
            while (i < literal.Length)
            {
                if (atLineStart)
                {
                    for (var removed = 0; removed < width && i < literal.Length && literal[i] is ' ' or '\t'; removed++)
                    {
                        i++;
                    }
                    atLineStart = false;
                    continue;
                }
                var c = literal[i++];
                text.Append(c);
                atLineStart = c == '\n';
            }
            result.Add(text.ToString());
        }
        return result;
    }

    /// <summary>Collects template parts, merging literal text and applying <c>~</c> whitespace trimming.</summary>
    private sealed class TemplateBuilder
    {
        private readonly List<object> _parts = [];
        private bool _trimNextLiteralStart;

        public StringBuilder Literal { get; } = new();

        public void TrimLiteralEnd()
        {
            var length = Literal.Length;
            while (length > 0 && char.IsWhiteSpace(Literal[length - 1]))
            {
                length--;
            }
            Literal.Length = length;
            if (length == 0 && _parts.Count > 0 && _parts[^1] is string previous)
            {
                _parts[^1] = previous.TrimEnd();
            }
        }

        public void AddExpression(HclExpression expression, bool trimAfter)
        {
            FlushLiteral();
            _parts.Add(expression);
            _trimNextLiteralStart = trimAfter;
        }

        public List<object> Finish()
        {
            FlushLiteral();
            return _parts.Where(p => p is not "").ToList();
        }

        private void FlushLiteral()
        {
            var text = Literal.ToString();
            Literal.Clear();
            if (_trimNextLiteralStart)
            {
                text = text.TrimStart();
                _trimNextLiteralStart = false;
            }
            if (text.Length > 0)
            {
                _parts.Add(text);
            }
        }
    }
}
