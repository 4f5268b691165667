namespace NomadQemu.JobFiles.Hcl;

/// <summary>
/// Splits HCL native syntax into tokens, one at a time, on demand. Strings and heredocs are not lexed here:
/// the lexer stops at the opening quote or heredoc header and the parser reads the template body itself,
/// because a template can contain whole expressions (<c>${ ... }</c>) that need the parser.
/// </summary>
internal sealed class Lexer
{
    private readonly SourceFile _source;
    private readonly string _text;

    public Lexer(SourceFile source)
    {
        _source = source;
        _text = source.Text;
        Limit = _text.Length;
    }

    /// <summary>Offset of the next unread character.</summary>
    public int Position { get; set; }

    /// <summary>Offset where input ends for now (narrowed while reading a heredoc body).</summary>
    public int Limit { get; set; }

    public Token Next()
    {
        SkipSpaceAndComments();
        var start = Position;
        if (Position >= Limit)
        {
            return new Token(TokenKind.EndOfFile, start, start, "");
        }
        var c = _text[Position];
        if (c == '\n' || (c == '\r' && Peek(1) == '\n'))
        {
            Position += c == '\r' ? 2 : 1;
            return new Token(TokenKind.Newline, start, Position, "\n");
        }
        if (IsIdentifierStart(c))
        {
            while (Position < Limit && IsIdentifierPart(_text[Position]))
            {
                Position++;
            }
            return Make(TokenKind.Identifier, start);
        }
        if (char.IsAsciiDigit(c))
        {
            return LexNumber(start);
        }
        if (c == '"')
        {
            Position++;
            return Make(TokenKind.OpenQuote, start);
        }
        if (c == '<' && Peek(1) == '<')
        {
            return LexHeredocStart(start);
        }
        return LexPunctuation(start, c);
    }

    public static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';

    public static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '-';

    private char Peek(int ahead) => Position + ahead < Limit ? _text[Position + ahead] : '\0';

    private Token Make(TokenKind kind, int start) => new(kind, start, Position, _text[start..Position]);

    private void SkipSpaceAndComments()
    {
        while (Position < Limit)
        {
            var c = _text[Position];
            if (c == ' ' || c == '\t' || (c == '\r' && Peek(1) != '\n'))
            {
                Position++;
            }
            else if (c == '#' || (c == '/' && Peek(1) == '/'))
            {
                // A line comment ends before its newline: the newline still separates body items.
                while (Position < Limit && _text[Position] != '\n' && !(_text[Position] == '\r' && Peek(1) == '\n'))
                {
                    Position++;
                }
            }
            else if (c == '/' && Peek(1) == '*')
            {
                var end = _text.IndexOf("*/", Position + 2, Limit - Position - 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw _source.Error(Position, "unterminated /* comment: expected */ before end of file");
                }
                Position = end + 2;
            }
            else
            {
                return;
            }
        }
    }

    private Token LexNumber(int start)
    {
        SkipDigits();
        if (Peek(0) == '.' && char.IsAsciiDigit(Peek(1)))
        {
            Position++;
            SkipDigits();
        }
        else if (Peek(0) == '.' && Peek(1) != '.' && !IsIdentifierStart(Peek(1)))
        {
            // "1." is a number missing its fraction; "1.x" or "1..." are left to the parser to reject.
            Position++;
            throw _source.Error(
                start,
                $"invalid number \"{NumberText.Shorten(_text[start..Position])}\": expected digits after the decimal point"
            );
        }
        if (Peek(0) is 'e' or 'E')
        {
            Position++;
            if (Peek(0) is '+' or '-')
            {
                Position++;
            }
            if (!char.IsAsciiDigit(Peek(0)))
            {
                SkipWordTail();
                throw _source.Error(
                    start,
                    $"invalid number \"{NumberText.Shorten(_text[start..Position])}\": the exponent has no digits"
                );
            }
            SkipDigits();
        }
        if (IsIdentifierStart(Peek(0)) || char.IsAsciiDigit(Peek(0)))
        {
            SkipWordTail();
            throw _source.Error(start, $"invalid number \"{NumberText.Shorten(_text[start..Position])}\"");
        }
        if (Position - start > HclLimits.MaxNumberLength)
        {
            throw _source.Error(
                start,
                $"number {NumberText.Shorten(_text[start..Position])} is longer than the limit of {HclLimits.MaxNumberLength} characters"
            );
        }
        return Make(TokenKind.Number, start);
    }

