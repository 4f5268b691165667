using System.Text;
using NomadQemu.Core.Cty;

namespace NomadQemu.Core.Config.Schema;

/// <summary>
/// Evaluates the literal HCL expressions our schemas use as defaults: quoted strings, numbers, <c>true</c>,
/// <c>false</c>, <c>null</c>, <c>[..]</c> lists and <c>{ k = v }</c> maps. No functions, variables or templates:
/// the schema is ours, so anything else is a programming error.
/// </summary>
internal sealed class HclLiteral
{
    private readonly string _text;
    private int _pos;

    private HclLiteral(string text) => _text = text;

    /// <exception cref="ArgumentException">The text is not a supported literal.</exception>
    public static CtyValue Parse(string text)
    {
        HclLiteral parser = new(text);
        var value = parser.ParseValue();
        parser.SkipSpace();
        return parser._pos == text.Length ? value : throw parser.Error("trailing text");
    }

    private CtyValue ParseValue()
    {
        SkipSpace();
        if (_pos >= _text.Length)
        {
            throw Error("unexpected end");
        }

        var c = _text[_pos];
        if (c == '"')
        {
            return new CtyString(ParseString());
        }

        if (c == '[')
        {
            return ParseList();
        }

        if (c == '{')
        {
            return ParseMap();
        }

        var word = ReadWord();
        return word switch
        {
            "true" => CtyBool.True,
            "false" => CtyBool.False,
            "null" => CtyValue.Null,
            _ when CtyNumber.TryParse(word, out var number) => number,
            _ => throw Error($"unsupported token \"{word}\""),
        };
    }

    private string ParseString()
    {
        StringBuilder sb = new();
        _pos++; // opening quote
        while (_pos < _text.Length)
        {
            var c = _text[_pos++];
            if (c == '"')
            {
                return sb.ToString();
            }

            if (c == '\\' && _pos < _text.Length)
            {
                var escaped = _text[_pos++];
                sb.Append(
                    escaped switch
                    {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        _ => escaped, // \" and \\
                    }
                );
            }
            else
            {
                sb.Append(c);
            }
        }

        throw Error("unterminated string");
    }

    private CtyList ParseList()
    {
        List<CtyValue> items = [];
        _pos++;
        while (true)
        {
            SkipSpace();
            if (Peek() == ']')
            {
                _pos++;
                return new CtyList(items);
            }

            items.Add(ParseValue());
            SkipSpace();
            if (Peek() == ',')
            {
                _pos++;
            }
        }
    }

    private CtyMap ParseMap()
    {
        List<KeyValuePair<string, CtyValue>> entries = [];
        _pos++;
        while (true)
        {
            SkipSpace();
            if (Peek() == '}')
            {
                _pos++;
                return new CtyMap(entries);
            }

            var key = Peek() == '"' ? ParseString() : ReadWord();
            SkipSpace();
            if (Peek() is not ('=' or ':'))
            {
                throw Error("expected '=' after a map key");
            }

            _pos++;
            entries.Add(KeyValuePair.Create(key, ParseValue()));
            SkipSpace();
            if (Peek() == ',')
            {
                _pos++;
            }
        }
    }

    private string ReadWord()
    {
        var start = _pos;
        while (
            _pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '-' or '.' or '+')
        )
        {
            _pos++;
        }

        return start == _pos ? throw Error("unexpected character") : _text[start.._pos];
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : throw Error("unexpected end");

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    private ArgumentException Error(string what) => new($"invalid HCL literal {_text}: {what} at offset {_pos}");
}
