using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles.Tests.Jobs;

internal static class JobTestHelpers
{
    public static string CorpusPath(string name) => Path.Combine(AppContext.BaseDirectory, "Corpus", name);

    public static IEnumerable<string> CorpusFiles() =>
        Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Corpus")).Order(StringComparer.Ordinal);

    /// <summary>Parses job text with no process environment leaking in.</summary>
    public static JobSpec Parse(
        string text,
        IReadOnlyDictionary<string, string>? vars = null,
        Dictionary<string, string>? environment = null
    ) =>
        JobFileLoader.Parse(
            text,
            "job.hcl",
            AppContext.BaseDirectory,
            vars,
            name => environment?.GetValueOrDefault(name)
        );

    public static HclException ParseError(string text, IReadOnlyDictionary<string, string>? vars = null) =>
        Assert.Throws<HclException>(() => Parse(text, vars));

    public static TaskSpec SingleTask(JobSpec job) => Assert.Single(Assert.Single(job.Groups).Tasks);

    public static string Wrap(string taskBody) =>
        $"job \"j\" {{\n  group \"g\" {{\n    task \"t\" {{\n{taskBody}\n    }}\n  }}\n}}\n";
}