    private void SkipDigits()
    {
        while (char.IsAsciiDigit(Peek(0)))
        {
            Position++;
        }
    }

    private void SkipWordTail()
    {
        while (Position < Limit && (IsIdentifierPart(_text[Position]) || _text[Position] is '.' or '+'))
        {
            Position++;
        }
    }

    private Token LexHeredocStart(int start)
    {
        Position += 2;
        var flush = false;
        if (Peek(0) == '-')
        {
            flush = true;
            Position++;
        }
        var markerStart = Position;
        while (Position < Limit && IsIdentifierPart(_text[Position]))
        {
            Position++;
        }
        if (Position == markerStart || !IsIdentifierStart(_text[markerStart]))
        {
            throw _source.Error(start, "invalid heredoc: expected <<MARKER or <<-MARKER followed by a newline");
        }
        var marker = _text[markerStart..Position];
        if (Peek(0) == '\r' && Peek(1) == '\n')
        {
            Position += 2;
        }
        else if (Peek(0) == '\n')
        {
            Position++;
        }
        else
        {
            throw _source.Error(
                Position,
                $"invalid heredoc: the line must end right after <<{(flush ? "-" : "")}{marker}"
            );
        }
        return new Token(TokenKind.HeredocStart, start, Position, _text[start..Position], marker, flush);
    }

    private Token LexPunctuation(int start, char c)
    {
        (TokenKind Kind, int Length)? two = (c, Peek(1)) switch
        {
            ('=', '=') => (TokenKind.Equal, 2),
            ('!', '=') => (TokenKind.NotEqual, 2),
            ('<', '=') => (TokenKind.LessEqual, 2),
            ('>', '=') => (TokenKind.GreaterEqual, 2),
            ('&', '&') => (TokenKind.And, 2),
            ('|', '|') => (TokenKind.Or, 2),
            ('=', '>') => (TokenKind.FatArrow, 2),
            ('.', '.') when Peek(2) == '.' => (TokenKind.Ellipsis, 3),
            _ => null,
        };
        if (two is { } found)
        {
            Position += found.Length;
            return Make(found.Kind, start);
        }
        TokenKind? kind = c switch
        {
            '{' => TokenKind.LeftBrace,
            '}' => TokenKind.RightBrace,
            '[' => TokenKind.LeftBracket,
            ']' => TokenKind.RightBracket,
            '(' => TokenKind.LeftParen,
            ')' => TokenKind.RightParen,
            ',' => TokenKind.Comma,
            '.' => TokenKind.Dot,
            ':' => TokenKind.Colon,
            '?' => TokenKind.Question,
            '=' => TokenKind.Assign,
            '<' => TokenKind.Less,
            '>' => TokenKind.Greater,
            '+' => TokenKind.Plus,
            '-' => TokenKind.Minus,
            '*' => TokenKind.Star,
            '/' => TokenKind.Slash,
            '%' => TokenKind.Percent,
            '!' => TokenKind.Bang,
            '~' => TokenKind.Tilde,
            _ => null,
        };
        if (kind is { } single)
        {
            Position++;
            return Make(single, start);
        }
        var hint = c switch
        {
            '\'' => ": strings use double quotes",
            '&' => ": did you mean &&?",
            '|' => ": did you mean ||?",
            _ => "",
        };
        var shown = char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString();
        throw _source.Error(start, $"unexpected character '{shown}'{hint}");
    }
}
