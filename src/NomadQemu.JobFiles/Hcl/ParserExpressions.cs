namespace NomadQemu.JobFiles.Hcl;

/// <summary>Expressions: operators by precedence, then primaries and their traversals.</summary>
internal sealed partial class Parser
{
    /// <summary>Binary operators from loosest to tightest binding, as HCL defines them.</summary>
    private static readonly TokenKind[][] s_precedenceLevels =
    [
        [TokenKind.Or],
        [TokenKind.And],
        [TokenKind.Equal, TokenKind.NotEqual],
        [TokenKind.Less, TokenKind.LessEqual, TokenKind.Greater, TokenKind.GreaterEqual],
        [TokenKind.Plus, TokenKind.Minus],
        [TokenKind.Star, TokenKind.Slash, TokenKind.Percent],
    ];

    private HclExpression ParseExpression()
    {
        var first = Peek();
        Enter(first.Start);
        var condition = ParseBinary(0);
        if (Peek().Kind == TokenKind.Question)
        {
            Take();
            var whenTrue = ParseExpression();
            Expect(TokenKind.Colon, "':' in the conditional expression");
            var whenFalse = ParseExpression();
            condition = new ConditionalExpression(
                _source,
                condition.Start,
                whenFalse.End,
                condition,
                whenTrue,
                whenFalse
            );
        }
        Exit();
        return condition;
    }

    private HclExpression ParseBinary(int level)
    {
        if (level == s_precedenceLevels.Length)
        {
            return ParseUnary();
        }
        var left = ParseBinary(level + 1);
        while (s_precedenceLevels[level].Contains(Peek().Kind))
        {
            var op = Take();
            var right = ParseBinary(level + 1);
            left = new BinaryExpression(_source, left.Start, right.End, op.Kind, left, right);
        }
        return left;
    }

    private HclExpression ParseUnary()
    {
        var token = Peek();
        if (token.Kind is not (TokenKind.Minus or TokenKind.Bang))
        {
            return ParsePostfix(ParsePrimary());
        }
        Take();
        Enter(token.Start);
        var operand = ParseUnary();
        Exit();
        return new UnaryExpression(_source, token.Start, operand.End, token.Kind, operand);
    }

    private HclExpression ParsePrimary()
    {
        var token = Peek();
        switch (token.Kind)
        {
            case TokenKind.Number:
                Take();
                return NumberText.TryParse(token.Text, out var number)
                    ? new LiteralExpression(_source, token.Start, token.End, new HclNumber(number))
                    : throw Error(token, $"number {token.Text} is too large (numbers must fit in ±7.9e28)");
            case TokenKind.Identifier:
                return ParseIdentifierExpression(Take());
            case TokenKind.OpenQuote:
                return ParseQuotedTemplate(Take());
            case TokenKind.HeredocStart:
                return ParseHeredoc(Take());
            case TokenKind.LeftBracket:
                return ParseTuple(Take());
            case TokenKind.LeftBrace:
                return ParseObject(Take());
            case TokenKind.LeftParen:
                Take();
                _newlinesIgnored.Push(true);
                var inner = ParseExpression();
                Expect(TokenKind.RightParen, "')' to close the parenthesis");
                _newlinesIgnored.Pop();
                return inner;
            default:
                throw Error(token, $"expected an expression, found {token.Describe()}");
        }
    }

    private HclExpression ParseIdentifierExpression(Token name)
    {
        switch (name.Text)
        {
            case "true":
                return new LiteralExpression(_source, name.Start, name.End, HclValue.True);
            case "false":
                return new LiteralExpression(_source, name.Start, name.End, HclValue.False);
            case "null":
                return new LiteralExpression(_source, name.Start, name.End, HclValue.Null);
        }
        if (Peek().Kind != TokenKind.LeftParen)
        {
            return new TraversalExpression(_source, name.Start, name.End, null, name.Text, []);
        }
        Take();
        _newlinesIgnored.Push(true);
        var arguments = new List<HclExpression>();
        var expandLast = false;
        while (Peek().Kind != TokenKind.RightParen)
        {
            arguments.Add(ParseExpression());
            if (Peek().Kind == TokenKind.Ellipsis)
            {
                Take();
                expandLast = true;
                break;
            }
            if (Peek().Kind != TokenKind.Comma)
            {
                break;
            }
            Take();
        }
        var close = Expect(TokenKind.RightParen, $"',' or ')' in the call to {name.Text}()");
        _newlinesIgnored.Pop();
        return new FunctionCallExpression(_source, name.Start, close.End, name.Text, arguments, expandLast);
    }

