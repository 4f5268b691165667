namespace NomadQemu.TestKit;

/// <summary>A disposable temp dir with a short path: unix socket paths must stay under 108 bytes.</summary>
public sealed class ShortTempDir : IDisposable
{
    public ShortTempDir()
    {
        Path = System.IO.Path.Combine("/tmp", "nq" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes a file in the dir and returns its path.</summary>
    public string File(string name, string content)
    {
        var path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
