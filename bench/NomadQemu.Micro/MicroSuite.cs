using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace NomadQemu.Micro;

/// <summary>One benchmark's outcome, in nanoseconds per call.</summary>
public sealed record MicroResult(
    string Name,
    bool IsBaseline,
    double MedianNs,
    double MinNs,
    double MaxNs,
    double P95Ns,
    int Iterations,
    long AllocatedBytes
);

/// <summary>
/// Runs <see cref="CoreBenchmarks"/> in this process (the emit toolchain: no per-benchmark project build, which
/// would cost minutes on this machine) and returns the figures the suite reports.
/// </summary>
public static class MicroSuite
{
    /// <param name="quick">A single cold invocation each: proves the benchmarks run, measures nothing.</param>
    public static IReadOnlyList<MicroResult> Run(bool quick, string artifactsDir, TextWriter log)
    {
        var job = quick
            ? Job.Dry
            : Job
                .Default.WithWarmupCount(5)
                .WithIterationCount(15)
                .WithIterationTime(TimeInterval.FromMilliseconds(250));
        var config = ManualConfig
            .CreateEmpty()
            .AddJob(job.WithToolchain(InProcessEmitToolchain.Instance))
            .AddColumnProvider(DefaultConfig.Instance.GetColumnProviders().ToArray())
            .AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default)
            .AddLogger(new TextLogger(log))
            .WithArtifactsPath(artifactsDir);
        if (quick)
        {
            // The smoke test runs from a Debug build; real figures only come from scripts/bench.sh (Release).
            config = config.WithOptions(ConfigOptions.DisableOptimizationsValidator);
        }
        var summary = BenchmarkRunner.Run<CoreBenchmarks>(config);
        var results = new List<MicroResult>();
        foreach (var report in summary.Reports)
        {
            var stats = report.ResultStatistics;
            if (stats is null)
            {
                throw new InvalidOperationException(
                    $"benchmark {report.BenchmarkCase.DisplayInfo} produced no measurements; see the log above"
                );
            }
            results.Add(
                new MicroResult(
                    report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''),
                    report.BenchmarkCase.Descriptor.Baseline,
                    stats.Median,
                    stats.Min,
                    stats.Max,
                    stats.Percentiles.P95,
                    stats.N,
                    report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? -1
                )
            );
        }
        return results;
    }
}