    /// <summary>Attribute access and indexing after a primary: <c>.name</c>, <c>[expr]</c>, legacy <c>.0</c>.</summary>
    private HclExpression ParsePostfix(HclExpression subject)
    {
        var steps = new List<TraversalStep>();
        var end = subject.End;
        while (true)
        {
            var token = Peek();
            if (token.Kind == TokenKind.Dot)
            {
                Take();
                var name = Take();
                if (name.Kind == TokenKind.Star)
                {
                    throw Error(name, "splat expressions (.*) are not supported");
                }
                steps.Add(
                    name.Kind switch
                    {
                        TokenKind.Identifier => new AttributeStep(token.Start, name.Text),
                        TokenKind.Number when NumberText.TryParse(name.Text, out var index) => new IndexStep(
                            token.Start,
                            new LiteralExpression(_source, name.Start, name.End, new HclNumber(index))
                        ),
                        _ => throw Error(name, $"expected an attribute name after '.', found {name.Describe()}"),
                    }
                );
                end = name.End;
            }
            else if (token.Kind == TokenKind.LeftBracket)
            {
                Take();
                _newlinesIgnored.Push(true);
                if (Peek().Kind == TokenKind.Star)
                {
                    throw Error(Peek(), "splat expressions ([*]) are not supported");
                }
                var key = ParseExpression();
                end = Expect(TokenKind.RightBracket, "']' to close the index").End;
                _newlinesIgnored.Pop();
                steps.Add(new IndexStep(token.Start, key));
            }
            else
            {
                break;
            }
        }
        if (steps.Count == 0)
        {
            return subject;
        }
        return subject is TraversalExpression { RootName: { } root, Steps.Count: 0 }
            ? new TraversalExpression(_source, subject.Start, end, null, root, steps)
            : new TraversalExpression(_source, subject.Start, end, subject, null, steps);
    }

    private TupleExpression ParseTuple(Token open)
    {
        _newlinesIgnored.Push(true);
        Enter(open.Start);
        if (Peek() is { Kind: TokenKind.Identifier, Text: "for" } forToken)
        {
            throw Error(forToken, "for expressions ([for ...]) are not supported");
        }
        var items = new List<HclExpression>();
        while (Peek().Kind != TokenKind.RightBracket)
        {
            items.Add(ParseExpression());
            if (Peek().Kind != TokenKind.Comma)
            {
                break;
            }
            Take();
        }
        var close = Expect(TokenKind.RightBracket, "',' or ']' in the list");
        Exit();
        _newlinesIgnored.Pop();
        return new TupleExpression(_source, open.Start, close.End, items);
    }

    private ObjectExpression ParseObject(Token open)
    {
        _newlinesIgnored.Push(false);
        Enter(open.Start);
        var items = new List<(HclExpression, HclExpression)>();
        while (true)
        {
            var token = Peek();
            if (token.Kind == TokenKind.Newline)
            {
                Take();
                continue;
            }
            if (token.Kind == TokenKind.RightBrace)
            {
                break;
            }
            if (token.Kind == TokenKind.EndOfFile)
            {
                throw Error(
                    token,
                    $"unclosed object opened at {_source.PositionOf(open.Start)}: expected '}}' before end of file"
                );
            }
            var key =
                token.Kind == TokenKind.Identifier
                    ? new LiteralExpression(_source, token.Start, Take().End, new HclString(token.Text))
                    : ParseExpression();
            var separator = Peek();
            if (
                token is { Kind: TokenKind.Identifier, Text: "for" }
                && items.Count == 0
                && separator.Kind is not (TokenKind.Assign or TokenKind.Colon)
            )
            {
                throw Error(token, "for expressions ({for ...}) are not supported");
            }
            if (separator.Kind is not (TokenKind.Assign or TokenKind.Colon))
            {
                throw Error(separator, $"expected '=' or ':' after the object key, found {separator.Describe()}");
            }
            Take();
            items.Add((key, ParseExpression()));
            var after = Peek();
            if (after.Kind is TokenKind.Comma or TokenKind.Newline)
            {
                Take();
            }
            else if (after.Kind != TokenKind.RightBrace)
            {
                throw Error(after, $"expected ',', a newline or '}}' after the object item, found {after.Describe()}");
            }
        }
        var close = Take();
        Exit();
        _newlinesIgnored.Pop();
        return new ObjectExpression(_source, open.Start, close.End, items);
    }
}
