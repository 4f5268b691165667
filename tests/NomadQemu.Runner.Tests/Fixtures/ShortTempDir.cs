namespace NomadQemu.Runner.Tests.Fixtures;

/// <summary>A disposable temp dir with a short path (QMP sockets live under it and must fit in 108 bytes).</summary>
public sealed class ShortTempDir : IDisposable
{
    public ShortTempDir()
    {
        Path = System.IO.Path.Combine("/tmp", "nr" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

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
