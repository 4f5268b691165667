using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace NomadQemu.JobFiles.Tests.Fuzz;

/// <summary>
/// The published executable's <c>validate</c> on the worst generated job files: it must exit by itself
/// (exit code below 128: no SIGSEGV, no abort), print a file:line:col error when it refuses, and stay under
/// <see cref="MaxRssKiB"/> of peak RSS as GNU time reports it. Needs NOMAD_QEMU_BINARY (scripts/publish.sh).
/// </summary>
public sealed partial class ValidateProcessTests(ITestOutputHelper output)
{
    /// <summary>Peak RSS allowed for one validate: the evaluation budget (64 Mi chars) and an 8 MiB file, with room.</summary>
    private const long MaxRssKiB = 768 * 1024;

    public static TheoryData<string> Inputs() => new(WorstInputs().Keys);

    [Theory]
    [MemberData(nameof(Inputs))]
    public void PublishedValidate_ExitsCleanlyWithBoundedMemory(string name)
    {
        var binary = Environment.GetEnvironmentVariable("NOMAD_QEMU_BINARY");
        Assert.SkipUnless(
            binary is { Length: > 0 } && File.Exists(binary),
            "NOMAD_QEMU_BINARY does not name the published nomad-driver-qemu (export NOMAD_QEMU_BINARY=$(bash scripts/publish.sh)); the in-process fuzzer covers the parser without it"
        );
        Assert.SkipUnless(
            File.Exists("/usr/bin/time"),
            "/usr/bin/time (Debian package time, in scripts/install-deps.sh) is missing: it reports the child's peak RSS"
        );
        var directory = Directory.CreateTempSubdirectory("validate-worst-");
        try
        {
            var jobFile = Path.Combine(directory.FullName, name + ".hcl");
            File.WriteAllText(jobFile, WorstInputs()[name]);
            var (exitCode, stderr, peakKiB) = RunValidate(binary!, jobFile);
            output.WriteLine($"{name}: exit {exitCode}, peak RSS {peakKiB / 1024} MiB\n{Tail(stderr)}");

            Assert.DoesNotContain("terminated by signal", stderr, StringComparison.Ordinal);
            Assert.InRange(exitCode, 0, 127);
            if (exitCode != 0)
            {
                Assert.Matches(PositionedError(), stderr);
            }
            Assert.InRange(peakKiB, 1, MaxRssKiB);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The generated inputs that hit each limit hardest, by name; fixed, so failures replay.</summary>
    private static Dictionary<string, string> WorstInputs()
    {
        var random = new Random(10);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["sum-30000"] = HostileInputs.InJob(string.Join(" + ", Enumerable.Repeat("1", 30_000))),
            ["mixed-chain-200000"] = HostileInputs.InJob(HostileInputs.Chain(random, 200_000)),
            ["parens-30000"] = HostileInputs.InJob(new string('(', 30_000) + "1" + new string(')', 30_000)),
            ["templates-10000"] = HostileInputs.InJob(
                string.Concat(Enumerable.Repeat("\"${", 10_000)) + "1" + string.Concat(Enumerable.Repeat("}\"", 10_000))
            ),
            ["blocks-30000"] = HostileInputs.Blocks(30_000),
            ["locals-depth-20000"] = HostileInputs.LocalsChain(20_000, "[local.l{0}]"),
            ["locals-string-doubling"] = HostileInputs.LocalsChain(64, "\"${local.l{0}}${local.l{0}}\""),
            ["locals-list-doubling"] = HostileInputs.LocalsChain(64, "[local.l{0}, local.l{0}]"),
            ["locals-join-doubling"] = HostileInputs.LocalsChain(
                64,
                "join(\"\", [local.l{0}, local.l{0}, local.l{0}])"
            ),
            ["number-1e999999999"] = HostileInputs.InJob("1e999999999"),
            ["number-2M-digits"] = HostileInputs.InJob(new string('9', 2_000_000)),
            ["heredoc-7MiB"] = HostileInputs.InJob(
                "<<-EOT\n" + string.Concat(Enumerable.Repeat(new string('h', 99) + "\n", 70_000)) + "EOT\n"
            ),
            ["file-dev-zero"] = HostileInputs.InJob("file(\"/dev/zero\")"),
            ["json-depth-100000"] = HostileInputs.JsonDepth(100_000),
        };
    }

    private static (int ExitCode, string Stderr, long PeakKiB) RunValidate(string binary, string jobFile)
    {
        var start = new ProcessStartInfo("/usr/bin/time")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-v", binary, "validate", jobFile })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"validate {jobFile} did not finish within 3 minutes");
        }
        _ = stdout.Result;
        var peak = PeakRss().Match(stderr);
        Assert.True(peak.Success, $"no peak RSS in GNU time's report:\n{Tail(stderr)}");
        return (process.ExitCode, stderr, long.Parse(peak.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : "..." + text[^2000..];

    [GeneratedRegex(@"Maximum resident set size \(kbytes\): (\d+)")]
    private static partial Regex PeakRss();

    [GeneratedRegex(@"\.hcl:\d+:\d+: ")]
    private static partial Regex PositionedError();
}
