using System.Diagnostics;

namespace NomadQemu.Artifacts.Tests;

/// <summary>Outcome checks on the real file system: where links really lead, and what exists where.</summary>
internal static class Outcome
{
    /// <summary>The kernel's answer (coreutils realpath -m), not a string computation.</summary>
    public static string RealPath(string path)
    {
        using var process = Process.Start(
            new ProcessStartInfo("realpath", ["-m", path]) { RedirectStandardOutput = true }
        )!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return output;
    }

    public static bool IsInside(string root, string path)
    {
        var real = RealPath(path);
        var realRoot = RealPath(root);
        return real == realRoot || real.StartsWith(realRoot + "/", StringComparison.Ordinal);
    }

    /// <summary>Every symlink under <paramref name="tree"/> whose real target is outside <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> LinksLeaving(string tree, string root) =>
        [.. Walk(tree).Where(p => new FileInfo(p).LinkTarget is not null && !IsInside(root, p))];

    /// <summary>Regular files with this name anywhere under <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> FilesNamed(string root, string name) =>
        [.. Walk(root).Where(p => Path.GetFileName(p) == name && new FileInfo(p).LinkTarget is null && File.Exists(p))];

    /// <summary>Every entry, hidden ones included, recursing into real directories only: a link loop left by a
    /// vulnerable build must fail the assertion, not hang the walk.</summary>
    private static IEnumerable<string> Walk(string directory)
    {
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        foreach (
            var entry in Directory.EnumerateFileSystemEntries(
                directory,
                "*",
                new EnumerationOptions { AttributesToSkip = 0 }
            )
        )
        {
            yield return entry;
            if (new FileInfo(entry).LinkTarget is null && Directory.Exists(entry))
            {
                foreach (var nested in Walk(entry))
                {
                    yield return nested;
                }
            }
        }
    }
}
