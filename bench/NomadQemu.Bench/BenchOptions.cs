using System.Globalization;

namespace NomadQemu.Bench;

/// <summary>
/// What to run and how many times. Full counts are the ones the issue asks for; quick counts only prove that
/// every item still runs (the smoke test and CI use them) and finish in about two minutes.
/// </summary>
public sealed record BenchOptions
{
    public required string RepoRoot { get; init; }
    public required string Binary { get; init; }
    public required string GuestDir { get; init; }
    public required string CacheDir { get; init; }
    public required string OutDir { get; init; }
    public bool Quick { get; init; }
    public bool Micro { get; init; } = true;
    public IReadOnlySet<int>? Only { get; init; }

    public int PluginLaunches => Quick ? 3 : 20;
    public int PluginRssSamples => Quick ? 1 : 5;
    public int StartTasks => Quick ? 2 : 20;
    public int DiskPrepRuns => Quick ? 1 : 5;
    public IReadOnlyList<long> DiskSizes => Quick ? [64L << 20] : [1L << 30, 4L << 30];
    public long ChecksumFileSize => Quick ? 64L << 20 : 1L << 30;
    public int BootRounds => Quick ? 1 : 5;
    public int StopRounds => Quick ? 1 : 5;
    public int ChecksumRounds => Quick ? 1 : 5;
    public int DensityVms => Quick ? 2 : 10;
    public int DensityRounds => Quick ? 1 : 2;
    public int ContractVms => Quick ? 2 : 10;
    public int ContractRounds => Quick ? 1 : 3;
    public TimeSpan SteadyWindow => TimeSpan.FromSeconds(Quick ? 3 : 15);
    public int SteadyWindows => Quick ? 1 : 2;
    public int RecoveryRounds => Quick ? 1 : 3;
    public int HostAgentExecRuns => Quick ? 20 : 200;
    public int HostAgentOutputRuns => Quick ? 3 : 30;

    /// <summary>The highest item number <c>--only</c> accepts (items are numbered from 1).</summary>
    public const int LastItem = 13;
    public int WarmRounds => Quick ? 1 : 5;
    public int WarmMemoryVms => Quick ? 2 : 10;
    public IReadOnlyList<long> WarmSizesMb => Quick ? [256, 1024] : [256, 1024, 4096];
    public int WarmSizeRounds => Quick ? 1 : 3;

    /// <summary>4 GiB images need this much free space around them (image + copy + slack), else skipped.</summary>
    public const long LargeImageMinFreeBytes = 20L << 30;

    public bool Runs(int item) => Only is null || Only.Contains(item);

    public static BenchOptions Parse(IReadOnlyList<string> args, string repoRoot)
    {
        bool quick = false,
            micro = true;
        var binary = Environment.GetEnvironmentVariable("NOMAD_QEMU_BINARY");
        var guest = Environment.GetEnvironmentVariable("NOMAD_QEMU_TEST_GUEST");
        string? outDir = null,
            cacheDir = null;
        HashSet<int>? only = null;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--no-micro":
                    micro = false;
                    break;
                case "--binary":
                    binary = Value();
                    break;
                case "--guest":
                    guest = Value();
                    break;
                case "--out":
                    outDir = Value();
                    break;
                case "--cache":
                    cacheDir = Value();
                    break;
                case "--repo":
                    repoRoot = Value();
                    break;
                case "--only":
                    only =
                    [
                        .. Value()
                            .Split(',')
                            .Select(v =>
                                int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                                && n is >= 1 and <= LastItem
                                    ? n
                                    : throw new ArgumentException(
                                        $"--only takes item numbers 1-{LastItem} separated by commas, got \"{v}\""
                                    )
                            ),
                    ];
                    break;
                default:
                    throw new ArgumentException(
                        $"unknown argument \"{args[i]}\" (known: --quick --no-micro --only N,M --binary PATH --guest DIR --out DIR --cache DIR --repo DIR)"
                    );
            }
        }
        if (string.IsNullOrEmpty(binary) || !File.Exists(binary))
        {
            throw new ArgumentException(
                $"the published plugin was not found (\"{binary}\"): pass --binary or set NOMAD_QEMU_BINARY (scripts/bench.sh does)"
            );
        }
        if (string.IsNullOrEmpty(guest) || !File.Exists(Path.Combine(guest, "disk.qcow2")))
        {
            throw new ArgumentException(
                $"the test guest was not found (\"{guest}\"): pass --guest or set NOMAD_QEMU_TEST_GUEST (scripts/bench.sh does)"
            );
        }
        return new BenchOptions
        {
            RepoRoot = repoRoot,
            Binary = Path.GetFullPath(binary),
            GuestDir = Path.GetFullPath(guest),
            CacheDir = Path.GetFullPath(cacheDir ?? Path.Combine(repoRoot, ".cache", "bench")),
            OutDir = Path.GetFullPath(outDir ?? Path.Combine(repoRoot, "artifacts", "bench")),
            Quick = quick,
            Micro = micro,
            Only = only,
        };
    }
}
