using System.Globalization;
using System.Runtime.InteropServices;
using NomadQemu.TestKit;

namespace NomadQemu.Chaos.Tests.Support;

/// <summary>
/// Reads /proc directly: which live processes mention a path (the supervisor's run dir, QEMU's disks: found by
/// <see cref="ProcScan"/>), and what a process holds (open fds, RSS, PSS). Independent of the driver's own
/// bookkeeping, so a leak the driver does not know about is still seen.
/// </summary>
public static partial class HostProcesses
{
    public sealed record LiveProcess(int Pid, string CommandLine);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    public static IReadOnlyList<LiveProcess> Mentioning(string fragment) =>
        [.. ProcScan.Mentioning(fragment).Select(p => new LiveProcess(p.Pid, p.CommandLine))];

    public static bool IsAlive(int pid) => Read($"/proc/{pid}/stat") is not null && !IsZombie(pid);

    public static bool IsZombie(int pid) => ProcScan.IsZombie(pid);

    public static int OpenFdCount(int pid) => Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;

    /// <summary>Resident set size in KiB (VmRSS of /proc/PID/status).</summary>
    public static long RssKib(int pid) => Field($"/proc/{pid}/status", "VmRSS:") ?? 0;

    /// <summary>Proportional set size in KiB: shared pages (the binary's text) divided among their users.</summary>
    public static long? PssKib(int pid) => Field($"/proc/{pid}/smaps_rollup", "Pss:");

    /// <summary>The test's last line of defence: nothing a test started may outlive it.</summary>
    public static int KillMentioning(string fragment)
    {
        var victims = Mentioning(fragment);
        foreach (var victim in victims)
        {
            kill(victim.Pid, 9);
        }
        return victims.Count;
    }

    public static async Task<bool> WaitGoneAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(20);
        }
        return true;
    }

    public static void Kill(int pid) => kill(pid, 9);

    private static long? Field(string file, string name)
    {
        var text = Read(file);
        if (text is null)
        {
            return null;
        }
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                var value = line[name.Length..].Trim().Split(' ')[0];
                return long.Parse(value, CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    private static string? Read(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
