namespace NomadQemu.JobFiles.Hcl;

internal enum TokenKind
{
    EndOfFile,
    Newline,
    Identifier,
    Number,
    OpenQuote,
    HeredocStart,
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    LeftParen,
    RightParen,
    Comma,
    Dot,
    Colon,
    Question,
    Assign,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    And,
    Or,
    Bang,
    Tilde,
    FatArrow,
    Ellipsis,
}

/// <summary>One lexical token: its kind, where it sits in the source, and its text.</summary>
/// <param name="HeredocMarker">For <see cref="TokenKind.HeredocStart"/>: the closing marker word.</param>
/// <param name="HeredocFlush">For <see cref="TokenKind.HeredocStart"/>: true for <c>&lt;&lt;-</c> (strip indentation).</param>
internal readonly record struct Token(
    TokenKind Kind,
    int Start,
    int End,
    string Text,
    string? HeredocMarker = null,
    bool HeredocFlush = false
)
{
    /// <summary>How the token reads in an error message.</summary>
    public string Describe() =>
        Kind switch
        {
            TokenKind.EndOfFile => "end of file",
            TokenKind.Newline => "newline",
            TokenKind.Identifier => $"identifier \"{Text}\"",
            TokenKind.Number => $"number {Text}",
            TokenKind.OpenQuote => "string",
            TokenKind.HeredocStart => "heredoc",
            _ => $"'{Text}'",
        };
}
