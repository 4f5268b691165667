using NomadQemu.Bench.Measure;
using NomadQemu.Bench.Report;
using NomadQemu.Micro;

namespace NomadQemu.Bench.Items;

/// <summary>Item 8: BenchmarkDotNet figures for config decode and command-line build, per call.</summary>
public static class MicroItem
{
    public static void Run(BenchContext context, ReportSection section, TextWriter log)
    {
        var artifacts = Path.Combine(context.Options.OutDir, "micro");
        var results = MicroSuite.Run(context.Options.Quick, artifacts, log);
        var raw = results.Single(r => r.IsBaseline);
        var rawSample = ToSample(raw);
        foreach (var result in results.Where(r => !r.IsBaseline))
        {
            section.Add(
                $"{result.Name} (allocates {result.AllocatedBytes} B/call)",
                ToSample(result),
                $"{raw.Name} over the same bytes ({raw.AllocatedBytes} B/call)",
                rawSample
            );
        }
        section.Note(
            $"Input: a realistic Nomad-encoded task config ({MicroInputs.RealisticDriverConfig().Length} bytes: every schema key, fast profile, two ports, kernel boot, extra args). The command-line build is compared with the same raw walk only as a size reference."
        );
        section.Note(
            "BenchmarkDotNet 0.15.8, in-process emit toolchain, Release build; cells: median [min–max] of the iteration means (n = iterations)."
        );
    }

    private static Sample ToSample(MicroResult r) =>
        Sample.Summarised("ns", r.Iterations, r.MinNs, r.MedianNs, r.MaxNs, r.P95Ns);
}
