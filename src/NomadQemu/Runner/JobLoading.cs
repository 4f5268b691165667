using NomadQemu.JobFiles;
using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.Runner;

/// <summary>Loads a job file for run and validate, turning every problem into a positioned, caret-marked error.</summary>
internal static class JobLoading
{
    /// <exception cref="RunnerException">The file cannot be read or is not a valid job.</exception>
    public static JobSpec Load(string jobFile, IReadOnlyDictionary<string, string> vars)
    {
        try
        {
            return JobFileLoader.Load(jobFile, vars);
        }
        catch (HclException e)
        {
            throw new RunnerException(RunnerExit.BadJob, e.Format(), e);
        }
    }

    /// <summary>Parses repeated <c>--var name=value</c> options.</summary>
    /// <exception cref="RunnerException">A value without '='.</exception>
    public static Dictionary<string, string> ParseVars(IEnumerable<string> pairs)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new RunnerException(RunnerExit.BadJob, $"--var \"{pair}\": expected name=value");
            }
            vars[pair[..equals]] = pair[(equals + 1)..];
        }
        return vars;
    }
}
