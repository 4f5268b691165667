using BenchmarkDotNet.Attributes;
using NomadQemu.JobFiles;

namespace NomadQemu.Micro;

/// <summary>
/// Per-call cost of reading a job file (parse, evaluate, decode to a JobSpec) on the largest corpus inputs,
/// plus a 1,000-term operator chain (the shape that crashed at 30,000 terms). Before/after figures come from
/// running this class against two trees in the same session (BENCHMARKS.md, "Job-file parse"):
/// <c>dotnet run -c Release --project bench/NomadQemu.Micro -- --filter '*JobFileBenchmarks*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class JobFileBenchmarks
{
    private string _mixed = "";
    private string _locals = "";
    private string _json = "";
    private string _chain = "";

    [GlobalSetup]
    public void Setup()
    {
        var corpus = FindCorpus();
        _mixed = File.ReadAllText(Path.Combine(corpus, "mixed-docker-qemu.nomad.hcl"));
        _locals = File.ReadAllText(Path.Combine(corpus, "variables-locals.nomad.hcl"));
        _json = File.ReadAllText(Path.Combine(corpus, "qemu-docs-style.json"));
        var sum = string.Join(" + ", Enumerable.Repeat("1", 1_000));
        _chain =
            $"job \"j\" {{\n group \"g\" {{\n  task \"t\" {{\n   driver = \"qemu\"\n   config {{\n    n = {sum}\n   }}\n  }}\n }}\n}}\n";
    }

    [Benchmark(Baseline = true, Description = "HCL: mixed-docker-qemu (2.0 KB, largest HCL)")]
    public JobSpec MixedHcl() => Load(_mixed);

    [Benchmark(Description = "HCL: variables-locals (1.4 KB, variables + locals)")]
    public JobSpec LocalsHcl() => Load(_locals);

    [Benchmark(Description = "JSON: qemu-docs-style (1.6 KB, largest JSON)")]
    public JobSpec Json() => Load(_json);

    [Benchmark(Description = "HCL: 1,000-term sum in a config value")]
    public JobSpec Chain() => Load(_chain);

    private static JobSpec Load(string text) =>
        JobFileLoader.Parse(text, "bench.hcl", Path.GetTempPath(), environment: _ => null);

    /// <summary>The corpus next to the repository root, found upward from the build output.</summary>
    private static string FindCorpus()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "NomadQemu.JobFiles.Tests", "Corpus");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException(
            "tests/NomadQemu.JobFiles.Tests/Corpus not found above " + AppContext.BaseDirectory
        );
    }
}
