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
        Directory.Exists(tree)
            ?
            [
                .. Directory
                    .EnumerateFileSystemEntries(
                        tree,
                        "*",
                        new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }
                    )
                    .Where(p => new FileInfo(p).LinkTarget is not null && !IsInside(root, p)),
            ]
            : [];

    /// <summary>Files with this name anywhere under <paramref name="root"/> (symlinks not followed).</summary>
    public static IReadOnlyList<string> FilesNamed(string root, string name) =>
        [
            .. Directory.EnumerateFiles(
                root,
                name,
                new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }
            ),
        ];
}
