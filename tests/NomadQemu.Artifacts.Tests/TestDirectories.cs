namespace NomadQemu.Artifacts.Tests;

/// <summary>A fresh task directory, cache directory and scratch directory per test, removed afterwards.</summary>
internal sealed class TestDirectories : IDisposable
{
    public TestDirectories()
    {
        Root = Path.Combine(Path.GetTempPath(), "nq-artifacts-" + Guid.NewGuid().ToString("N"));
        TaskDir = Directory.CreateDirectory(Path.Combine(Root, "task")).FullName;
        CacheDir = Path.Combine(Root, "cache");
        Scratch = Directory.CreateDirectory(Path.Combine(Root, "scratch")).FullName;
    }

    public string Root { get; }
    public string TaskDir { get; }
    public string CacheDir { get; }
    public string Scratch { get; }

    public string Local(params string[] parts) => Path.Combine([TaskDir, "local", .. parts]);

    /// <summary>Every file under the task directory, relative, '/'-separated and sorted.</summary>
    public IReadOnlyList<string> TaskFiles() =>
        [
            .. Directory
                .EnumerateFileSystemEntries(TaskDir, "*", SearchOption.AllDirectories)
                .Where(p => !Directory.Exists(p) || new FileInfo(p).LinkTarget is not null)
                .Select(p => Path.GetRelativePath(TaskDir, p).Replace('\\', '/'))
                .Order(StringComparer.Ordinal),
        ];

    public IReadOnlyList<string> CacheTempFiles() =>
        Directory.Exists(Path.Combine(CacheDir, "tmp"))
            ? [.. Directory.EnumerateFiles(Path.Combine(CacheDir, "tmp"))]
            : [];

    public IReadOnlyList<string> CacheObjects() =>
        Directory.Exists(Path.Combine(CacheDir, "objects"))
            ? [.. Directory.EnumerateFiles(Path.Combine(CacheDir, "objects"), "*", SearchOption.AllDirectories)]
            : [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException) { }
    }
}
