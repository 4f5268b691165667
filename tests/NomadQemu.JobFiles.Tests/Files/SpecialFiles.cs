using System.Diagnostics;

namespace NomadQemu.JobFiles.Tests.Files;

/// <summary>
/// A temporary directory holding the kinds of file a hostile job may name: a FIFO nobody writes to (a plain open
/// blocks on it forever), a symlink to that FIFO, and sparse regular files just over a size limit.
/// </summary>
internal sealed class SpecialFiles : IDisposable
{
    private readonly DirectoryInfo _root = System.IO.Directory.CreateTempSubdirectory("jobfiles-special-");

    public SpecialFiles()
    {
        Fifo = Path.Combine(_root.FullName, "pipe");
        MakeFifo(Fifo);
        FifoLink = Path.Combine(_root.FullName, "pipe-link");
        File.CreateSymbolicLink(FifoLink, Fifo);
        Directory = _root.FullName;
    }

    public string Directory { get; }

    public string Fifo { get; }

    public string FifoLink { get; }

    /// <summary>A file of <paramref name="length"/> zero bytes that takes no disk space.</summary>
    public string Sparse(string name, long length)
    {
        var path = Path.Combine(_root.FullName, name);
        using var stream = File.Create(path);
        stream.SetLength(length);
        return path;
    }

    public string Regular(string name, string text)
    {
        var path = Path.Combine(_root.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => _root.Delete(recursive: true);

    // The real mkfifo(1): the test needs a real named pipe, and no P/Invoke of its own for one.
    private static void MakeFifo(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new IOException($"mkfifo {path} failed with exit code {process.ExitCode}");
        }
    }
}
