using System.Globalization;
using NomadQemu.TestKit;

namespace NomadQemu.Bench.Tests;

/// <summary>
/// The whole suite in quick mode: every item must still run end to end and report a figure against a baseline.
/// The figures themselves are not checked (quick counts measure nothing); that they exist and are sane is.
/// </summary>
public sealed class BenchSuiteSmokeTests
{
    [Fact(Timeout = 15 * 60 * 1000)]
    public async Task QuickSuite_EveryItemRuns_EveryRowHasOursAndBaseline()
    {
        var repoRoot = TestEnvironment.RepoRoot;
        var outDir = Path.Combine(Path.GetTempPath(), "nq-bench-smoke-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var options = BenchOptions.Parse(
                ["--quick", "--out", outDir, "--binary", TestEnvironment.Binary, "--guest", TestEnvironment.GuestDir],
                repoRoot
            );
            var log = new StringWriter();

            var outcome = await BenchSuite.RunAsync(
                options,
                TextWriter.Synchronized(log),
                TestContext.Current.CancellationToken
            );

            Assert.True(outcome.Failures.Count == 0, string.Join("\n", outcome.Failures) + "\nlog:\n" + log);
            var numbers = outcome
                .Report.Sections.Select(s => int.Parse(s.Number, CultureInfo.InvariantCulture))
                .ToList();
            Assert.Equal(numbers.Order().Distinct(), numbers);
            Assert.Superset(new HashSet<int> { 1, 2, 3, 4, 5, 6, 7, 8, 10 }, numbers.ToHashSet());
            Assert.All(
                outcome.Report.Sections,
                section =>
                {
                    Assert.Null(section.SkippedBecause);
                    Assert.NotEmpty(section.Rows);
                    Assert.All(
                        section.Rows,
                        row =>
                        {
                            Assert.True(
                                row.Ours.Count > 0 && row.Baseline.Count > 0,
                                $"{section.Number}: {row.Metric} lacks a side"
                            );
                            Assert.True(
                                double.IsFinite(row.Ours.Median) && row.Ours.Median >= 0,
                                $"{section.Number}: {row.Metric} ours = {row.Ours.Median}"
                            );
                            Assert.True(
                                double.IsFinite(row.Baseline.Median) && row.Baseline.Median >= 0,
                                $"{section.Number}: {row.Metric} baseline = {row.Baseline.Median}"
                            );
                        }
                    );
                }
            );
            Assert.False(string.IsNullOrWhiteSpace(outcome.Report.Machine.Commit));
            Assert.StartsWith("QEMU emulator version", outcome.Report.Machine.QemuVersion, StringComparison.Ordinal);
            var markdown = await File.ReadAllTextAsync(outcome.MarkdownPath, TestContext.Current.CancellationToken);
            Assert.Contains("### 8. Micro", markdown, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.ChangeExtension(outcome.MarkdownPath, ".json")));
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    [Fact]
    public void Parse_UnknownArgument_NamesIt()
    {
        var error = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--fast"], "/nonexistent"));
        Assert.Contains("--fast", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OnlyOutOfRange_NamesTheValue()
    {
        var error = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--only", "2,14"], "/nonexistent"));
        Assert.Contains("\"14\"", error.Message, StringComparison.Ordinal);
    }
}
