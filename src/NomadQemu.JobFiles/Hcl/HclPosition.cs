namespace NomadQemu.JobFiles.Hcl;

/// <summary>A place in a source file: 1-based line and column (columns count UTF-16 characters).</summary>
/// <remarks>Line 0 means "somewhere in this file" for errors that have no better place (e.g. a bad -var).</remarks>
public sealed record HclPosition(string File, int Line, int Column)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}
