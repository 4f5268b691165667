namespace NomadQemu.JobFiles.Hcl;

/// <summary>Expressions: operators by precedence, then primaries and their traversals.</summary>
internal sealed partial class Parser
{
    private HclExpression ParseExpression()
    {
        var first = Peek();
        Enter(first.Start);
        var condition = ParseBinary();
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

    /// <summary>
    /// Binary operators by precedence climbing in one loop: a stack holds the chains still open, at most one
    /// per precedence level, so the stack (and the tree) is at most six deep however long the expression is.
    /// A chain closes when a looser operator or the end arrives. Only real nesting (parentheses, brackets,
    /// calls) recurses and counts against <see cref="HclLimits.MaxNestingDepth"/>.
    /// </summary>
    private HclExpression ParseBinary()
    {
        var open = new Stack<OpenChain>();
        var operand = ParseUnary();
        while (Precedence(Peek().Kind) is var level and >= 0)
        {
            var op = Take();
            while (open.Count > 0 && open.Peek().Level > level)
            {
                operand = open.Pop().Close(_source, operand);
            }
            if (open.Count > 0 && open.Peek().Level == level)
            {
                open.Peek().Add(operand, op.Kind);
            }
            else
            {
                open.Push(new OpenChain(level, operand, op.Kind));
            }
            operand = ParseUnary();
        }
        while (open.Count > 0)
        {
            operand = open.Pop().Close(_source, operand);
        }
        return operand;
    }

    /// <summary>HCL's binary operator precedence, 0 binding loosest; -1 for a token that is not one.</summary>
    private static int Precedence(TokenKind kind) =>
        kind switch
        {
            TokenKind.Or => 0,
            TokenKind.And => 1,
            TokenKind.Equal or TokenKind.NotEqual => 2,
            TokenKind.Less or TokenKind.LessEqual or TokenKind.Greater or TokenKind.GreaterEqual => 3,
            TokenKind.Plus or TokenKind.Minus => 4,
            TokenKind.Star or TokenKind.Slash or TokenKind.Percent => 5,
            _ => -1,
        };

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
                    : throw Error(
                        token,
                        $"number {NumberText.Shorten(token.Text)} is too large (numbers must fit in ±7.9e28)"
                    );
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
            CheckItemCount(arguments.Count + 1, Peek(), "argument list");
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
        // Nesting is counted by the item expressions (ParseExpression), once per level.
        _newlinesIgnored.Push(true);
        if (Peek() is { Kind: TokenKind.Identifier, Text: "for" } forToken)
        {
            throw Error(forToken, "for expressions ([for ...]) are not supported");
        }
        var items = new List<HclExpression>();
        while (Peek().Kind != TokenKind.RightBracket)
        {
            CheckItemCount(items.Count + 1, Peek(), "list");
            items.Add(ParseExpression());
            if (Peek().Kind != TokenKind.Comma)
            {
                break;
            }
            Take();
        }
        var close = Expect(TokenKind.RightBracket, "',' or ']' in the list");
        _newlinesIgnored.Pop();
        return new TupleExpression(_source, open.Start, close.End, items);
    }

    private ObjectExpression ParseObject(Token open)
    {
        _newlinesIgnored.Push(false);
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
            CheckItemCount(items.Count + 1, token, "object");
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
        _newlinesIgnored.Pop();
        return new ObjectExpression(_source, open.Start, close.End, items);
    }

    /// <summary>A chain of one precedence level whose last operand has not been read yet.</summary>
    private sealed class OpenChain(int level, HclExpression first, TokenKind op)
    {
        private readonly List<HclExpression> _operands = [first];
        private readonly List<TokenKind> _operators = [op];

        public int Level { get; } = level;

        public void Add(HclExpression operand, TokenKind next)
        {
            _operands.Add(operand);
            _operators.Add(next);
        }

        public OperatorChainExpression Close(SourceFile source, HclExpression last)
        {
            _operands.Add(last);
            return new OperatorChainExpression(source, _operands, _operators);
        }
    }
}
