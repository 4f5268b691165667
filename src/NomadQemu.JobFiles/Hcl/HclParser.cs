namespace NomadQemu.JobFiles.Hcl;

/// <summary>Entry points for parsing HCL2 native syntax. Every failure is an <see cref="HclException"/>.</summary>
public static class HclParser
{
    /// <summary>Parses a whole file's text into its top-level body.</summary>
    /// <param name="fileName">The name errors report (usually the path as the user gave it).</param>
    public static HclBody Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Parser(new SourceFile(fileName, text)).ParseFile();
    }

    /// <summary>Parses a single expression, e.g. a <c>-var</c> value of a non-string variable.</summary>
    public static HclExpression ParseExpression(string text, string fileName = "<expression>")
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Parser(new SourceFile(fileName, text)).ParseStandaloneExpression();
    }
}
