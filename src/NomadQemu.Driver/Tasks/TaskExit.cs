namespace NomadQemu.Driver.Tasks;

/// <summary>How a VM ended, as Nomad's ExitResult wants it. Signals use the shell convention exit code 128+n.</summary>
public sealed record TaskExit(int ExitCode, int Signal, bool OomKilled, string? Error)
{
    public bool Successful => ExitCode == 0 && Signal == 0 && Error is null;

    public static TaskExit Unknown(string why) => new(-1, 0, false, why);
}
