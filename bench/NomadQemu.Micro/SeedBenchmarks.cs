using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using NomadQemu.CloudInit;
using NomadQemu.CloudInit.Network;

namespace NomadQemu.Micro;

/// <summary>
/// Cloud-init seed generation: our in-process ISO writer (building the seed from the job's inputs and writing the
/// image) against the tools users run today for the same files, in the same run: genisoimage (what cloud-localds
/// runs, <c>-J -R -V CIDATA</c>) and mkfs.vfat + mcopy (a VFAT seed). Run with
/// <c>dotnet run -c Release --project bench/NomadQemu.Micro -- --filter '*SeedBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(3)]
[IterationCount(12)]
public class SeedBenchmarks
{
    private string _dir = "";
    private string _files = "";
    private byte[] _userData = [];
    private CloudInitSeed _seed = null!;
    private int _vfatKiB;

    /// <summary>User-data size: a typical #cloud-config (1 KiB) or a large MIME/gzip payload (1 MiB).</summary>
    [Params(1024, 1024 * 1024)]
    public int UserDataBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("nq-seed-bench-").FullName;
        _files = Directory.CreateDirectory(Path.Combine(_dir, "files")).FullName;
        _userData = new byte[UserDataBytes];
        new Random(42).NextBytes(_userData);
        "#cloud-config\n"u8.CopyTo(_userData);
        _seed = Build();
        File.WriteAllBytes(Path.Combine(_files, "user-data"), _seed.UserData);
        File.WriteAllBytes(Path.Combine(_files, "meta-data"), _seed.MetaData);
        File.WriteAllBytes(Path.Combine(_files, "vendor-data"), _seed.VendorData!);
        File.WriteAllBytes(Path.Combine(_files, "network-config"), _seed.NetworkConfig!);
        // Smallest round VFAT that holds the files with room for FAT and directory: content + 256 KiB.
        _vfatKiB = (int)((Directory.GetFiles(_files).Sum(f => new FileInfo(f).Length) / 1024) + 256);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark(Description = "ours: SeedBuilder.Build + IsoSeedImage.ToArray")]
    public byte[] OursInMemory() => IsoSeedImage.ToArray(Build());

    [Benchmark(Description = "ours: SeedBuilder.Build + IsoSeedImage.Write to a file")]
    public long OursToFile()
    {
        var path = Path.Combine(_dir, "ours.iso");
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            IsoSeedImage.Write(file, Build());
        }
        return new FileInfo(path).Length;
    }

    [Benchmark(Baseline = true, Description = "genisoimage -J -R -V CIDATA (same files)")]
    public long Genisoimage()
    {
        var path = Path.Combine(_dir, "genisoimage.iso");
        Run("genisoimage", "-quiet", "-output", path, "-volid", "CIDATA", "-joliet", "-rock", _files);
        return new FileInfo(path).Length;
    }

    [Benchmark(Description = "mkfs.vfat -C + mcopy (same files)")]
    public long VfatWithMtools()
    {
        var path = Path.Combine(_dir, "vfat.img");
        File.Delete(path);
        Run(
            "mkfs.vfat",
            "-n",
            "CIDATA",
            "-C",
            path,
            _vfatKiB.ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
        Run("mcopy", ["-oi", path, .. Directory.GetFiles(_files).Order(StringComparer.Ordinal), "::"]);
        return new FileInfo(path).Length;
    }

    private CloudInitSeed Build() =>
        SeedBuilder.Build(
            new SeedRequest
            {
                AllocId = "0b3c6d0e-2f7a-4c8e-9d21-5b1f0e6a7c44",
                TaskName = "web",
                UserData = _userData,
                MetaData = "{\"role\": \"web\", \"zone\": \"eu-1\"}"u8.ToArray(),
                VendorData = "#cloud-config\ntimezone: Etc/UTC\n"u8.ToArray(),
                DefaultNetwork = new UserNetworkConfig { MacAddress = MacAddress.Parse("52:54:00:12:34:56") },
            }
        );

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} exited {process.ExitCode}");
        }
    }
}
