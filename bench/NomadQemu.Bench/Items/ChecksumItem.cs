using System.Diagnostics;
using NomadQemu.Artifacts;
using NomadQemu.Bench.Measure;
using NomadQemu.Bench.Report;

namespace NomadQemu.Bench.Items;

/// <summary>Item 5: artifact checksum verification throughput (the artifacts library) against coreutils sha256sum on the same file.</summary>
public static class ChecksumItem
{
    public static async Task RunAsync(BenchContext context, ReportSection section)
    {
        var file = await TestImages.EnsureAsync(context, context.Options.ChecksumFileSize);
        var megabytes = new FileInfo(file).Length / 1048576.0;
        var ours = new Sample("MiB/s");
        var baseline = new Sample("MiB/s");
        string? ourHex = null,
            theirHex = null;
        // Round 0 is an uncounted warm-up: the file in the page cache for both, our code JIT-compiled.
        for (var round = 0; round <= context.Options.ChecksumRounds; round++)
        {
            var watch = Stopwatch.StartNew();
            ourHex = await ChecksumVerifier.ComputeHexAsync(file, ChecksumAlgorithm.Sha256, context.Cancellation);
            var oursSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();
            theirHex = await Sha256SumAsync(file, context.Cancellation);
            var theirSeconds = watch.Elapsed.TotalSeconds;
            if (round > 0)
            {
                ours.Add(megabytes / oursSeconds);
                baseline.Add(megabytes / theirSeconds);
            }
        }
        if (!string.Equals(ourHex, theirHex, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"checksums differ for {file}: ours {ourHex}, sha256sum {theirHex}");
        }
        section.Add(
            $"sha256 of a {megabytes:0} MiB file (page-cached)",
            ours,
            "`sha256sum` (coreutils)",
            baseline,
            higherIsBetter: true
        );
        section.Note(
            "Ours: `ChecksumVerifier.ComputeHexAsync` in the suite's process (1 MiB reads, IncrementalHash, i.e. the platform's OpenSSL); sha256sum timed as a whole process including its start. Interleaved, one uncounted warm-up each. Both digests were checked equal."
        );
    }

    private static async Task<string> Sha256SumAsync(string file, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("sha256sum") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(file);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start sha256sum");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0
            ? output.Split(' ')[0]
            : throw new InvalidOperationException($"sha256sum exited {process.ExitCode}");
    }
}
