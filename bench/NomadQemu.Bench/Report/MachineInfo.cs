using System.Diagnostics;
using System.Globalization;

namespace NomadQemu.Bench.Report;

/// <summary>What every run records about itself: the code, the machine, QEMU and the accelerator.</summary>
public sealed record MachineInfo(
    string Commit,
    bool Dirty,
    int Processors,
    string CpuModel,
    long MemoryMb,
    string Kernel,
    string QemuVersion,
    string Accelerator,
    string Date
)
{
    public static MachineInfo Collect(string repoRoot, string accelerator)
    {
        var commit = Run("git", ["-C", repoRoot, "rev-parse", "HEAD"]).Trim();
        var dirty = Run("git", ["-C", repoRoot, "status", "--porcelain", "--", "src"]).Trim().Length > 0;
        var cpu =
            File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
                ?.Split(':', 2)[1]
                .Trim()
            ?? "unknown";
        var memKb = long.Parse(
            File.ReadLines("/proc/meminfo")
                .First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))["MemTotal:".Length..]
                .Trim()
                .Split(' ')[0],
            CultureInfo.InvariantCulture
        );
        var qemu = Run("qemu-system-x86_64", ["--version"]).Split('\n')[0].Trim();
        return new MachineInfo(
            commit,
            dirty,
            Environment.ProcessorCount,
            cpu,
            memKb / 1024,
            File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
            qemu,
            accelerator,
            DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)
        );
    }

    private static string Run(string file, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
