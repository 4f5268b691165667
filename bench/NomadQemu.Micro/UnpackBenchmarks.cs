using System.Formats.Tar;
using BenchmarkDotNet.Attributes;
using NomadQemu.Artifacts;
using NomadQemu.Micro.Baseline;

namespace NomadQemu.Micro;

/// <summary>
/// Tar unpack throughput: the product's fd-relative containment (staging dir, openat2 RESOLVE_BENEATH for every
/// entry, links judged by resolving, merge into the destination) against main's path-string extraction (kept in
/// Baseline/), same archive, same run. Each invocation unpacks into a fresh empty destination; removing it is
/// outside the measurement. Run with
/// <c>dotnet run -c Release --project bench/NomadQemu.Micro -- --filter '*UnpackBenchmarks*' --inProcess</c>.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(10)]
[InvocationCount(1)]
public class UnpackBenchmarks
{
    private string _dir = "";
    private string _archive = "";
    private string _taskDir = "";
    private int _round;

    /// <summary>many-small: 2,000 files of 16 KiB in 40 dirs (31 MiB); one-large: one 256 MiB file.</summary>
    [Params("many-small", "one-large")]
    public string Shape { get; set; } = "many-small";

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("nq-unpack-bench-").FullName;
        _archive = Path.Combine(_dir, "bundle.tar");
        var random = new Random(42);
        using var file = File.Create(_archive);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        if (Shape == "one-large")
        {
            var data = new byte[256 * 1024 * 1024];
            random.NextBytes(data);
            writer.WriteEntry(
                new PaxTarEntry(TarEntryType.RegularFile, "disk.img") { DataStream = new MemoryStream(data) }
            );
            return;
        }

        for (var d = 0; d < 40; d++)
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, $"dir{d}/"));
            for (var f = 0; f < 50; f++)
            {
                var data = new byte[16 * 1024];
                random.NextBytes(data);
                writer.WriteEntry(
                    new PaxTarEntry(TarEntryType.RegularFile, $"dir{d}/file{f}.bin")
                    {
                        DataStream = new MemoryStream(data),
                    }
                );
            }
        }
    }

    [IterationSetup]
    public void FreshTaskDir() => _taskDir = Directory.CreateDirectory(Path.Combine(_dir, $"task{_round++}")).FullName;

    [IterationCleanup]
    public void RemoveTaskDir() => Directory.Delete(_taskDir, recursive: true);

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark(Description = "fd-relative: openat2 RESOLVE_BENEATH + staging + merge")]
    public async Task FdRelative()
    {
        await using var archive = File.OpenRead(_archive);
        using var taskDir = BeneathDirectory.OpenTrusted(_taskDir);
        using var target = new ExtractionTarget(taskDir, "local", "bench", new DecompressionLimits());
        await TarExtractor.ExtractAsync(archive, target, () => { }, "bench", CancellationToken.None);
        target.Complete();
    }

    [Benchmark(Baseline = true, Description = "main: path strings (lexical checks)")]
    public async Task PathStrings()
    {
        await using var archive = File.OpenRead(_archive);
        var target = new PathStringExtractionTarget(Path.Combine(_taskDir, "local"), "bench");
        await PathStringTarExtractor.ExtractAsync(archive, target, () => { }, "bench", CancellationToken.None);
        target.Complete();
    }
}
