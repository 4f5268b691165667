using System.Runtime.CompilerServices;

namespace NomadQemu.JobFiles.Hcl;

/// <summary>
/// Recursive-descent parser for HCL2 native syntax. This part reads bodies (attributes and blocks) and holds
/// the token stream; expressions and templates live in the other parts of this class.
/// </summary>
/// <remarks>
/// Newlines separate body items but mean nothing inside (), [] and ${}; a stack records which applies to the
/// innermost open bracket, and <see cref="Peek"/> skips newlines when they mean nothing. Tokens are read one
/// at a time so that the lexer stops exactly where a template string takes over.
/// </remarks>
internal sealed partial class Parser
{
    private readonly SourceFile _source;
    private readonly Lexer _lexer;
    private readonly Stack<bool> _newlinesIgnored = new();
    private Token? _peeked;
    private int _depth;
    private int _tokens;

    public Parser(SourceFile source)
    {
        _source = source;
        _lexer = new Lexer(source);
        _newlinesIgnored.Push(false);
    }

    public HclBody ParseFile()
    {
        var body = ParseBody(0, opener: null);
        var end = Peek();
        if (end.Kind != TokenKind.EndOfFile)
        {
            throw Error(end, $"unexpected {end.Describe()}");
        }
        return body;
    }

    public HclExpression ParseStandaloneExpression()
    {
        _newlinesIgnored.Push(true);
        var expression = ParseExpression();
        var end = Peek();
        if (end.Kind != TokenKind.EndOfFile)
        {
            throw Error(end, $"unexpected {end.Describe()} after the expression");
        }
        return expression;
    }

    private Token Peek()
    {
        while (true)
        {
            if (_peeked is null)
            {
                _peeked = _lexer.Next();
                if (++_tokens > HclLimits.MaxTokens)
                {
                    throw Error(_peeked.Value, $"the file has more than {HclLimits.MaxTokens} tokens");
                }
            }
            if (_peeked.Value.Kind == TokenKind.Newline && _newlinesIgnored.Peek())
            {
                _peeked = null;
                continue;
            }
            return _peeked.Value;
        }
    }

    private Token Take()
    {
        var token = Peek();
        _peeked = null;
        return token;
    }

    private Token Expect(TokenKind kind, string what)
    {
        var token = Peek();
        if (token.Kind != kind)
        {
            throw Error(token, $"expected {what}, found {token.Describe()}");
        }
        return Take();
    }

    private HclException Error(Token at, string message) => _source.Error(at.Start, message);

    private void Enter(int offset)
    {
        if (++_depth > HclLimits.MaxNestingDepth)
        {
            throw _source.Error(offset, $"nesting is too deep (more than {HclLimits.MaxNestingDepth} levels)");
        }
        // A backstop for threads with small stacks; the depth limit keeps the main thread far from it.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw _source.Error(offset, "nesting is too deep for this thread's stack");
        }
    }

    private void Exit() => _depth--;

    private void CheckItemCount(int count, Token at, string kind)
    {
        if (count > HclLimits.MaxCollectionItems)
        {
            throw Error(at, $"the {kind} has more than {HclLimits.MaxCollectionItems} items");
        }
    }

    /// <param name="opener">The block whose body this is, for the "unclosed block" message; null for the file.</param>
    private HclBody ParseBody(int start, HclBlockHeader? opener)
    {
        var attributes = new List<HclAttribute>();
        var blocks = new List<HclBlock>();
        var seen = new Dictionary<string, HclPosition>(StringComparer.Ordinal);
        while (true)
        {
            var token = Peek();
            switch (token.Kind)
            {
                case TokenKind.Newline:
                    Take();
                    continue;
                case TokenKind.EndOfFile when opener is null:
                    return new HclBody(_source, start, attributes, blocks);
                case TokenKind.EndOfFile:
                    throw Error(
                        token,
                        $"unclosed block \"{opener!.Type}\" opened at {_source.PositionOf(opener.BraceOffset)}: expected '}}' before end of file"
                    );
                case TokenKind.RightBrace when opener is null:
                    throw Error(token, "unexpected '}': no block is open here");
                case TokenKind.RightBrace:
                    return new HclBody(_source, start, attributes, blocks);
                case TokenKind.Identifier:
                    ParseItem(attributes, blocks, seen);
                    continue;
                default:
                    throw Error(token, $"expected an attribute name or block type, found {token.Describe()}");
            }
        }
    }

    private void ParseItem(List<HclAttribute> attributes, List<HclBlock> blocks, Dictionary<string, HclPosition> seen)
    {
        var name = Take();
        var position = _source.PositionOf(name.Start);
        if (Peek().Kind == TokenKind.Assign)
        {
            Take();
            var expression = ParseExpression();
            if (seen.TryGetValue(name.Text, out var first))
            {
                throw Error(name, $"duplicate attribute \"{name.Text}\": already set at {first}");
            }
            seen[name.Text] = position;
            attributes.Add(new HclAttribute(name.Text, expression, position));
            ExpectEndOfItem("attribute");
            return;
        }

        var labels = new List<string>();
        var labelPositions = new List<HclPosition>();
        while (Peek().Kind is TokenKind.OpenQuote or TokenKind.Identifier)
        {
            var label = Take();
            labelPositions.Add(_source.PositionOf(label.Start));
            labels.Add(label.Kind == TokenKind.Identifier ? label.Text : ParseLabelString(label));
        }
        var brace = Peek();
        if (brace.Kind != TokenKind.LeftBrace)
        {
            var expected =
                labels.Count == 0
                    ? $"expected '=' or '{{' after \"{name.Text}\""
                    : $"expected '{{' to open block \"{name.Text}\" (or '=' if \"{name.Text}\" is an attribute)";
            throw Error(brace, $"{expected}, found {brace.Describe()}");
        }
        Take();
        Enter(brace.Start);
        _newlinesIgnored.Push(false);
        var body = ParseBody(brace.Start, new HclBlockHeader(name.Text, brace.Start));
        _newlinesIgnored.Pop();
        Take(); // the closing brace, seen by ParseBody
        Exit();
        blocks.Add(new HclBlock(name.Text, labels, labelPositions, body, position, name.Start));
        ExpectEndOfItem("block");
    }

    private void ExpectEndOfItem(string what)
    {
        var next = Peek();
        switch (next.Kind)
        {
            case TokenKind.Newline:
                Take();
                break;
            case TokenKind.EndOfFile or TokenKind.RightBrace:
                break;
            default:
                throw Error(next, $"expected a newline after the {what}, found {next.Describe()}");
        }
    }

    private string ParseLabelString(Token quote)
    {
        var template = ParseQuotedTemplate(quote);
        return template.Parts switch
        {
            [] => "",
            [string text] => text,
            _ => throw Error(quote, "a block label must be a plain string, without ${...}"),
        };
    }

    private sealed record HclBlockHeader(string Type, int BraceOffset);
}
