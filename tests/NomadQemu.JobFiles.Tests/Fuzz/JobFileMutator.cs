using System.Text;
using System.Text.RegularExpressions;

namespace NomadQemu.JobFiles.Tests.Fuzz;

/// <summary>
/// Grammar-aware mutations of real job files: the text is split into rough HCL/JSON tokens, and mutations
/// delete, repeat, swap or insert whole tokens (so most mutants get past the lexer and stress the parser and
/// evaluator), splice expressions from <see cref="HostileInputs"/> into attribute values, or flip characters.
/// </summary>
internal static partial class JobFileMutator
{
    /// <summary>Tokens that open or close structure, or name features with their own code paths.</summary>
    private static readonly string[] s_dictionary =
    [
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        "\"",
        "${",
        "%{",
        "$${",
        "}\"",
        "<<EOT\n",
        "<<-EOT\n",
        "\nEOT\n",
        "EOT",
        "...",
        "?",
        ":",
        "=",
        "==",
        "&&",
        "||",
        "!",
        "-",
        "~",
        ",",
        ".",
        "\n",
        "# c\n",
        "/*",
        "*/",
        "//",
        "\\u0000",
        "\\",
        "\0",
        "\uFEFF",
        "\u00e9",
        "\U0001F600",
        "1e999999999",
        "79228162514264337593543950336",
        "0.5",
        "-0",
        "null",
        "true",
        "local.x",
        "var.x",
        "local",
        "var",
        "NOMAD_TASK_DIR",
        "env[\"X\"]",
        "file(\"/dev/zero\")",
        "file(\"/\")",
        "concat([1], [2])",
        "join(\",\", [\"a\"])",
        "format(\"%d\", 1.5)",
        "length(\"e\u0301\")",
        "tonumber(\"1e5\")",
        "upper(1)",
        "nosuch()",
        "job",
        "group",
        "task",
        "locals",
        "variable",
        "dynamic",
        "config",
        "meta",
        "port",
        "network",
        "artifact",
        "resources",
    ];

    [GeneratedRegex(
        @"[A-Za-z_][A-Za-z0-9_\-]*|[0-9][0-9.eE+\-]*|""(?:[^""\\\n]|\\.)*""|<<-?[A-Za-z_]+\n|\$\{|%\{|==|!=|<=|>=|&&|\|\||\.\.\.|\s+|.",
        RegexOptions.Singleline
    )]
    private static partial Regex TokenPattern();

    public static List<string> Tokens(string text) => TokenPattern().Matches(text).Select(m => m.Value).ToList();

    /// <summary>Applies one to four random mutations to <paramref name="source"/>.</summary>
    public static string Mutate(Random random, string source, IReadOnlyList<string> corpus)
    {
        var tokens = Tokens(source);
        var rounds = random.Next(1, 5);
        for (var round = 0; round < rounds && tokens.Count > 0; round++)
        {
            var at = random.Next(tokens.Count);
            switch (random.Next(8))
            {
                case 0: // delete a run of tokens
                    tokens.RemoveRange(at, Math.Min(tokens.Count - at, random.Next(1, 8)));
                    break;
                case 1: // repeat a run of tokens, sometimes thousands of times
                    var run = tokens.GetRange(at, Math.Min(tokens.Count - at, random.Next(1, 6)));
                    var times = random.Next(3) == 0 ? random.Next(100, 5_000) : random.Next(1, 10);
                    tokens.InsertRange(at, Enumerable.Repeat(run, times).SelectMany(t => t));
                    break;
                case 2: // swap two tokens
                    var other = random.Next(tokens.Count);
                    (tokens[at], tokens[other]) = (tokens[other], tokens[at]);
                    break;
                case 3 or 4: // insert a dictionary token
                    tokens.Insert(at, s_dictionary[random.Next(s_dictionary.Length)]);
                    break;
                case 5: // replace the value after an '=' or ':' with a generated expression
                    var equals = tokens.FindIndex(at, t => t is "=" or ":");
                    if (equals >= 0 && equals + 2 < tokens.Count)
                    {
                        var expression =
                            random.Next(2) == 0
                                ? HostileInputs.Chain(random, random.Next(1, 300))
                                : HostileInputs.Nesting(random, random.Next(1, 200));
                        tokens[equals + 2] = expression;
                    }
                    break;
                case 6: // splice in tokens from another corpus file
                    var donor = Tokens(corpus[random.Next(corpus.Count)]);
                    var from = random.Next(donor.Count);
                    tokens.InsertRange(at, donor.GetRange(from, Math.Min(donor.Count - from, random.Next(1, 40))));
                    break;
                default: // flip one character of a token
                    var chars = tokens[at].ToCharArray();
                    chars[random.Next(chars.Length)] = (char)random.Next(1, 128);
                    tokens[at] = new string(chars);
                    break;
            }
        }
        return string.Concat(tokens);
    }

    /// <summary>The seed corpus: the repository's examples and this project's job-file fixtures.</summary>
    public static IReadOnlyList<string> LoadCorpus()
    {
        var roots = new[] { "Corpus", Path.Combine("FuzzSeeds", "examples") }.Select(d =>
            Path.Combine(AppContext.BaseDirectory, d)
        );
        var files = roots
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateFiles)
            .Order(StringComparer.Ordinal)
            .ToList();
        return files.Select(File.ReadAllText).ToList();
    }

    /// <summary>A short description of an input for failure messages.</summary>
    public static string Describe(string text) =>
        text.Length <= 300 ? text : $"{text[..200]} ... ({text.Length} characters) ... {text[^80..]}";

    /// <summary>Saves a failing input where a developer can replay it.</summary>
    public static string Save(string text, int seed, int index)
    {
        var path = Path.Combine(Path.GetTempPath(), $"jobfile-fuzz-{seed}-{index}.hcl");
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }
}
