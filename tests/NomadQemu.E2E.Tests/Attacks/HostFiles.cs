using System.Diagnostics;

namespace NomadQemu.E2E.Tests.Attacks;

/// <summary>Outcome probes: inodes, modes and content of host files, and what a QEMU process holds open.</summary>
internal static class HostFiles
{
    /// <summary>"device:inode" of a path (following links, as a descriptor's /proc link is followed).</summary>
    public static string Identity(string path) => Run("stat", "-L", "--format=%d:%i", path).Trim();

    /// <summary>Permission bits, e.g. 0x1c0 for 0700.</summary>
    public static int Mode(string path) => Convert.ToInt32(Run("stat", "--format=%a", path).Trim(), 8);

    /// <summary>The identities of every file the process holds open.</summary>
    public static IReadOnlySet<string> HeldBy(int pid)
    {
        HashSet<string> held = [];
        foreach (var fd in Directory.GetFiles($"/proc/{pid}/fd"))
        {
            try
            {
                held.Add(Identity(fd));
            }
            catch (InvalidOperationException)
            {
                // closed between listing and stat
            }
        }
        return held;
    }

    /// <summary>Content and mtime: what must be unchanged after an attack on the file.</summary>
    public static (string Hash, DateTime Mtime) Fingerprint(string path) =>
        (
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))),
            File.GetLastWriteTimeUtc(path)
        );

    public static string Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {error}");
    }

    /// <summary>Exit code of a command (for the ones expected to fail).</summary>
    public static int ExitCode(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var p = Process.Start(start)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }
}
